"""The teacher on another text encoder: the pipeline's teacher with a fresh text pathway (every cross-attention key/value
projection re-initialised for the encoder's width), fine-tuned on SynthCaps clips in the varied phrasing.

The audio side keeps what the teacher learned; only how it reads the caption is learned again, so two runs that differ in
the encoder alone say which encoder carries the captions' meaning into a wording neither saw. Run it once with the
pipeline's encoder (the control) and once with another, then measure each saved teacher with
`benchmarks/guidance_agreement.py --teacher RUN/teacher` in the training and the held-out wording.

    python benchmarks/encoder_swap.py --encoder minilm --out runs/encoder_swap/minilm          # about 21 min on 1 core (MPNet: 33)
    python benchmarks/encoder_swap.py --encoder /path/to/all-mpnet-base-v2 --out runs/encoder_swap/mpnet
    python benchmarks/encoder_swap.py --encoder /path/to/all-mpnet-base-v2 --out runs/encoder_swap/mpnet2 --init runs/encoder_swap/mpnet/teacher --seed 11
    python benchmarks/encoder_swap.py --encoder minilm --out runs/encoder_swap/quick --steps 20 --corpus 8 32 8 8

A run folder resumes (10_training); `RUN/teacher` is the EMA model, saved with its encoder's name.
"""
from __future__ import annotations

import argparse
import time

import torch

from audiolcm.backbone import AudioTransformer, BackboneConfig, load_denoiser, save_denoiser
from audiolcm.checkpoint import ASSETS
from audiolcm.teacher import TeacherTrainConfig, encode_lengths, train_teacher
from audiolcm.text import load_text_encoder
from audiolcm.vae import MelVAE


def with_fresh_text_pathway(teacher: AudioTransformer, text_dim: int, seed: int = 0) -> AudioTransformer:
    "A copy of `teacher` for `text_dim`-d token states: every weight kept but the cross-attention key/value projections, drawn anew."
    torch.manual_seed(seed)
    model = AudioTransformer(BackboneConfig(**{**teacher.cfg.to_dict(), "text_dim": text_dim}))
    fresh = {k for k in model.state_dict() if ".cross_attn.to_kv." in k or k.startswith("sentence_embed.")}
    missing, unexpected = model.load_state_dict({k: v for k, v in teacher.state_dict().items() if k not in fresh}, strict=False)
    assert set(missing) == fresh and not unexpected, (missing, unexpected)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--encoder", default="minilm", help="'minilm' or a local folder of a BERT-like sentence encoder")
    p.add_argument("--out", required=True, help="the run folder (resumes)")
    p.add_argument("--init", help="a teacher this script saved (RUN/teacher) to train further, instead of the pipeline's with a fresh pathway")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--lr", type=float, default=2.5e-4)
    p.add_argument("--seed", type=int, default=10, help="the SynthCaps seed of the clips (the pipeline's stages used 0 to 9)")
    p.add_argument("--corpus", type=int, nargs=4, default=[3000, 12000, 3000, 2000], help="clips of 1.024, 2.048, 5.12 and 10.24 s")
    args = p.parse_args()
    enc = load_text_encoder(args.encoder)
    if args.init:  # a next stage: the saved teacher goes on as it is
        model, meta = load_denoiser(args.init)
        if meta["text_encoder"] != enc.name: raise SystemExit(f"{args.init} reads {meta['text_encoder']!r}, not {enc.name!r}: pass --encoder {meta['text_encoder']}")
    else: model = with_fresh_text_pathway(load_denoiser(ASSETS / "teacher_tiny")[0], enc.dim)
    print(f"{args.encoder}: {enc.dim}-d states; teacher {sum(q.numel() for q in model.parameters()) / 1e6:.2f}M parameters; "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}", flush=True)
    t0 = time.perf_counter()
    latents, captions = encode_lengths(MelVAE.load(), args.corpus, seed=args.seed, phrasing="varied", progress=False)
    print(f"encoded {[tuple(x.shape) for x in latents]} in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    unique = set(c for bucket in captions for c in bucket) | {""}
    enc.precompute(list(unique))  # train_teacher would do it too; here it is timed apart from the training
    print(f"{len(unique)} distinct captions through the text encoder in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    ema, history = train_teacher(model, latents, captions, enc, TeacherTrainConfig(steps=args.steps, lr=args.lr), run_dir=args.out, progress=False)
    tail = torch.tensor(history[-100:]).mean()
    print(f"trained {len(history)} steps in {(time.perf_counter() - t0) / 60:.1f} min; loss of the last 100 steps {tail:.4f}")
    print(f"saved {save_denoiser(f'{args.out}/teacher', ema, enc.name)}")


if __name__ == "__main__":
    main()

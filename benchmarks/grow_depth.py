"""A deeper teacher from a trained one: after each block of the teacher a new block is inserted whose adaLN-Zero gates start
at zero (`08_backbone`), so the grown teacher starts as the same function, then it is trained on SynthCaps clips in the
varied phrasing like a stage of `12_teacher`.

Run it beside a stage of the same clips and steps at the old depth (the control, `audiolcm train teacher` with `init`),
then measure each saved teacher with `benchmarks/guidance_agreement.py --teacher RUN/teacher`: the difference is what the
depth adds for the same training.

    python benchmarks/grow_depth.py --init runs/teacher/stage14/teacher --seed 13 --out runs/grow_depth/stage15   # 6 -> 12 blocks
    python benchmarks/grow_depth.py --init runs/grow_depth/stage15/teacher --seed 14 --out runs/grow_depth/stage16  # a next stage, no growth
    python benchmarks/grow_depth.py --out runs/grow_depth/quick --steps 20 --corpus 8 32 8 8

A run folder resumes (10_training); `RUN/teacher` is the EMA model.
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


def interleave_new_blocks(teacher: AudioTransformer) -> AudioTransformer:
    "A copy of `teacher` with twice the depth: its block i becomes block 2i, and each odd block is new (torch's RNG), its gates at zero."
    model = AudioTransformer(BackboneConfig(**{**teacher.cfg.to_dict(), "depth": 2 * teacher.cfg.depth}))
    def moved(key):
        if not key.startswith("blocks."): return key
        _, i, rest = key.split(".", 2)
        return f"blocks.{2 * int(i)}.{rest}"
    missing, unexpected = model.load_state_dict({moved(k): v for k, v in teacher.state_dict().items()}, strict=False)
    assert not unexpected and all(k.startswith("blocks.") and int(k.split(".")[1]) % 2 for k in missing), (missing, unexpected)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--init", default=str(ASSETS / "teacher_tiny"), help="the teacher to grow (default: the pipeline's)")
    p.add_argument("--no-grow", action="store_true", help="train --init as it is (a later stage of a grown teacher)")
    p.add_argument("--out", required=True, help="the run folder (resumes)")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--lr", type=float, default=2.5e-4)
    p.add_argument("--seed", type=int, default=13, help="the SynthCaps seed of the clips")
    p.add_argument("--corpus", type=int, nargs=4, default=[3000, 12000, 3000, 2000], help="clips of 1.024, 2.048, 5.12 and 10.24 s")
    args = p.parse_args()
    torch.manual_seed(0)  # the new blocks' weights
    teacher, meta = load_denoiser(args.init)
    enc = load_text_encoder(meta["text_encoder"])
    if args.no_grow: model = teacher
    else:  # the grown teacher starts as the same function
        model = interleave_new_blocks(teacher)
        x, t = torch.randn(2, teacher.cfg.latent_channels, 32), torch.tensor([100, 900])
        states, mask = enc.encode(["three knocks", "a rising whistle"])
        with torch.no_grad(): torch.testing.assert_close(model(x, t, states, mask), teacher(x, t, states, mask), atol=1e-5, rtol=1e-4)
    print(f"teacher: depth {teacher.cfg.depth} -> {model.cfg.depth}, {sum(q.numel() for q in model.parameters()) / 1e6:.2f}M parameters; "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}", flush=True)
    t0 = time.perf_counter()
    latents, captions = encode_lengths(MelVAE.load(), args.corpus, seed=args.seed, phrasing="varied", progress=False)
    print(f"encoded {[tuple(x.shape) for x in latents]} in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    ema, history = train_teacher(model, latents, captions, enc, TeacherTrainConfig(steps=args.steps, lr=args.lr), run_dir=args.out, progress=False)
    print(f"trained {len(history)} steps in {(time.perf_counter() - t0) / 60:.1f} min; loss of the last 100 steps {torch.tensor(history[-100:]).mean():.4f}")
    print(f"saved {save_denoiser(f'{args.out}/teacher', ema, enc.name)}")


if __name__ == "__main__":
    main()

"""Attribute agreement against the guidance scale, for the shipped teacher (DDIM) and student (2 steps), on the first n
SynthCaps test clips (standard captions and 2.048 s unless asked), each check type printed beside the overall score.

    python benchmarks/guidance_agreement.py                 # n 150, guidance 2, 3.5, 5, 8, 12 (about 4 min on 2 cores)
    python benchmarks/guidance_agreement.py --n 300 --guidance 3 5
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --seeds 0 1 2 3   # a row per noise seed, then their mean
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --seeds 0 1 2 3 --seconds 10   # 10 s clips
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --seeds 0 1 2 3 --seconds 10 --models student   # the student alone
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --seeds 0 1 2 3 --wording heldout   # captions in the held-out wording
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --teacher runs/teacher/stage6/teacher   # another teacher (teacher rows only)
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --teacher T --student S   # another teacher and a student distilled from it
    python benchmarks/guidance_agreement.py --n 300 --guidance 5 --teacher runs/encoder_swap/mpnet/teacher   # a teacher of another text encoder

The student was distilled for guidance 5 to 13 (w ~ U[4, 12]); below 5 only the teacher is sampled.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from audiolcm.backbone import load_denoiser
from audiolcm.data import SynthCaps
from audiolcm.sampler import AudioLCM, OutOfDomainWarning
from audiolcm.synthcaps import attribute_agreement, write_caption
from audiolcm.text import load_text_encoder

CHECKS = ["all", "register", "count", "pace", "direction", "contour", "tonality", "loudness"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--guidance", type=float, nargs="+", default=[2.0, 3.5, 5.0, 8.0, 12.0])
    p.add_argument("--teacher-steps", type=int, default=25)
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="noise seeds; with several, a row per seed and their mean")
    p.add_argument("--seconds", type=float, default=2.048, help="clip length: the test clips rendered at this length")
    p.add_argument("--wording", choices=["train", "varied", "heldout"], default="train", help="the captions' wording (02_synthcaps)")
    p.add_argument("--teacher", help="a saved denoiser folder to sample instead of the shipped teacher; the shipped student, "
                   "distilled from the shipped teacher, is then left out unless --student names its own")
    p.add_argument("--student", help="a saved student folder to sample instead of the shipped student")
    p.add_argument("--models", choices=["teacher", "student"], nargs="+", default=["teacher", "student"],
                   help="which models to sample (the student's rows take a fraction of the teacher's time)")
    args = p.parse_args()
    pipe = AudioLCM.from_pretrained()
    own_encoder, encoders = pipe.text_encoder.name, set()
    for role in ("teacher", "student"):
        if getattr(args, role) is None: continue
        model, meta = load_denoiser(getattr(args, role))
        setattr(pipe, role, model.eval())
        encoders.add(meta["text_encoder"])
    if encoders - {own_encoder}:  # denoisers of another encoder (benchmarks/encoder_swap.py) read that encoder's states
        if len(encoders) > 1 or not args.teacher: raise SystemExit(f"--teacher and --student read {sorted(encoders)}: give a teacher and "
                                                                   "(if any) a student of one text encoder")
        pipe.text_encoder = load_text_encoder(encoders.pop())
    data = SynthCaps("test", seconds=args.seconds)
    items = [data[i] for i in range(args.n)]
    labels = [it["labels"] for it in items]
    prompts = [it["caption"] if args.wording == "train" else write_caption(it["labels"], args.wording) for it in items]
    print(f"{args.n} test clips, {args.seconds:g} s, {args.wording} wording, {torch.get_num_threads()} threads, torch {torch.__version__}"
          + (f", teacher {args.teacher}" if args.teacher else "") + (f", student {args.student}" if args.student else ""))
    if pipe.text_encoder.name == own_encoder:  # the domain check's distance is set for the pipeline's encoder
        far = int((pipe.prompt_distances(prompts) > pipe.domain.max_distance).sum())
        print(f"{far} of the {args.n} prompts are far from the training captions (the domain check of 14_sampler)")
    else: print(f"text encoder {pipe.text_encoder.name}")
    warnings.simplefilter("ignore", OutOfDomainWarning)  # counted above instead of printed at every call
    def print_row(name, scores): print(f"{name:36}" + "".join(f"{x:>10.3f}" for x in scores), flush=True)
    print(f"{'':36}" + "".join(f"{c:>10}" for c in CHECKS))
    t0 = time.perf_counter()
    for g in args.guidance:
        samplers = {}
        if "teacher" in args.models:
            samplers[f"teacher DDIM {args.teacher_steps}, g {g:g}"] = \
                lambda s: pipe.sample_teacher(prompts, steps=args.teacher_steps, guidance=g, seconds=args.seconds, seed=s, batch_size=50)
        if "student" in args.models and pipe.guidance_range[0] <= g <= pipe.guidance_range[1] and (args.student or not args.teacher):
            samplers[f"student 2 steps, g {g:g}"] = lambda s: pipe.sample(prompts, steps=2, guidance=g, seconds=args.seconds, seed=s, batch_size=50)
        for name, sample_with in samplers.items():
            per_seed = []
            for s in args.seeds:
                r = attribute_agreement(sample_with(s), labels)
                per_seed.append([r.get(c, np.nan) for c in CHECKS])
                print_row(name if len(args.seeds) == 1 else f"{name}, seed {s}", per_seed[-1])
            if len(args.seeds) > 1:
                print_row(f"{name}, mean", np.mean(per_seed, axis=0))
                print(f"{'':36}(sd of all over {len(args.seeds)} seeds: {np.std([row[0] for row in per_seed], ddof=1):.3f})")
    print(f"({(time.perf_counter() - t0) / 60:.1f} min)")


if __name__ == "__main__":
    main()

"""Attribute agreement against the guidance scale, for the shipped teacher (DDIM) and student (2 steps), on the first n
SynthCaps test clips (standard captions, 2.048 s), each check type printed beside the overall score.

    python benchmarks/guidance_agreement.py                 # n 150, guidance 2, 3.5, 5, 8, 12 (about 4 min on 2 cores)
    python benchmarks/guidance_agreement.py --n 300 --guidance 3 5

The student was distilled for guidance 5 to 13 (w ~ U[4, 12]); below 5 only the teacher is sampled.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from audiolcm.data import SynthCaps
from audiolcm.sampler import AudioLCM
from audiolcm.synthcaps import attribute_agreement

CHECKS = ["all", "register", "count", "pace", "direction", "contour", "tonality", "loudness"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--guidance", type=float, nargs="+", default=[2.0, 3.5, 5.0, 8.0, 12.0])
    p.add_argument("--teacher-steps", type=int, default=25)
    args = p.parse_args()
    pipe = AudioLCM.from_pretrained()
    items = [SynthCaps("test")[i] for i in range(args.n)]
    prompts, labels = [it["caption"] for it in items], [it["labels"] for it in items]
    print(f"{args.n} test clips, 2.048 s, {torch.get_num_threads()} threads, torch {torch.__version__}")
    print(f"{'':28}" + "".join(f"{c:>10}" for c in CHECKS))
    t0 = time.perf_counter()
    for g in args.guidance:
        rows = {f"teacher DDIM {args.teacher_steps}, g {g:g}": pipe.sample_teacher(prompts, steps=args.teacher_steps, guidance=g, seed=0, batch_size=50)}
        if pipe.guidance_range[0] <= g <= pipe.guidance_range[1]: rows[f"student 2 steps, g {g:g}"] = pipe.sample(prompts, steps=2, guidance=g, seed=0, batch_size=50)
        for name, audio in rows.items():
            r = attribute_agreement(audio, labels)
            print(f"{name:28}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS), flush=True)
    print(f"({(time.perf_counter() - t0) / 60:.1f} min)")


if __name__ == "__main__":
    main()

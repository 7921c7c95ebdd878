"""FAD and attribute agreement of the shipped student against how it is sampled: the number of steps, where the later
steps start (`timesteps`) and how much fresh noise each re-injection draws (`renoise`, 06_consistency), on the first n
SynthCaps prompts of a split at guidance 5, with the teacher (DDIM, guidance 5), the ground truth and chance beside them.

    python benchmarks/student_sampling.py                          # 500 test prompts, seeds 0-3 (about 25 min on 2 cores)
    python benchmarks/student_sampling.py --split valid --seeds 0 1   # the 500 validation prompts, two seeds
    python benchmarks/student_sampling.py --n 300 --seeds 0 --teacher-steps 100

Each row is the mean over the noise seeds (FAD's spread over them in brackets). FAD uses the SynthCaps classifier's
embeddings against the same n ground-truth clips (16_experiments); chance is the default student's audio scored against
the next clip's labels.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from audiolcm.data import SynthCaps
from audiolcm.metrics import SynthCapsClassifier, fad
from audiolcm.sampler import AudioLCM, OutOfDomainWarning
from audiolcm.synthcaps import attribute_agreement

CHECKS = ["all", "count", "contour", "loudness"]
# (steps, timesteps, renoise): the paper's sampler (evenly spaced, fresh noise) first at each step count
STUDENT_SAMPLERS = [(2, None, 1.0), (2, None, 0.5), (2, None, 0.0), (2, [999, 599], 1.0), (2, [999, 599], 0.0), (4, None, 1.0), (4, None, 0.0)]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=500, help="prompts per row")
    p.add_argument("--split", choices=["test", "valid"], default="test", help="the SynthCaps split the prompts and clips come from")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    p.add_argument("--teacher-steps", type=int, default=25)
    args = p.parse_args()
    warnings.simplefilter("ignore", OutOfDomainWarning)
    data = SynthCaps(args.split)
    items = [data[i] for i in range(args.n)]
    prompts, labels = [it["caption"] for it in items], [it["labels"] for it in items]
    refs = np.stack([it["wav"].numpy() for it in items])
    classifier = SynthCapsClassifier.load()
    ref_emb = classifier.embed(refs).numpy()
    pipe = AudioLCM.from_pretrained()
    print(f"{args.n} {args.split} prompts, guidance 5, seeds {args.seeds}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    print(f"{'':46}{'FAD':>8}{'(sd)':>8}" + "".join(f"{c:>10}" for c in CHECKS))

    def print_row(name, fads, scores):
        print(f"{name:46}{np.mean(fads):>8.2f}{np.std(fads, ddof=1) if len(fads) > 1 else np.nan:>8.2f}"
              + "".join(f"{np.mean([s.get(c, np.nan) for s in scores]):>10.3f}" for c in CHECKS), flush=True)

    print_row("ground truth", [0.0] * len(args.seeds), [attribute_agreement(refs, labels)])
    t0 = time.perf_counter()
    rows = [(f"teacher DDIM {args.teacher_steps}",
             lambda s: pipe.sample_teacher(prompts, steps=args.teacher_steps, seed=s, batch_size=50))]
    rows += [(f"student {steps} steps, {timesteps or 'even'}, renoise {renoise:g}",
              lambda s, steps=steps, timesteps=timesteps, renoise=renoise:
              pipe.sample(prompts, steps=steps, seed=s, batch_size=50, timesteps=timesteps, renoise=renoise))
             for steps, timesteps, renoise in STUDENT_SAMPLERS]
    chance = []
    for name, generate in rows:
        fads, scores = [], []
        for s in args.seeds:
            audio = generate(s)
            fads.append(fad(classifier.embed(audio).numpy(), ref_emb))
            scores.append(attribute_agreement(audio, labels))
            if not chance and name.startswith("student"): chance.append(attribute_agreement(np.roll(audio, 1, axis=0), labels))
        print_row(name, fads, scores)
    print_row("chance (another clip's labels)", [np.nan] * len(args.seeds), chance)
    print(f"({(time.perf_counter() - t0) / 60:.1f} min)")


if __name__ == "__main__":
    main()

"""FAD and attribute agreement of 2-step students along one distillation from the shipped teacher: the recipe
the shipped student's checkpoint records (13_distill: k = 20, w ~ U[4, 12], mu = 0.95, batch 32, lr 2e-4), on its
four-length corpus, run for --steps with no probe; the target network is taken every --every steps and, with --slow-ema,
EMAs of the target with those decays beside it. Each is sampled
at 2 steps, guidance 5, seed 0 on the first n test prompts; the shipped student and teacher are measured the same way.

    python benchmarks/distill_length.py                                          # 2000 steps, every 500 (about 55 min on 2 cores)
    python benchmarks/distill_length.py --slow-ema 0.99 0.998                    # and two slower EMAs of the target
    python benchmarks/distill_length.py --steps 1000 --every 250 --corpus 300 1200 300 200

FAD uses the SynthCaps classifier's embeddings against the same n ground-truth clips (16_experiments).
"""
from __future__ import annotations

import argparse
import copy
import time
import warnings

import numpy as np
import torch

from audiolcm.data import SynthCaps
from audiolcm.distill import DistillConfig, distill
from audiolcm.metrics import SynthCapsClassifier, fad
from audiolcm.sampler import AudioLCM, OutOfDomainWarning
from audiolcm.synthcaps import attribute_agreement
from audiolcm.teacher import encode_lengths
from audiolcm.training import ema_update

CHECKS = ["all", "register", "count", "pace", "direction", "contour", "tonality", "loudness"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2000, help="distillation steps (the learning rate's cosine spans them)")
    p.add_argument("--every", type=int, default=500, help="steps between the students that are measured")
    p.add_argument("--slow-ema", type=float, nargs="*", default=[], help="decays of slower EMAs of the target, measured beside it")
    p.add_argument("--corpus", type=int, nargs=4, default=[3000, 12000, 3000, 2000], help="clips of 1.024, 2.048, 5.12 and 10.24 s")
    p.add_argument("--n", type=int, default=300, help="test prompts per row")
    p.add_argument("--teacher-steps", type=int, default=25)
    args = p.parse_args()
    if not 0 < args.every <= args.steps: raise SystemExit(f"--every must be in 1..--steps, got {args.every}")
    warnings.simplefilter("ignore", OutOfDomainWarning)
    pipe, classifier = AudioLCM.from_pretrained(), SynthCapsClassifier.load()
    items = [SynthCaps("test")[i] for i in range(args.n)]
    prompts, labels = [it["caption"] for it in items], [it["labels"] for it in items]
    truth = np.stack([it["wav"].numpy() for it in items])
    ref = classifier.embed(truth).numpy()
    print(f"{args.n} test prompts, guidance 5, seed 0; {torch.get_num_threads()} threads, torch {torch.__version__}")
    print(f"{'':34}{'FAD':>8}" + "".join(f"{c:>10}" for c in CHECKS), flush=True)

    def print_row(name, audio):
        r = attribute_agreement(list(torch.as_tensor(audio)), labels)
        print(f"{name:34}{fad(classifier.embed(audio).numpy(), ref):>8.1f}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS), flush=True)

    r = attribute_agreement(list(torch.as_tensor(np.roll(truth, 1, axis=0))), labels)
    chance = "another prompt's audio (chance)"
    print(f"{chance:34}{'':>8}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS))
    print_row(f"teacher DDIM {args.teacher_steps}", pipe.sample_teacher(prompts, steps=args.teacher_steps, seed=0, batch_size=50))
    print_row("shipped student, 2 steps", pipe.sample(prompts, steps=2, seed=0, batch_size=50))

    t0 = time.perf_counter()
    latents, captions = encode_lengths(pipe.vae, args.corpus, progress=False)
    print(f"(corpus encoded in {(time.perf_counter() - t0) / 60:.1f} min)", flush=True)
    snapshots, slow = {}, {}
    def keep(step, target):
        if not slow: slow.update({d: copy.deepcopy(target) for d in args.slow_ema})
        for d, m in slow.items(): ema_update(m, target, d)
        if step % args.every == 0 or step == args.steps:
            snapshots[f"step {step}, target"] = copy.deepcopy(target.state_dict())
            snapshots.update({f"step {step}, slow EMA {d:g}": copy.deepcopy(m.state_dict()) for d, m in slow.items()})
    recipe = DistillConfig(**{**pipe.student_meta["distill_config"], "steps": args.steps, "probe_every": 0})
    t0 = time.perf_counter()
    distill(pipe.teacher, latents, captions, pipe.text_encoder, recipe, progress=False, callback=keep)
    print(f"(distilled {args.steps} steps in {(time.perf_counter() - t0) / 60:.1f} min)", flush=True)
    for name, state in snapshots.items():
        pipe.student.load_state_dict(state)
        print_row(name, pipe.sample(prompts, steps=2, seed=0, batch_size=50))


if __name__ == "__main__":
    main()

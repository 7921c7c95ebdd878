"""Does the teacher follow the words of its caption? Each of the first n SynthCaps test clips is captioned twice from its
labels: as written, and with its direction, contour and loudness swapped (rising <-> falling, quiet <-> loud), both by
`write_caption` with the same random stream, so only those words differ. The teacher samples both with the same noise.

    python benchmarks/caption_swap_agreement.py                          # the shipped teacher, 300 clips, noise seed 0
    python benchmarks/caption_swap_agreement.py --teacher runs/a/teacher --seed 1

Rows: the written captions scored against their labels; the swapped captions scored against the swapped labels (what
they ask for); and the swapped captions scored against the written labels. A teacher that follows a word scores the
same in the first two rows on its check; one that ignores it (its output set by the noise alone) scores the same in the
first and the last.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch

from audiolcm.backbone import load_denoiser
from audiolcm.data import SynthCaps
from audiolcm.sampler import AudioLCM
from audiolcm.synthcaps import attribute_agreement, write_caption

CHECKS = ["all", "direction", "contour", "loudness"]
SWAPS = {"direction": {"rising": "falling", "falling": "rising"}, "contour": {"rising": "falling", "falling": "rising"},
         "loudness": {"quiet": "loud", "loud": "quiet"}}


def swapped_labels(labels: dict) -> dict:
    "A copy of a clip's labels with every event's direction, contour and loudness swapped (other values kept)."
    out = copy.deepcopy(labels)
    for ev in out["events"]:
        for attr, table in SWAPS.items():
            if ev.get(attr) in table: ev[attr] = table[ev[attr]]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--teacher", default=None, help="a denoiser folder (default: the shipped teacher)")
    p.add_argument("--seed", type=int, default=0, help="noise seed, the same for both captions")
    p.add_argument("--guidance", type=float, default=5.0)
    p.add_argument("--steps", type=int, default=25)
    args = p.parse_args()
    pipe = AudioLCM.from_pretrained()
    if args.teacher is not None: pipe.teacher = load_denoiser(args.teacher)[0]
    labels = [SynthCaps("test")[i]["labels"] for i in range(args.n)]
    swapped = [swapped_labels(lab) for lab in labels]
    written, asked = [write_caption(lab) for lab in labels], [write_caption(lab) for lab in swapped]
    print(f"{args.n} test clips, 2.048 s, DDIM {args.steps}, guidance {args.guidance:g}, noise seed {args.seed}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}; {sum(a != b for a, b in zip(written, asked))} captions changed by the swap")
    print(f"{'':44}" + "".join(f"{c:>10}" for c in CHECKS))
    t0 = time.perf_counter()
    audio = {name: pipe.sample_teacher(caps, steps=args.steps, guidance=args.guidance, seed=args.seed) for name, caps in (("written", written), ("swapped", asked))}
    for name, wavs, truth in (("written captions, their labels", audio["written"], labels), ("swapped captions, swapped labels", audio["swapped"], swapped),
                              ("swapped captions, the written labels", audio["swapped"], labels)):
        r = attribute_agreement(list(wavs), truth)
        print(f"{name:44}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS), flush=True)
    print(f"({(time.perf_counter() - t0) / 60:.1f} min)")


if __name__ == "__main__":
    main()

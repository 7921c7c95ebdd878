"""How much of each caption attribute a text encoder's sentence vector carries into a wording it was not fitted on.

A linear reader (multinomial logistic regression) per attribute is fitted on the sentence vectors (`sentence_vector` of
07_text) of SynthCaps training captions, in the training phrasing or in the varied one, and scored on test captions in
the training wording and in the held-out wording (02_synthcaps: same labels, no content word shared). Only one-event
clips are used, so each attribute has one value. A denoiser fitted on the same captions can follow a reworded prompt
no better than what its encoder relates to the training words; this measures that per encoder.

    python benchmarks/encoder_probe.py                                   # all-MiniLM-L6-v2 (about 2 min on 2 cores)
    python benchmarks/encoder_probe.py --encoder minilm /path/to/all-mpnet-base-v2   # and any local sentence encoder folder
    python benchmarks/encoder_probe.py --n-train 3000 --n-test 600      # fewer clips
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from audiolcm.sampler import sentence_embeddings
from audiolcm.synthcaps import synth_clip, write_caption
from audiolcm.text import load_text_encoder

ATTRIBUTES = ["family", "count", "loudness", "pace", "tempo", "direction", "contour", "register", "scale"]
FITS = [("train", "train"), ("train", "heldout"), ("varied", "train"), ("varied", "heldout")]  # (fitted on, scored on)
NAMES = {"train": "training", "varied": "varied", "heldout": "held-out"}


def value(labels: dict, attribute: str) -> str | None:
    """The clip's (first and only) event's value of `attribute`, None where it has none. Captions leave out some loudness,
    register and scale words at random (02_synthcaps), so even the training wording scores below 1 on those."""
    ev = labels["events"][0]
    v = ev["family"] if attribute == "family" else ev.get(attribute)
    return str(v) if v not in (None, "") else None


def single_event_labels(split: str, n: int) -> list[dict]:
    "Labels of the one-event clips among the first n of `split` (seed 0)."
    return [lab for i in range(n) if (lab := synth_clip(0, split, i)["labels"])["composition"] == "single"]


def probe(encoder_name: str, train: list[dict], test: list[dict]) -> dict[str, list[float]]:
    "{row name: accuracy per attribute} for the four (fitted on, scored on) pairs and the chance row."
    enc = load_text_encoder(encoder_name)
    t0 = time.perf_counter()
    X = {p: sentence_embeddings(enc, [write_caption(lab, p) for lab in train]).numpy() for p in ("train", "varied")}
    Y = {w: sentence_embeddings(enc, [write_caption(lab, w) for lab in test]).numpy() for w in ("train", "heldout")}
    print(f"{encoder_name}: {enc.dim}-d, {2 * (len(train) + len(test))} captions encoded in {time.perf_counter() - t0:.0f} s", flush=True)
    rows = {f"fitted on the {NAMES[p]} phrasing, {NAMES[w]} wording": [] for p, w in FITS} | {"most frequent value (chance)": []}
    for attribute in ATTRIBUTES:
        tr = [i for i, lab in enumerate(train) if value(lab, attribute)]
        te = [i for i, lab in enumerate(test) if value(lab, attribute)]
        y_train = np.array([value(train[i], attribute) for i in tr])
        y_test = np.array([value(test[i], attribute) for i in te])
        readers = {p: LogisticRegression(C=10.0, max_iter=3000).fit(X[p][tr], y_train) for p in ("train", "varied")}
        for (p, w), name in zip(FITS, rows):
            rows[name].append(float(readers[p].score(Y[w][te], y_test)))
        rows["most frequent value (chance)"].append(max(float(np.mean(y_test == v)) for v in np.unique(y_train)))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--encoder", nargs="+", default=["minilm"], help="'minilm' or local folders of sentence encoders")
    p.add_argument("--n-train", type=int, default=12000, help="training clips read (about half are one-event clips)")
    p.add_argument("--n-test", type=int, default=2000, help="test clips read (about half are one-event clips)")
    args = p.parse_args()
    train, test = single_event_labels("train", args.n_train), single_event_labels("test", args.n_test)
    print(f"{len(train)} one-event training clips, {len(test)} one-event test clips, {torch.get_num_threads()} threads, torch {torch.__version__}")
    for name in args.encoder:
        rows = probe(name, train, test)
        print(f"| {name} | " + " | ".join(ATTRIBUTES) + " | mean |\n|---|" + "---|" * (len(ATTRIBUTES) + 1))
        for row, scores in rows.items(): print(f"| {row} | " + " | ".join(f"{x:.2f}" for x in scores) + f" | {np.mean(scores):.2f} |")
        means = [float(np.mean(scores)) for scores in rows.values()]
        print(f"held-out / training wording (means): {means[1] / means[0]:.2f}x fitted on the training phrasing, "
              f"{means[3] / means[2]:.2f}x on the varied one\n", flush=True)


if __name__ == "__main__":
    main()

"""Writes tests/fixtures/pinned.safetensors: what `test_pinned.py` holds the code to.
Run once, before a refactor that must not change behaviour: `python tests/make_pinned.py`.
When the shipped models change on purpose, `python tests/make_pinned.py --latents` re-pins only their latents
and keeps the training runs' entries as they are."""
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

import pinned

if __name__ == "__main__":
    path = Path(__file__).parent / "fixtures" / "pinned.safetensors"
    torch.manual_seed(0)
    latents = {f"latents.{k}": v for k, v in pinned.pipeline_latents().items()}
    if "--latents" in sys.argv[1:]: train = {k: v for k, v in load_file(str(path)).items() if k.startswith("train.")}
    else: train = {f"train.{k}": v for k, v in pinned.short_training_runs().items()}
    out = {**latents, **train}
    save_file({k: v.contiguous() for k, v in out.items()}, str(path))
    print(f"wrote {len(out)} tensors to {path}")

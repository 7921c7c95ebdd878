"""Writes tests/fixtures/pinned.safetensors: what `test_pinned.py` holds the code to.
Run once, before a refactor that must not change behaviour: `python tests/make_pinned.py`."""
from pathlib import Path

import torch
from safetensors.torch import save_file

import pinned

if __name__ == "__main__":
    torch.manual_seed(0)
    out = {**{f"latents.{k}": v for k, v in pinned.pipeline_latents().items()},
           **{f"train.{k}": v for k, v in pinned.short_training_runs().items()}}
    path = Path(__file__).parent / "fixtures" / "pinned.safetensors"
    save_file({k: v.contiguous() for k, v in out.items()}, str(path))
    print(f"wrote {len(out)} tensors to {path}")

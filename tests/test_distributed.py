"""`audiolcm train` under a launcher: 2 CPU processes (gloo) train the same teacher as 1 process."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file


def train(tmp: Path, n_procs: int) -> Path:
    "Launch `audiolcm train teacher` with torchrun on n_procs CPU processes on a free port; returns the checkpoint folder."
    config = tmp / "teacher.json"
    config.write_text(json.dumps({"model": {"dim": 32, "depth": 1, "heads": 2}, "corpus_size": 16, "train": {"steps": 3, "batch_size": 4},
                                  "device": "cpu"}))  # CPU processes with gloo, also on a machine with one GPU
    out = tmp / f"run{n_procs}"
    cli = Path(sys.executable).parent / "audiolcm"
    logs = tmp / f"logs{n_procs}"
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(n_procs),
                        "--log-dir", str(logs), "--redirects", "3", str(cli), "train", "teacher", "--config", str(config), "--out", str(out)],
                       capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=600)
    rank_err = lambda rank: "".join(p.read_text() for p in logs.glob(f"*/attempt_0/{rank}/stderr.log"))[-3000:]
    assert r.returncode == 0, "\n".join(f"rank {i} stderr:\n{rank_err(i)}" for i in range(n_procs)) + "\ntorchrun:\n" + r.stderr[-1000:]
    return out / "teacher"


def test_two_processes_train_the_model_of_one(tmp_path):
    two, one = train(tmp_path, 2), train(tmp_path, 1)
    meta = json.loads((two / "config.json").read_text())
    assert meta["processes"] == 2 and meta["replicas_identical"] is True
    a, b = load_file(str(two / "model.safetensors")), load_file(str(one / "model.safetensors"))
    assert sorted(a) == sorted(b)
    # float32 all-reduce order is the only difference; a wrong data split moves weights by ~lr (5e-4) or more
    assert max(float((a[k] - b[k]).abs().max()) for k in a) < 1e-4
    assert not all(torch.equal(a[k], torch.zeros_like(a[k])) for k in a)

"""The example configs in examples/ stay valid: each goes through the command line's own reader
(`audiolcm train KIND --config FILE`), shortened to two steps on a few clips. The kind is in the
file name (train_KIND[_anything].json); a config with `data` gets a small captioned folder."""
import json
from pathlib import Path

import pytest

from audiolcm.checkpoint import ASSETS
from audiolcm.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def test_examples_are_shipped():
    kinds = {p.stem.split("_")[1] for p in EXAMPLES}
    assert {"vae", "teacher", "distill"} <= kinds, kinds
    text = (ROOT / "examples" / "README.md").read_text()
    assert all(p.name in text for p in EXAMPLES), "examples/README.md lists every example"


def _captioned_folder(root: Path, n: int = 4) -> Path:
    "An AudioCaps-style folder: audio/*.wav and train.csv (as 90_cli builds one)."
    from audiolcm.audio import save_audio
    from audiolcm.data import SynthCaps
    rows = ["audiocap_id,youtube_id,start_time,caption"]
    for i in range(n):
        item = SynthCaps("valid")[i]
        save_audio(root / "audio" / f"clip{i}.wav", item["wav"])
        rows.append(f"{i},clip{i},0,{item['caption'].replace(',', '')}")
    (root / "train.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_config_runs_through_the_cli(path, tmp_path, capsys):
    kind = path.stem.split("_")[1]
    cfg = json.loads(path.read_text())
    cfg["train"] = {**cfg.get("train", {}), "steps": 2, "batch_size": 4}  # shortened; everything else as shipped
    cfg["device"] = "cpu"
    if "init" in cfg: cfg["init"] = str(ASSETS / ("vae_small" if kind == "vae" else "teacher_tiny"))  # a later stage starts from a shipped model here
    if kind != "vae":
        if "data" in cfg: cfg["data"] = {**cfg["data"], "root": str(_captioned_folder(tmp_path / "data"))}; cfg["seconds"] = 2.048
        elif "lengths" in cfg: cfg["lengths"] = {seconds: 2 for seconds in cfg["lengths"]}
        else: cfg["corpus_size"] = 8
    short = tmp_path / path.name
    short.write_text(json.dumps(cfg))
    assert main(["train", kind, "--config", str(short), "--out", str(tmp_path / "run")]) == 0
    assert "saved" in capsys.readouterr().out
    if kind == "distill":  # the student records its teacher and, with a probe, the probe's scores (one: at the last of 2 steps)
        meta = json.loads((tmp_path / "run" / "student" / "config.json").read_text())
        assert meta["distilled_from"] == (cfg.get("teacher") or "teacher_tiny")
        if cfg["train"].get("probe_every"): assert len(meta["probe_scores"]) == 1

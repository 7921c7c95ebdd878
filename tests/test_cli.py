"""The console script, run as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import soundfile as sf

SCRIPT = Path(sys.executable).parent / "audiolcm"


def test_synth_writes_clips_captions_and_sheet(tmp_path):
    out = subprocess.run([str(SCRIPT), "synth", "--out", str(tmp_path), "--n", "2", "--seconds", "1.5", "--split", "valid"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    records = json.loads((tmp_path / "clips.json").read_text())
    assert [r["file"] for r in records] == ["clip_valid_00000.wav", "clip_valid_00001.wav"]
    info = sf.info(tmp_path / records[0]["file"])
    assert (info.samplerate, info.channels, info.frames) == (16000, 1, 24000)
    assert (tmp_path / "mels.png").stat().st_size > 1000


def test_bad_arguments_exit_2_with_a_message(tmp_path):
    out = subprocess.run([str(SCRIPT), "synth", "--out", str(tmp_path), "--n", "0"], capture_output=True, text=True)
    assert out.returncode == 2 and "n must be at least 1" in out.stderr and "Traceback" not in out.stderr

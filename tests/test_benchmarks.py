"""The benchmark script keeps working: a minimal run writes a markdown table with the teacher/student ratios."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rtf_benchmark_runs_and_writes_a_table(tmp_path):
    out = tmp_path / "rtf.md"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "rtf.py"), "--batch", "1", "--teacher-steps", "2", "--student-steps", "1", "2",
                        "--repeats", "1", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    for row in ("| shared | vocoder |", "| teacher DDIM 2 + CFG | end to end |", "| student 2 steps | denoiser |", "| teacher / student | denoiser | end to end |"):
        assert row in text, row

"""The benchmark script keeps working: a minimal run writes a markdown table with the teacher/student ratios."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rtf_benchmark_runs_and_writes_a_table(tmp_path):
    out = tmp_path / "rtf.md"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "rtf.py"), "--batch", "1", "--teacher-steps", "2", "--student-steps", "1", "2",
                        "--repeats", "1", "--precision", "fp32", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.strip("|").split("|") for line in out.read_text().splitlines() if line.startswith("| ")]
    cells = {(r[0].strip(), r[1].strip()): r[2].strip() for r in rows if len(r) == 4}
    for key in [("shared", s) for s in ("text encoder", "VAE decoder", "vocoder")] + [(n, s) for n in ("teacher DDIM 2 + CFG", "student 1 step",
                "student 2 steps") for s in ("denoiser", "end to end")]:
        assert 0 < float(cells[key]) < 100, key  # a measured, finite real-time factor
    ratios = {r[0].strip(): r[1:] for r in rows if len(r) == 3 and r[0].strip().startswith("student")}
    assert set(ratios) == {"student 1 step", "student 2 steps"}
    assert all(0 < float(x.strip().rstrip("x")) < 1e5 for r in ratios.values() for x in r)


def test_guidance_benchmark_prints_a_row_per_model_scale_and_seed():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "4", "--guidance", "3", "5", "--teacher-steps", "2"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["teacher DDIM 2, g 3", "teacher DDIM 2, g 5", "student 2 steps, g 5"]  # no student below its range
    assert all(0 <= float(x) <= 1 for row in rows for x in row[-8:] if x != "nan")
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "4", "--guidance", "5", "--teacher-steps", "2",
                        "--seeds", "0", "1"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    names = [" ".join(row[:-8]) for row in rows]
    assert names == [f"{m}, g 5, {s}" for m in ("teacher DDIM 2", "student 2 steps") for s in ("seed 0", "seed 1", "mean")]
    for k in (0, 3):  # the mean row is the mean of the seed rows
        assert all(abs((float(a) + float(b)) / 2 - float(m)) < 2e-3 for a, b, m in zip(*(row[-8:] for row in rows[k:k + 3])) if m != "nan")


def test_noise_level_benchmark_prints_a_row_per_start():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "noise_level_agreement.py"), "--n", "4", "--t-start", "999", "200", "--steps", "5"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.rsplit(maxsplit=8) for line in r.stdout.splitlines() if line.startswith(("the clips", "shipped"))]
    assert [row[0] for row in rows] == ["the clips through the VAE", "shipped, from t 999", "shipped, from t 199"]
    assert all(0 <= float(x) <= 1 for row in rows for x in row[1:] if x != "nan")


def test_caption_swap_benchmark_prints_three_rows():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "caption_swap_agreement.py"), "--n", "4", "--steps", "3"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.rsplit(maxsplit=4) for line in r.stdout.splitlines() if line.startswith(("written", "swapped"))]
    assert [row[0] for row in rows] == ["written captions, their labels", "swapped captions, swapped labels", "swapped captions, the written labels"]
    assert all(0 <= float(x) <= 1 for row in rows for x in row[1:] if x != "nan")


def test_vae_recipes_benchmark_measures_the_shipped_vae():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "vae_recipes.py"), "--only", "shipped", "--n", "8"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    row = next(line for line in r.stdout.splitlines() if line.startswith("| shipped "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 14 and 0 <= float(cells[3]) <= 1 and float(cells[-1]) > 0  # agreement in [0, 1], a measured roughness


def test_vae_recipes_benchmark_decodes_the_generators_latents_with_each_decoder():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "vae_recipes.py"), "--only", "shipped", "decoder-peak4-level1-noise0.3",
                        "--steps", "3", "--clips", "64", "--n", "8", "--generated", "--seeds", "0", "--teacher-steps", "2"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    table = r.stdout.split("through each decoder")[1]
    rows = {line.split("|")[1].strip(): [float(c) for c in line.strip(" |").split("|")[1:]] for line in table.splitlines() if line.startswith("| ") and "decoder |" not in line}
    assert list(rows) == ["shipped", "decoder-peak4-level1-noise0.3"]
    for cells in rows.values():  # student all, count, loudness, FAD, then the teacher's
        assert len(cells) == 8 and all(0 <= x <= 1 for x in cells[:3] + cells[4:7]) and cells[3] >= 0 and cells[7] >= 0


def test_guidance_benchmark_takes_a_length_and_a_wording():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "2", "--guidance", "5", "--teacher-steps", "2",
                        "--seconds", "1.024", "--wording", "heldout"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 test clips, 1.024 s, heldout wording" in r.stdout
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["teacher DDIM 2, g 5", "student 2 steps, g 5"]
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "2", "--guidance", "3", "5",
                        "--models", "student"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["student 2 steps, g 5"]  # the student alone, and only in its range


def test_guidance_benchmark_samples_another_teacher():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "2", "--guidance", "5", "--teacher-steps", "2",
                        "--wording", "varied", "--teacher", str(ROOT / "audiolcm" / "assets" / "teacher_tiny_stage3")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 test clips, 2.048 s, varied wording" in r.stdout and "teacher_tiny_stage3" in r.stdout
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["teacher DDIM 2, g 5"]  # the shipped student belongs to the shipped teacher
    stage3 = str(ROOT / "audiolcm" / "assets" / "teacher_tiny_stage3")
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "2", "--guidance", "5", "--teacher-steps", "2",
                        "--teacher", stage3, "--student", str(ROOT / "audiolcm" / "assets" / "student_tiny")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["teacher DDIM 2, g 5", "student 2 steps, g 5"]


def test_distill_length_benchmark_measures_a_student_per_snapshot():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "distill_length.py"), "--steps", "5", "--every", "2", "--corpus", "8", "8", "8", "8",
                        "--n", "4", "--teacher-steps", "2", "--slow-ema", "0.9"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.rsplit(maxsplit=9) for line in r.stdout.splitlines() if line.startswith(("teacher", "shipped", "step"))]
    assert [row[0] for row in rows] == ["teacher DDIM 2", "shipped student, 2 steps"] + [
        f"step {s}, {m}" for s in (2, 4, 5) for m in ("target", "slow EMA 0.9")]  # every --every steps and the last
    assert all(float(row[1]) >= 0 and all(0 <= float(x) <= 1 for x in row[2:] if x != "nan") for row in rows)  # FAD, then agreements
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "distill_length.py"), "--steps", "5", "--every", "6"], capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and "--every must be in 1..--steps" in r.stderr


def tiny_encoder_folder(folder: Path) -> str:
    "A BERT-like sentence encoder folder of random 8-d weights with MiniLM's tokenizer: a local encoder for the scripts."
    from transformers import BertConfig, BertModel
    from audiolcm.text import load_text_encoder
    BertModel(BertConfig(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)).save_pretrained(folder)
    load_text_encoder().tokenizer.save_pretrained(folder)
    return str(folder)


def test_encoder_probe_prints_a_table_per_encoder(tmp_path):
    folder = tiny_encoder_folder(tmp_path / "encoder")
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "encoder_probe.py"), "--encoder", folder, "--n-train", "600", "--n-test", "300"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [line.strip("|").split("|") for line in r.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row[0].strip() for row in rows] == [folder] + [f"fitted on the {p} phrasing, {w} wording" for p in ("training", "varied")
                                                          for w in ("training", "held-out")] + ["most frequent value (chance)"]
    assert all(0 <= float(x) <= 1 for row in rows[1:] for x in row[1:])
    assert "held-out / training wording (means):" in r.stdout


def test_encoder_swap_trains_a_teacher_that_the_guidance_benchmark_reads_with_its_encoder(tmp_path):
    folder = tiny_encoder_folder(tmp_path / "encoder")
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "encoder_swap.py"), "--encoder", folder, "--out", str(tmp_path / "run"),
                        "--steps", "2", "--corpus", "4", "8", "4", "4"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "8-d states" in r.stdout and "trained 2 steps" in r.stdout
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "encoder_swap.py"), "--encoder", folder, "--out", str(tmp_path / "run2"),
                        "--init", str(tmp_path / "run" / "teacher"), "--steps", "2", "--corpus", "4", "8", "4", "4"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]  # a next stage from the saved teacher
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "encoder_swap.py"), "--out", str(tmp_path / "run3"),
                        "--init", str(tmp_path / "run" / "teacher"), "--steps", "2"], capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and "pass --encoder" in r.stderr  # a teacher of another encoder than the one given
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "guidance_agreement.py"), "--n", "2", "--guidance", "5", "--teacher-steps", "2",
                        "--teacher", str(tmp_path / "run" / "teacher")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"text encoder {folder}" in r.stdout  # the teacher's own encoder, not the pipeline's
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("teacher", "student"))]
    assert [" ".join(row[:-8]) for row in rows] == ["teacher DDIM 2, g 5"]


def test_grow_depth_doubles_the_teacher_and_trains_it_on(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "grow_depth.py"), "--out", str(tmp_path / "run"), "--steps", "2",
                        "--corpus", "4", "8", "4", "4"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]  # it asserts that the grown teacher starts as the same function
    assert "depth 6 -> 12" in r.stdout and "trained 2 steps" in r.stdout
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "grow_depth.py"), "--init", str(tmp_path / "run" / "teacher"), "--no-grow",
                        "--out", str(tmp_path / "run2"), "--steps", "2", "--corpus", "4", "8", "4", "4"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "depth 12 -> 12" in r.stdout  # a next stage of the grown teacher


def test_student_sampling_benchmark_prints_a_row_per_sampler():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "student_sampling.py"), "--n", "6", "--seeds", "0", "1", "--teacher-steps", "2",
                        "--split", "valid"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("6 valid prompts, guidance 5, seeds [0, 1]")
    rows = {line[:46].strip(): line[46:].split() for line in r.stdout.splitlines()[2:-1]}
    assert list(rows) == ["ground truth", "teacher DDIM 2", "student 2 steps, even, renoise 1", "student 2 steps, even, renoise 0.5",
                          "student 2 steps, even, renoise 0", "student 2 steps, [999, 599], renoise 1", "student 2 steps, [999, 599], renoise 0",
                          "student 4 steps, even, renoise 1", "student 4 steps, even, renoise 0", "chance (another clip's labels)"]
    for name, cells in rows.items():  # FAD, its sd, then the agreement of each check type
        assert len(cells) == 6 and all(0 <= float(x) <= 1 for x in cells[2:] if x != "nan"), name
        if name.startswith(("teacher", "student")): assert 0 < float(cells[0]) < 1e4, name  # a measured, finite FAD


def test_level_offset_benchmark_chooses_a_gain_and_scores_both():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "level_offset.py"), "--n", "6", "--teacher-guidance", "5", "--student-guidance", "5",
                        "--seeds", "0", "1", "--teacher-steps", "2"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("6 prompts a split")
    rows = [(line[:24].strip(), line[24:].split()) for line in r.stdout.splitlines()[3:-1]]
    names = [name for name, _ in rows]
    assert names[-2:] == ["ground truth", "chance"]
    for model in ("teacher, guidance 5", "student, guidance 5"):  # the gain-0 row, then the chosen gain's if it is not 0
        mine = [cells for name, cells in rows if name == model]
        assert 1 <= len(mine) <= 2 and int(mine[0][3]) == 0 and all(-12 <= int(c[3]) <= 0 for c in mine)
        for cells in mine: assert len(cells) == 10 and all(0 <= float(x) <= 1 for x in cells[4:] if x != "nan"), cells  # all, loudness, guarded, 3 splits
    assert rows[-2][1][-2:] == ["1.000", "1.000"]  # the ground truth passes every check

"""The repository's own promises: layout, pins, docs config and README in sync with index.ipynb."""
import configparser
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import readme  # noqa: E402


def settings():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]


def test_layout():
    for name in ["nbs", "audiolcm", "settings.ini", "setup.py", "tests", "_quarto.yml", "README.md", "LICENSE", "constraints.txt"]:
        assert (ROOT / name).exists(), name


def test_settings_skip_heavy_cells_and_pin_toolchain():
    cfg = settings()
    assert set(cfg["tst_flags"].split()) == {"notest", "slow", "cuda"}
    assert cfg["update_pyproject"] == "False" and not (ROOT / "pyproject.toml").exists()
    pins = dict(l.split("==") for l in (ROOT / "constraints.txt").read_text().splitlines() if "==" in l and not l.startswith("#"))
    assert pins == {"nbdev": "2.4.14", "execnb": "0.1.18", "fastcore": "1.14.5", "ghapi": "1.1.1", "torch": "2.13.0",
                    # the offline docs site (make docs)
                    "smalldocs": "0.5.4", "markdown-it-py": "4.3.0", "mdit-py-plugins": "0.7.0", "Pygments": "2.21.0",
                    "latex2mathml": "3.81.1"}
    dev = cfg["dev_requirements"].split()
    for name in ("smalldocs", "latex2mathml"): assert any(r.startswith(name) for r in dev), f"{name} in dev_requirements"
    assert "==" not in cfg["requirements"], "library requirements stay ranges; pins live in constraints.txt"


def test_quarto_config_is_shared_with_nbs():
    link = ROOT / "nbs" / "_quarto.yml"
    assert link.is_symlink() and link.resolve() == (ROOT / "_quarto.yml").resolve()
    text = (ROOT / "_quarto.yml").read_text()
    assert "enabled: false" in text and "sidebar.yml" in text and "nbdev.yml" in text


def test_notebooks_are_numbered_and_export_existing_modules():
    notebooks = sorted((ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name[:2] for p in notebooks] == sorted(p.name[:2] for p in notebooks)
    assert len({p.name[:2] for p in notebooks}) == len(notebooks), "one notebook per number"
    for nb in notebooks:
        first = json.loads(nb.read_text())["cells"]
        exp = [l for c in first if c["cell_type"] == "code" for l in "".join(c["source"]).splitlines() if l.startswith("#| default_exp")]
        assert len(exp) <= 1, nb.name  # experiment notebooks (17_ablations) export nothing
        for line in exp:
            module = line.split()[-1]
            assert (ROOT / "audiolcm" / f"{module}.py").exists(), f"{nb.name} exports audiolcm/{module}.py"


def test_readme_is_generated_from_index():
    assert (ROOT / "README.md").read_text() == readme.render(), "README.md is out of date: run `make readme`"
    text = readme.render()
    assert "make run" in text and "make test" in text


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "make test" in (ROOT / "README.md").read_text()


def test_console_script_is_declared():
    assert "audiolcm=audiolcm.cli:main" in settings()["console_scripts"]
    script = Path(sys.executable).parent / "audiolcm"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "synth" in out.stdout


def test_docs_sidebar_lists_every_page_in_order():
    """The hand-kept sidebar (custom_sidebar = True, so nbdev_docs keeps it): index first, the numbered
    chapters in order, and every other page of nbs/ (the course, the benchmark tables) listed once."""
    assert settings()["custom_sidebar"] == "True", "custom_sidebar = False lets nbdev_docs rewrite sidebar.yml"
    sidebar = (ROOT / "nbs" / "sidebar.yml").read_text()
    listed = [l.strip()[2:] for l in sidebar.splitlines() if l.strip().startswith("- ")]
    chapters = sorted(p.name for p in (ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"))
    others = sorted(p.name for ext in ("ipynb", "md", "qmd") for p in (ROOT / "nbs").glob(f"*.{ext}")
                    if not p.name.startswith("_") and p.name not in chapters and p.name != "index.ipynb")
    assert listed[0] == "index.ipynb"
    assert [l for l in listed if l in chapters] == chapters, "every chapter, in number order"
    assert sorted(listed) == sorted(["index.ipynb"] + chapters + others), "each page of nbs/ once, nothing else"

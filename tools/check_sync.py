"""Fail when `nbdev_clean` or `nbdev_export` would change the tree: notebooks must be committed
clean, and audiolcm/ must be exactly what the notebooks export. Compares file contents before and
after running both, so it also works on a tree with uncommitted changes. Also fails on a notebook
that saves ipywidgets state (what Jupyter keeps of progress bars) that none of its outputs shows."""
import hashlib, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ["nbs", "audiolcm"]


def snapshot() -> dict:
    "Hash of every file under the watched folders, keyed by path."
    files = (p for d in WATCHED for p in (ROOT / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def orphan_widget_state() -> list[str]:
    "Notebooks whose metadata holds widget state while no output displays a widget."
    found = []
    for p in sorted((ROOT / "nbs").glob("*.ipynb")):
        nb = json.loads(p.read_text())
        views = any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
        if "widgets" in nb.get("metadata", {}) and not views: found.append(p.relative_to(ROOT).as_posix())
    return found


def main() -> int:
    bin_dir = Path(sys.executable).parent
    before = snapshot()
    for tool in ("nbdev_clean", "nbdev_export"):
        subprocess.run([str(bin_dir / tool)], cwd=ROOT, check=True)
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        print("nbdev_clean / nbdev_export changed these files; run `make export` and commit them:")
        print("\n".join("  " + c for c in changed))
        return 1
    if orphans := orphan_widget_state():
        print("these notebooks save widget state that no output shows (progress bars); delete metadata['widgets']:")
        print("\n".join("  " + o for o in orphans))
        return 1
    print(f"notebooks clean and library in sync ({len(after)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

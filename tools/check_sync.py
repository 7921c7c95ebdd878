"""Fail when `nbdev_clean` or `nbdev_export` would change the tree: notebooks must be committed
clean, and audiolcm/ must be exactly what the notebooks export. Compares file contents before and
after running both, so it also works on a tree with uncommitted changes."""
import hashlib, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ["nbs", "audiolcm"]


def snapshot() -> dict:
    "Hash of every file under the watched folders, keyed by path."
    files = (p for d in WATCHED for p in (ROOT / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


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
    print(f"notebooks clean and library in sync ({len(after)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

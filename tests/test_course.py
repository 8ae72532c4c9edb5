"""Every notebook's Colab badge and setup cell, and README's table, follow pyproject's [tool.ch11]."""

from __future__ import annotations

import json

import pytest

from utils import course

NOTEBOOKS = course.notebooks()


def test_there_are_notebooks_in_teaching_order():
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0].startswith("01_")
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_points_at_its_own_notebook(path):
    c = course.load_course()
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), "the first cell is the title cell"
    assert course.COLAB_BADGE in first, "the title cell carries the Colab badge"
    badge_lines = [ln for ln in first.splitlines() if course.COLAB_BADGE in ln]
    assert badge_lines == [f"{c.colab_badge(path.name)} {c.binder_badge(path.name)}"]
    assert f"/blob/{c.ref}/notebooks/{path.name})" in badge_lines[0]
    course.title_info(nb, path.name)  # goal and run time are present


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_follows_the_title_and_installs_at_the_fixed_ref(path):
    c = course.load_course()
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == c.setup_cell(), "the first code cell is the Colab setup cell"
    assert "--no-deps" in c.setup_cell() and f"@{c.ref}" in c.setup_cell()


def test_setup_cell_does_nothing_outside_colab():
    c = course.load_course()
    calls = []
    fake_subprocess = type("S", (), {"run": staticmethod(lambda *a, **k: calls.append(a))})
    import sys

    code = c.setup_cell().replace("import subprocess, sys\n", "")
    exec(code, {"subprocess": fake_subprocess, "sys": sys})
    assert calls == []
    fake_sys = type("Y", (), {"modules": {"google.colab": object()}, "executable": "python"})
    exec(code, {"subprocess": fake_subprocess, "sys": fake_sys})
    assert calls and calls[0][0][-1] == c.pip_url()


def test_readme_lists_every_notebook_with_its_badge():
    c = course.load_course()
    readme = (course.ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme
        assert c.colab_badge(path.name) in readme and c.binder_badge(path.name) in readme


def test_everything_is_in_step():
    assert course.sync(write=False) == [], "run `python -m utils.course sync`"

"""README is for the people who use the series, MAINTAINING.md for those who change it: README's
two commands stand on its first screen and it stays short; the generated tables and the sections
other tools read are there; every make target the two files name exists; CI runs README's test
command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

from tools import course

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAINTAINING = (ROOT / "MAINTAINING.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = README.splitlines()
    assert len(lines) < 200
    first_screen = "\n".join(lines[:30])
    assert "\nmake lab " in first_screen and "\nmake test " in first_screen


def test_readme_has_its_sections_and_generated_tables():
    for marker in (course.TABLE_START, course.TABLE_END, course.EXERCISES_START, course.EXERCISES_END,
                   "<!-- glossary:start -->", "<!-- glossary:end -->"):
        assert README.count(marker) == 1, marker
    headings = re.findall(r"^## (.+)$", README, re.M)
    for needed in ("Two commands", "소개 (Korean introduction)", "Notebooks", "용어 (Glossary)",
                   "연습문제와 풀이 (exercises and solutions)", "For lecturers", "Website, slides and handout"):
        assert needed in headings, needed
    assert "(MAINTAINING.md)" in README


def test_maintaining_has_the_recipes_and_the_release():
    for text in ("### A sentence", "### A setting", "### An exercise", "make refresh NB=02", "## Cutting a release",
                 "make release-check", "nbdime config-git --enable", "make bench", "make sync",
                 "benchmarks/goals.py", "## Data sources"):
        assert text in MAINTAINING, text


def test_every_make_target_the_docs_name_exists():
    targets = set(re.findall(r"^([\w-]+):", MAKEFILE, re.M))
    named = set(re.findall(r"`make ([\w-]+)", README + MAINTAINING)) | set(re.findall(r"^make ([\w-]+)", README, re.M))
    assert named and named <= targets, named - targets
    assert re.search(r"^refresh:.*\n(?:\t.*\n)*\t\$\(BIN\)/python -m tools.refresh \$\(NB\)$", MAKEFILE, re.M)


def test_ci_runs_the_readme_test_command_verbatim():
    (command,) = [ln.split("#")[0].strip() for ln in README.splitlines() if ln.startswith("make test ")]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in [ln.strip() for ln in ci]

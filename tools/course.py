"""Keep the series' links in step with the one place that says where it lives.

``pyproject.toml`` holds the repository (``[tool.ch11] repository``, "owner/name"
on GitHub) and the ref (tag or commit) that Colab installs ``utils`` from.
From them this module generates, in every notebook, the "Open in Colab" badge
of its title cell and its Colab setup cell, and README's table of notebooks.

    python -m utils.course sync     # rewrite badges, setup cells and README's table
    python -m utils.course check    # exit 1 if anything is out of step (used by the tests)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP_MARKER = "# Colab setup"
TABLE_START = "<!-- notebooks:start -->"
TABLE_END = "<!-- notebooks:end -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
GOAL_PREFIX = "**목표(goal):**"
TIME_PREFIX = "**실행 시간(run time):**"


@dataclass(frozen=True)
class Course:
    repository: str
    ref: str

    def colab_url(self, notebook: str) -> str:
        return f"https://colab.research.google.com/github/{self.repository}/blob/{self.ref}/notebooks/{notebook}"

    def binder_url(self, notebook: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.repository}/{self.ref}?labpath=notebooks%2F{notebook}"

    def colab_badge(self, notebook: str) -> str:
        return f"[![Open In Colab]({COLAB_BADGE})]({self.colab_url(notebook)})"

    def binder_badge(self, notebook: str) -> str:
        return f"[![Binder]({BINDER_BADGE})]({self.binder_url(notebook)})"

    def pip_url(self) -> str:
        return f"git+https://github.com/{self.repository}@{self.ref}"

    def setup_cell(self) -> str:
        return (
            f"{SETUP_MARKER}: on Colab, install this chapter's `utils` package from the repository\n"
            "# (--no-deps keeps Colab's own TensorFlow, Keras and ipywidgets); elsewhere it does nothing.\n"
            "import subprocess, sys\n"
            "if \"google.colab\" in sys.modules:\n"
            "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\", \"--no-deps\",\n"
            f"                    \"{self.pip_url()}\"], check=True)"
        )


def load_course(root: Path = ROOT) -> Course:
    """Read ``[tool.ch11]`` from ``pyproject.toml``."""
    with open(root / "pyproject.toml", "rb") as f:
        cfg = tomllib.load(f)["tool"]["ch11"]
    repo, ref = cfg["repository"], cfg["ref"]
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise ValueError(f"[tool.ch11] repository is {repo!r}; expected 'owner/name'")
    return Course(repo, ref)


def notebooks(root: Path = ROOT) -> list[Path]:
    """The series' notebooks, in teaching order (NN_name.ipynb)."""
    return sorted(p for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _set_src(cell: dict, text: str) -> None:
    lines = text.split("\n")
    cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]


def title_info(nb: dict, name: str) -> dict[str, str]:
    """Title, goal and run time from a notebook's first (markdown) cell."""
    first = nb["cells"][0]
    if first["cell_type"] != "markdown":
        raise ValueError(f"{name}: the first cell must be the markdown title cell")
    text = _src(first)
    title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), None)
    goal = next((ln[len(GOAL_PREFIX):].strip() for ln in text.splitlines() if ln.startswith(GOAL_PREFIX)), None)
    time = next((ln[len(TIME_PREFIX):].strip() for ln in text.splitlines() if ln.startswith(TIME_PREFIX)), None)
    missing = [k for k, v in {"'# title'": title, GOAL_PREFIX: goal, TIME_PREFIX: time}.items() if v is None]
    if missing:
        raise ValueError(f"{name}: the title cell lacks the line(s) {missing}")
    return {"title": title, "goal": goal, "time": time}


def sync_notebook(nb: dict, name: str, course: Course) -> list[str]:
    """Put the right badge and setup cell into ``nb`` in place; return what changed."""
    changes = []
    first = nb["cells"][0]
    text = _src(first)
    badge = f"{course.colab_badge(name)} {course.binder_badge(name)}"
    lines = text.split("\n")
    idx = [i for i, ln in enumerate(lines) if COLAB_BADGE in ln]
    if idx:
        if lines[idx[0]] != badge:
            lines[idx[0]] = badge
            changes.append("badge")
    else:
        lines.insert(1, badge)
        changes.append("badge")
    new = "\n".join(lines)
    if new != text:
        _set_src(first, new)
    setup = [c for c in nb["cells"] if c["cell_type"] == "code" and _src(c).startswith(SETUP_MARKER)]
    if not setup:
        raise ValueError(f"{name}: no code cell starting with {SETUP_MARKER!r}; add one right after the title")
    if _src(setup[0]) != course.setup_cell():
        _set_src(setup[0], course.setup_cell())
        changes.append("setup cell")
    return changes


def readme_table(course: Course, root: Path = ROOT) -> str:
    rows = ["| 노트북 (notebook) | 목표 (goal) | 실행 시간 (run time, 2-core CPU) | 열기 (open) |",
            "|---|---|---|---|"]
    for p in notebooks(root):
        info = title_info(json.loads(p.read_text(encoding="utf-8")), p.name)
        rows.append(f"| [{info['title']}](notebooks/{p.name}) | {info['goal']} | {info['time']} | "
                    f"{course.colab_badge(p.name)} {course.binder_badge(p.name)} |")
    return "\n".join(rows)


def sync(root: Path = ROOT, write: bool = True) -> list[str]:
    """Bring badges, setup cells and README's table in step; return what was (or would be) changed."""
    course = load_course(root)
    report = []
    for p in notebooks(root):
        nb = json.loads(p.read_text(encoding="utf-8"))
        changes = sync_notebook(nb, p.name, course)
        if changes:
            report.append(f"{p.name}: {', '.join(changes)}")
            if write:
                p.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"README.md lacks the markers {TABLE_START} and {TABLE_END}")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    new = f"{head}{TABLE_START}\n{readme_table(course, root)}\n{TABLE_END}{tail}"
    if new != text:
        report.append("README.md: table of notebooks")
        if write:
            readme.write_text(new, encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.course")
    parser.add_argument("command", choices=["sync", "check"])
    args = parser.parse_args(argv)
    report = sync(write=args.command == "sync")
    for line in report:
        print(("updated " if args.command == "sync" else "out of step: ") + line)
    return 1 if (report and args.command == "check") else 0


if __name__ == "__main__":
    sys.exit(main())

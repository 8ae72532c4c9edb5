"""Check the lessons' exercise sections: last in each lesson, unambiguous, and every checker they call exists and is tested.

    python -m tools.exercises check [--notebooks DIR]     # exit 1 and one line per problem

The exercise section of a lesson is written in the lesson itself: its cells, tagged ``exercises``,
begin with the one markdown heading "## 연습문제 (exercises)" and run to the end of the notebook.
This command changes nothing; it refuses, naming the cell:

- a cell tagged ``exercises`` before the section's heading (a stray tag), or an untagged cell
  after it (the section is not last);
- a second markdown cell starting with "## 연습문제", or a section without the heading;
- a ``check_...`` name the section calls that ``exercises`` does not have, or that no test in
  ``tests/test_exercises*.py`` names;
- an exercise of ``exercises.EXERCISES`` whose checker the section never calls.

:func:`headings` lists each lesson's exercises ("### 연습문제 N (가): title") for README's table.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = "exercises"
TITLE = "## 연습문제"
LESSONS = ("01", "02", "03", "04", "05", "06")
HEADING = re.compile(r"^###\s*연습문제\s*(\d+)\s*\(([^)]*)\)\s*[:：]\s*(.+)$", re.M)


class SectionError(ValueError):
    """An exercise section that is missing, ambiguous or not last; the message names the cell."""


def _tags(cell) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _is_heading(cell) -> bool:
    return cell.get("cell_type") == "markdown" and cell.get("source", "").lstrip().startswith(TITLE)


def section_range(nb, name: str = "<notebook>") -> range:
    """Indices of the exercise section's cells; SectionError when it is missing, ambiguous or not last."""
    cells = nb.cells
    headings = [i for i, c in enumerate(cells) if _is_heading(c)]
    tagged = [i for i, c in enumerate(cells) if TAG in _tags(c)]
    if not headings:
        raise SectionError(f"{name}: no markdown cell starts with {TITLE!r}; the exercise section begins with it")
    if len(headings) > 1:
        raise SectionError(f"{name}: cells {headings[0]} and {headings[1]} both start with {TITLE!r}; the section has "
                           f"one heading (rename the other, e.g. '## 연습문제 풀이' is not allowed either)")
    start = headings[0]
    stray = [i for i in tagged if i < start]
    if stray:
        raise SectionError(f"{name}: cell {stray[0]} is tagged {TAG!r} but comes before the section's heading "
                           f"(cell {start}); remove the tag or move the cell")
    untagged = [i for i in range(start, len(cells)) if TAG not in _tags(cells[i])]
    if untagged:
        raise SectionError(f"{name}: cell {untagged[0]} comes after the exercise heading (cell {start}) but is not "
                           f"tagged {TAG!r}; the section is the last part of the lesson, every cell of it tagged")
    return range(start, len(cells))


def _tested_names() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").glob("test_exercises*.py")))


def problems(folder: Path) -> list[str]:
    """Every problem of the lessons' exercise sections in ``folder`` (empty when all is well)."""
    import exercises as ex
    from tools.nbio import NotebookError, read_notebook

    tested = _tested_names()
    found = []
    for number in LESSONS:
        paths = sorted(folder.glob(f"{number}_*.ipynb"))
        if len(paths) != 1:
            found.append(f"{folder}: expected one notebook {number}_*.ipynb, found {len(paths)}")
            continue
        path = paths[0]
        try:
            nb = read_notebook(path)
            cells = section_range(nb, path.name)
        except (NotebookError, SectionError) as error:
            found.append(str(error))
            continue
        code = "\n".join(nb.cells[i].source for i in cells if nb.cells[i].cell_type == "code")
        for name in sorted(set(re.findall(r"\b(check_\w+)\s*\(", code))):
            if not callable(getattr(ex, name, None)):
                found.append(f"{path.name}: the section calls {name}, which exercises does not have")
            elif not re.search(rf"\b{name}\b", tested):
                found.append(f"{path.name}: {name} is called but no test in tests/test_exercises*.py names it")
        for exercise in ex.exercises_of(number):
            name = exercise.checker.__name__
            if name == "check_choice":
                if not re.search(rf"check_choice\(\s*['\"]{re.escape(exercise.label)}['\"]", code):
                    found.append(f"{path.name}: exercise {exercise.label} (check_choice) is not asked in the section")
            elif name not in code:
                found.append(f"{path.name}: exercise {exercise.label} ({name}) is not asked in the section")
            if not re.search(rf"\b{re.escape(exercise.answer)}\b", code):
                found.append(f"{path.name}: exercise {exercise.label}'s answer {exercise.answer!r} is not in the section")
    return found


def headings(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each lesson's exercises as (number, kind, title), from its "### 연습문제 N (가): title" headings."""
    from tools.nbio import read_notebook

    out = {}
    for number in LESSONS:
        paths = sorted(folder.glob(f"{number}_*.ipynb"))
        if len(paths) != 1:
            continue
        nb = read_notebook(paths[0])
        text = "\n".join(nb.cells[i].source for i in section_range(nb, paths[0].name)
                         if nb.cells[i].cell_type == "markdown")
        out[number] = [(m.group(1), m.group(2).strip(), m.group(3).strip()) for m in HEADING.finditer(text)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.exercises", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("check",))
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="folder holding 01_*.ipynb .. 06_*.ipynb (default: the repository's notebooks/)")
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        parser.error(f"--notebooks {args.notebooks} is not a folder")
    found = problems(args.notebooks)
    for line in found:
        print(line)
    print(f"exercise sections: {len(found)} problem(s)" if found else "exercise sections: all six are last, "
          "unambiguous and call only existing, tested checkers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

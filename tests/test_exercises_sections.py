"""tools.exercises: the lessons' exercise sections are last, unambiguous and call only existing, tested checkers;
the tool only reads (a stray tag or a second heading is refused by name, never cut out)."""

import hashlib

import nbformat
import pytest

from tools import exercises as tool
from tools.nbio import read_notebook, write_notebook
import exercises as ex

LESSONS = tool.ROOT / "notebooks"


def test_the_repositorys_sections_pass():
    assert tool.problems(LESSONS) == []
    assert tool.main(["check"]) == 0


def _lesson(tmp_path, number="02", section=True, extra=None):
    """A small lesson with a proper section that asks every exercise of lesson ``number``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {number}. lesson"), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("## 2. more"), nbformat.v4.new_code_cell("y = 2")]
    if section:
        calls = []
        for e in ex.exercises_of(number):
            args = f'"{e.label}", {e.answer}' if e.kind == "choice" else e.answer
            calls.append(f"{e.answer} = None\n{e.checker.__name__}({args})")
        cells = [nbformat.v4.new_markdown_cell("## 연습문제 (exercises)\n\nintro"),
                 nbformat.v4.new_markdown_cell("### 연습문제 1 (가): 첫 문제"),
                 nbformat.v4.new_code_cell("\n".join(calls))]
        for cell in cells:
            cell.metadata["tags"] = ["exercises"]
        nb.cells += cells
    for where, cell in extra or []:
        nb.cells.insert(where, cell)
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    for n in tool.LESSONS:
        copy = nbformat.from_dict(nb) if n == number else None
        if copy is None:
            copy = read_notebook(next(LESSONS.glob(f"{n}_*.ipynb")))
        write_notebook(copy, folder / f"{n}_lesson.ipynb")
    return folder


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def test_a_small_lesson_with_a_proper_section_passes(tmp_path):
    folder = _lesson(tmp_path)
    assert tool.problems(folder) == []


def test_a_stray_tag_is_refused_by_cell_and_nothing_is_written(tmp_path):
    folder = _lesson(tmp_path)
    nb = read_notebook(folder / "02_lesson.ipynb")
    nb.cells[1].metadata["tags"] = ["exercises"]
    write_notebook(nb, folder / "02_lesson.ipynb")
    before = _digest(folder)
    found = tool.problems(folder)
    assert len(found) == 1 and "cell 1 is tagged 'exercises'" in found[0] and "02_lesson.ipynb" in found[0]
    assert _digest(folder) == before                               # the notebook is not cut
    assert len(read_notebook(folder / "02_lesson.ipynb").cells) == 7
    assert tool.main(["check", "--notebooks", str(folder)]) == 1


def test_a_second_heading_is_refused_naming_both_cells(tmp_path):
    early = nbformat.v4.new_markdown_cell("## 연습문제 (exercises): an early copy")
    folder = _lesson(tmp_path, number="05", extra=[(1, early)])
    found = tool.problems(folder)
    assert any("cells 1 and" in line and "05_lesson.ipynb" in line for line in found), found


def test_an_untagged_cell_after_the_heading_means_the_section_is_not_last(tmp_path):
    folder = _lesson(tmp_path)
    nb = read_notebook(folder / "02_lesson.ipynb")
    nb.cells.append(nbformat.v4.new_code_cell("after = 1"))
    write_notebook(nb, folder / "02_lesson.ipynb")
    found = tool.problems(folder)
    assert any("cell 7 comes after the exercise heading" in line for line in found), found


def test_a_missing_section_and_a_missing_lesson_are_named(tmp_path):
    folder = _lesson(tmp_path, section=False)
    assert any("no markdown cell starts with" in line for line in tool.problems(folder))
    (folder / "06_lesson.ipynb").unlink()
    assert any("06_*.ipynb" in line for line in tool.problems(folder))


def test_unknown_untested_and_unasked_checkers_are_named(tmp_path):
    folder = _lesson(tmp_path)
    nb = read_notebook(folder / "02_lesson.ipynb")
    nb.cells[-1].source = nb.cells[-1].source.replace("check_sse_function(my_sse)", "check_sse_fnction(my_sse)")
    write_notebook(nb, folder / "02_lesson.ipynb")
    found = "\n".join(tool.problems(folder))
    assert "check_sse_fnction, which exercises does not have" in found
    assert "exercise 02-2 (check_sse_function) is not asked" in found


def test_damaged_lessons_are_named_not_tracebacks(tmp_path):
    folder = _lesson(tmp_path)
    (folder / "03_lesson.ipynb").write_text("{}", encoding="utf-8")
    found = tool.problems(folder)
    assert any("03_lesson.ipynb" in line and "not a notebook" in line for line in found), found


def test_headings_list_each_lessons_exercises():
    found = tool.headings(LESSONS)
    assert sorted(found) == list(tool.LESSONS)
    for number, items in found.items():
        assert 1 <= len(items) <= 5, number
        assert [n for n, _, _ in items] == [str(i) for i in range(1, len(items) + 1)]
        for _, kind, title in items:
            assert set(kind.replace(" ", "").split(",")) <= {"가", "나", "다"} and title


def test_derivations_are_marked_only_where_something_is_derived():
    """(가) headings ask to show or derive something; the others do not claim to."""
    for number in tool.LESSONS:
        nb = read_notebook(next(LESSONS.glob(f"{number}_*.ipynb")))
        for i in tool.section_range(nb):
            text = nb.cells[i].source
            m = tool.HEADING.search(text)
            if m and "가" in m.group(2):
                assert any(word in text for word in ("보이십시오", "유도", "종이")), (number, m.group(3))


def test_numeric_exercises_state_their_precision():
    """Each exercise with a number to give says how many decimals (or that it is an integer)."""
    for number in tool.LESSONS:
        nb = read_notebook(next(LESSONS.glob(f"{number}_*.ipynb")))
        blocks = {}
        for i in tool.section_range(nb):
            m = tool.HEADING.search(nb.cells[i].source)
            if m:
                blocks[m.group(1)] = nb.cells[i].source
        for e in ex.exercises_of(number):
            if e.kind in ("value", "experiment") and e.label != "01-5":
                text = blocks[e.label[3]]
                assert "자리까지" in text or "정수" in text, (number, e.label)


def test_solution_notebooks_pose_the_lessons_questions():
    """One solution notebook per lesson, with every question of the lesson's section word for word."""
    folder = LESSONS / "solutions"
    for number in tool.LESSONS:
        paths = sorted(folder.glob(f"{number}_*_solutions.ipynb"))
        assert len(paths) == 1, (number, paths)
        lesson = read_notebook(next(LESSONS.glob(f"{number}_*.ipynb")))
        markdown = [c.source for c in read_notebook(paths[0]).cells if c.cell_type == "markdown"]
        questions = [lesson.cells[i].source for i in tool.section_range(lesson)
                     if lesson.cells[i].source.startswith("### 연습문제")]
        assert questions, number
        for question in questions:
            assert question.replace("### 연습문제", "## 연습문제", 1) in markdown, (number, question[:40])


def test_solution_notebooks_are_judged_right_by_their_checkers():
    """Every checker call on the solution's own answer variable printed "정답입니다" in the stored outputs."""
    folder = LESSONS / "solutions"
    for number in tool.LESSONS:
        nb = read_notebook(next(folder.glob(f"{number}_*_solutions.ipynb")))
        text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                         if o.output_type == "stream")
        for e in ex.exercises_of(number):
            assert f"[{e.label}] 정답입니다" in text, (number, e.label)


@pytest.mark.parametrize("number", tool.LESSONS)
def test_lesson_sections_run_unanswered(number):
    """The committed lessons' sections printed "not answered yet" for every exercise (no answer, no traceback)."""
    nb = read_notebook(next(LESSONS.glob(f"{number}_*.ipynb")))
    outputs = [o for i in tool.section_range(nb) if nb.cells[i].cell_type == "code" for o in nb.cells[i].outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    for e in ex.exercises_of(number):
        assert f"[{e.label}] 아직 답하지 않았습니다" in text, (number, e.label)

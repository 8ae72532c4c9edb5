"""Every notebook's title cell, Colab setup cell and stored widget outputs (lessons and solution
notebooks), and README's tables of notebooks and exercises, follow pyproject's [tool.ch11] and the
lessons (tools/course.py); the setup cell explains a failed install; a damaged notebook stops the
sync with one line and nothing written; every rewrite keeps the file's mode."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import course

NOTEBOOKS = course.notebooks()
SERIES = course.series()   # the lessons and the solution notebooks


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_notebooks_in_teaching_order():
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0].startswith("01_")
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)]


def test_the_series_has_a_solution_notebook_per_lesson():
    lessons = [p.name[:2] for p in NOTEBOOKS]
    assert [p.name[:2] for p in course.solution_notebooks()] == lessons
    assert SERIES == NOTEBOOKS + course.solution_notebooks()


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_badge_points_at_its_own_notebook(path):
    c = course.load_course()
    nb = _nb(path)
    name = course.notebook_name(path)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), "the first cell is the title cell"
    lines = first.splitlines()
    assert lines[1] == f"{c.colab_badge(name)} {c.binder_badge(name)}", "badges follow the title"
    assert sum(course.COLAB_BADGE in ln for ln in lines) == 1
    assert f"/blob/{c.ref}/notebooks/{name})" in lines[1]
    assert f"labpath=notebooks%2F{name.replace('/', '%2F')})" in lines[1]
    course.title_info(nb, path.name)  # goal and run time are present


def test_badges_of_a_solution_notebook_name_its_folder():
    c = course.Course("owner/name", "v1")
    assert c.colab_url("solutions/02_x.ipynb").endswith("/blob/v1/notebooks/solutions/02_x.ipynb")
    assert c.binder_url("solutions/02_x.ipynb").endswith("?labpath=notebooks%2Fsolutions%2F02_x.ipynb")
    assert c.binder_url("02_x.ipynb").endswith("?labpath=notebooks%2F02_x.ipynb")


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_title_fields_render_as_separate_lines(path):
    # Markdown joins touching lines into one paragraph: each field is a list item, after a blank line.
    lines = "".join(_nb(path)["cells"][0]["source"]).splitlines()
    fields = [i for i, ln in enumerate(lines) if ln.lstrip("- ").startswith("**") and ":**" in ln]
    assert len(fields) >= 2
    for i in fields:
        assert lines[i].startswith("- **"), f"line {i + 1} {lines[i]!r} is not a list item"
    assert lines[fields[0] - 1] == "", "a blank line must separate the fields from the badge line"


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_one_nbformat_with_cell_ids(path):
    nb = _nb(path)
    assert (nb["nbformat"], nb["nbformat_minor"]) == course.NBFORMAT
    nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_stored_widgets_show_the_run_note_not_their_repr(path):
    # An untrusted notebook (a fresh clone), GitHub and nbviewer show the text/plain fallback.
    text = path.read_text(encoding="utf-8")
    assert "HBox(children=" not in text and "VBox(children=" not in text
    for cell in _nb(path)["cells"]:
        for out in cell.get("outputs", []):
            if course.WIDGET_VIEW in out.get("data", {}):
                assert "".join(out["data"]["text/plain"]) == course.WIDGET_NOTE
                # nbval compares text/plain (only the widget-view data is skipped), and a run
                # prints the widget's repr: such a cell must be tagged to skip the comparison.
                assert "nbval-ignore-output" in cell["metadata"].get("tags", []), "".join(cell["source"])[:60]


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_setup_cell_follows_the_title_and_installs_at_the_fixed_ref(path):
    c = course.load_course()
    code = [cell for cell in _nb(path)["cells"] if cell["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == c.setup_cell(), "the first code cell is the Colab setup cell"
    assert "--no-deps" in c.setup_cell() and f'install_utils("{c.repository}", "{c.ref}")' in c.setup_cell()


def test_readme_lists_every_notebook_with_its_badge():
    c = course.load_course()
    readme = (course.ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme
        assert c.colab_badge(path.name) in readme and c.binder_badge(path.name) in readme


def test_readme_lists_every_exercise_of_the_lessons():
    readme = (course.ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split(course.EXERCISES_START, 1)[1].split(course.EXERCISES_END, 1)[0]
    for path in NOTEBOOKS:
        found = course.exercise_headings(course.nbio.read_notebook(path), path.name)
        assert found, f"{path.name} has no exercise headings in its cells tagged 'exercises'"
        row = next(ln for ln in table.splitlines() if f"(notebooks/{path.name})" in ln)
        for number, kind, title in found:
            assert f"{number} ({kind}) {title}" in row


def test_everything_is_in_step():
    assert course.sync(write=False) == [], "run `python -m tools.course sync`"


# --- what sync does to a notebook ---------------------------------------------------------------

def _toy_notebook(title: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": title},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "# Colab setup: old",
         "outputs": []},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": "box", "outputs": [
            {"output_type": "execute_result", "execution_count": 2, "metadata": {},
             "data": {course.WIDGET_VIEW: {"model_id": "ab", "version_major": 2, "version_minor": 0},
                      "text/plain": ["HBox(children=(VBox(children=(FloatSlider(value=0.0, …"]}}]}]}


def test_sync_brings_a_notebook_into_form_and_is_idempotent():
    c = course.Course("owner/name", "v1.2.3")
    nb = _toy_notebook("# 09. Title\n**목표(goal):** a goal\n**선수 지식(prerequisites):** none\n"
                       "**실행 시간(run time):** 1 min\nMore text.")
    changes = course.sync_notebook(nb, "09_x.ipynb", c)
    assert changes == ["title cell", "setup cell", "widget note", "nbformat 4.5", "cell ids"]
    title = "".join(nb["cells"][0]["source"])
    assert title == ("# 09. Title\n" + f"{c.colab_badge('09_x.ipynb')} {c.binder_badge('09_x.ipynb')}\n\n"
                     "- **목표(goal):** a goal\n- **선수 지식(prerequisites):** none\n"
                     "- **실행 시간(run time):** 1 min\n\nMore text.")
    assert course.title_info(nb, "09_x.ipynb") == {"title": "09. Title", "goal": "a goal", "time": "1 min"}
    assert "".join(nb["cells"][2]["outputs"][0]["data"]["text/plain"]) == course.WIDGET_NOTE
    assert nb["cells"][2]["outputs"][0]["data"][course.WIDGET_VIEW]["model_id"] == "ab", "widget state kept"
    nbformat.validate(nbformat.from_dict(nb))
    again = copy.deepcopy(nb)
    assert course.sync_notebook(again, "09_x.ipynb", c) == [] and again == nb
    ids = [cell["id"] for cell in nb["cells"]]
    fresh = _toy_notebook("# 09. Title\n**목표(goal):** g\n**실행 시간(run time):** t")
    course.sync_notebook(fresh, "09_x.ipynb", c)
    assert [cell["id"] for cell in fresh["cells"]] == ids, "cell ids are deterministic"


def test_sync_keeps_existing_cell_ids_and_refuses_a_notebook_without_setup_cell():
    c = course.Course("owner/name", "v1")
    nb = _toy_notebook("# T\n**목표(goal):** g\n**실행 시간(run time):** t")
    nb["cells"][1]["id"] = "keep-me"
    course.sync_notebook(nb, "01_x.ipynb", c)
    assert nb["cells"][1]["id"] == "keep-me"
    del nb["cells"][1]
    with pytest.raises(ValueError, match="no code cell starting with '# Colab setup'"):
        course.sync_notebook(nb, "01_x.ipynb", c)


def test_sync_writes_atomically(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o664)
    course.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"], "no temporary file left behind"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664, "the file keeps its mode"


def test_exercise_headings_are_read_from_the_tagged_cells_only():
    nb = _toy_notebook("# 09. T: sub\n**목표(goal):** g\n**실행 시간(run time):** t")
    ex = {"tags": ["exercises"]}
    nb["cells"] += [
        {"cell_type": "markdown", "metadata": {}, "source": "### 연습문제 9 (가): not in the section"},
        {"cell_type": "markdown", "metadata": ex, "source": "## 연습문제 (exercises)\n\nintro"},
        {"cell_type": "markdown", "metadata": ex, "source": "### 연습문제 1 (가): first one\n\ntext"},
        {"cell_type": "code", "metadata": ex, "source": "### 연습문제 5 (가): a comment", "outputs": [],
         "execution_count": None},
        {"cell_type": "markdown", "metadata": ex, "source": "### 연습문제 2 (나, 다): second $p$ one"}]
    assert course.exercise_headings(nb, "09_x.ipynb") == [("1", "가", "first one"), ("2", "나, 다", "second $p$ one")]
    nb["cells"][-1]["source"] = "### 연습문제 3 (나): skipped a number"
    with pytest.raises(ValueError, match=r"numbered \[1, 3\]"):
        course.exercise_headings(nb, "09_x.ipynb")
    nb["cells"][-1]["source"] = "### 연습문제 2: no kind"
    with pytest.raises(ValueError, match=r"09_x.ipynb: cell 7: the heading '### 연습문제 2: no kind' does not read"):
        course.exercise_headings(nb, "09_x.ipynb")


def _toy_repo(tmp_path: Path, ref: str = "v1") -> Path:
    """A small repository: pyproject, README with both tables' markers, one lesson with an
    exercise section and its solution notebook."""
    repo = tmp_path / "repo"
    (repo / "notebooks" / "solutions").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(f'[tool.ch11]\nrepository = "o/n"\nref = "{ref}"\n')
    (repo / "README.md").write_text(f"x\n{course.TABLE_START}\n{course.TABLE_END}\n"
                                    f"{course.EXERCISES_START}\n{course.EXERCISES_END}\n")
    nb = _toy_notebook("# 01. T: sub\n**목표(goal):** g\n**실행 시간(run time):** t")
    nb["cells"].append({"cell_type": "markdown", "metadata": {"tags": ["exercises"]},
                        "source": "## 연습문제 (exercises)\n\n### 연습문제 1 (가): the one"})
    (repo / "notebooks" / "01_t.ipynb").write_text(json.dumps(nb))
    sol = _toy_notebook("# 01 풀이(solutions): T\n**목표(goal):** g\n**실행 시간(run time):** t")
    (repo / "notebooks" / "solutions" / "01_t_solutions.ipynb").write_text(json.dumps(sol))
    return repo


def test_sync_covers_the_solution_notebooks_and_the_exercise_table_and_keeps_modes(tmp_path):
    repo = _toy_repo(tmp_path)
    sol = repo / "notebooks" / "solutions" / "01_t_solutions.ipynb"
    lesson = repo / "notebooks" / "01_t.ipynb"
    sol.chmod(0o664)
    lesson.chmod(0o640)
    (repo / "README.md").chmod(0o600)
    report = course.sync(repo)
    assert report == ["01_t.ipynb: title cell, setup cell, widget note, nbformat 4.5, cell ids",
                      "solutions/01_t_solutions.ipynb: title cell, setup cell, widget note, nbformat 4.5, cell ids",
                      "README.md: table of notebooks, table of exercises"]
    assert stat.S_IMODE(sol.stat().st_mode) == 0o664 and stat.S_IMODE(lesson.stat().st_mode) == 0o640
    assert stat.S_IMODE((repo / "README.md").stat().st_mode) == 0o600
    c = course.Course("o/n", "v1")
    text = "".join(json.loads(sol.read_text())["cells"][0]["source"])
    assert text.splitlines()[1] == f"{c.colab_badge('solutions/01_t_solutions.ipynb')} " \
                                   f"{c.binder_badge('solutions/01_t_solutions.ipynb')}"
    assert "".join(json.loads(sol.read_text())["cells"][1]["source"]) == c.setup_cell()
    readme = (repo / "README.md").read_text()
    assert "| [01. T](notebooks/01_t.ipynb) | 1 (가) the one |" in readme
    assert course.sync(repo) == [], "a second sync changes nothing"
    assert sorted(p.name for p in (repo / "notebooks").iterdir()) == ["01_t.ipynb", "solutions"], "no temp files"


DAMAGES = {
    "no cell_type": lambda nb: nb["cells"][1].pop("cell_type"),
    "null source": lambda nb: nb["cells"][1].update(source=None),
    "empty object": lambda nb: nb.clear(),
    "outputs not a list": lambda nb: nb["cells"][2].update(outputs={}),
}


@pytest.mark.parametrize("damage", list(DAMAGES) + ["bad json", "bad utf-8"])
@pytest.mark.parametrize("which", ["lesson", "solution"])
def test_a_damaged_notebook_stops_sync_with_one_line_and_nothing_written(tmp_path, capsys, damage, which):
    repo = _toy_repo(tmp_path)
    course.sync(repo)
    (repo / "pyproject.toml").write_text('[tool.ch11]\nrepository = "o/n"\nref = "v2"\n')  # all out of step
    path = repo / "notebooks" / ("01_t.ipynb" if which == "lesson" else "solutions/01_t_solutions.ipynb")
    other = repo / "notebooks" / ("solutions/01_t_solutions.ipynb" if which == "lesson" else "01_t.ipynb")
    if damage == "bad json":
        path.write_text(path.read_text()[:-20])
    elif damage == "bad utf-8":
        path.write_bytes(path.read_bytes().replace(b"T", b"\xff", 1))
    else:
        nb = json.loads(path.read_text())
        DAMAGES[damage](nb)
        path.write_text(json.dumps(nb))
    before = {p: p.read_bytes() for p in (path, other, repo / "README.md")}
    with pytest.raises(course.nbio.NotebookError) as info:
        course.sync(repo)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    if damage in ("no cell_type", "null source", "outputs not a list"):
        assert "cell 1 (the 2nd)" in message or "cell 2 (the 3rd)" in message, message
    assert {p: p.read_bytes() for p in before} == before, "nothing written"
    # the command says the same in one line on stderr, exit 2
    assert course.main(["sync", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and path.name in err and err.startswith("course sync: ")
    assert {p: p.read_bytes() for p in before} == before


def test_the_command_reports_a_damaged_notebook_without_a_traceback(tmp_path):
    repo = _toy_repo(tmp_path)
    (repo / "notebooks" / "01_t.ipynb").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "tools.course", "check", "--root", str(repo)], capture_output=True,
                          text=True, timeout=300, cwd=course.ROOT)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"course check: {repo / 'notebooks' / '01_t.ipynb'}: not a notebook: no 'cells', 'metadata', 'nbformat', "
        f"'nbformat_minor' keys at the top level; restore it from git (git checkout -- "
        f"{repo / 'notebooks' / '01_t.ipynb'}) or repair it by hand"]


# --- [tool.ch11] is checked before it is written into code ------------------------------------

@pytest.mark.parametrize("ref", ['v1"); import os; os.system("x")  #', "", "-x", "../v1", "a..b", "v1/",
                                 "v1.lock", "v 1", "v1\n", "/v1", "a//b", None, 1.0, "é"])
def test_a_bad_ref_is_refused(ref):
    with pytest.raises(ValueError, match=r"\[tool.ch11\] ref in pyproject.toml is"):
        course.Course("owner/name", ref)


@pytest.mark.parametrize("repository", ["owner", "owner/name/x", "owner/na me", 'o/n"', "-o/n", "o/..", "",
                                        None, "https://github.com/o/n"])
def test_a_bad_repository_is_refused(repository):
    with pytest.raises(ValueError, match=r"\[tool.ch11\] repository in pyproject.toml is"):
        course.Course(repository, "v1")


@pytest.mark.parametrize("ref", ["v0.2.0", "main", "release/2026-fall", "a" * 40, "v1_rc.2"])
def test_good_refs_are_admitted(ref):
    assert course.Course("stat-ml-course/ch11-autoencoders", ref).ref == ref


def test_load_course_checks_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.ch11]\nrepository = "o/n"\nref = "v1\\"; x"\n')
    with pytest.raises(ValueError, match="ref in pyproject.toml is 'v1\"; x'"):
        course.load_course(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.other]\nx = 1\n')
    with pytest.raises(ValueError, match=r"lacks \[tool.ch11\]"):
        course.load_course(tmp_path)


# --- the setup cell, run as on Colab --------------------------------------------------------------

# Runs a setup cell's code with `google.colab` faked in sys.modules. With "fake-pip", pip fails for
# the release ref and succeeds for the default branch (no network needed); otherwise pip really runs.
COLAB_DRIVER = r"""
import subprocess, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
if sys.argv[2] == "fake-pip":
    def run(cmd, **kwargs):
        ok = "@" not in cmd[-1]
        return subprocess.CompletedProcess(cmd, 0 if ok else 1, "", "" if ok else "ERROR: no such ref")
    subprocess.run = run
exec(compile(open(sys.argv[1], encoding="utf-8").read(), "<setup cell>", "exec"), {"__name__": "__main__"})
"""


def _run_setup_cell(tmp_path: Path, c: course.Course, mode: str, env: dict | None = None):
    cell = tmp_path / "setup_cell.py"
    cell.write_text(c.setup_cell(), encoding="utf-8")
    return subprocess.run([sys.executable, "-c", COLAB_DRIVER, str(cell), mode], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_setup_cell_does_nothing_outside_colab():
    c = course.load_course()
    calls = []
    fake_subprocess = type("S", (), {"run": staticmethod(lambda *a, **k: calls.append(a))})
    code = c.setup_cell().replace("import subprocess, sys\n", "")
    exec(code, {"subprocess": fake_subprocess, "sys": sys})
    assert "google.colab" not in sys.modules and calls == []


def test_setup_cell_on_colab_explains_a_failed_install(tmp_path):
    # Real pip and git; github.com is rewritten (git's url.insteadOf) to a folder that does not
    # exist, so the result is the same with or without internet and nothing gets installed.
    c = course.Course("stat-ml-course/ch11-autoencoders", "v9.9.9-does-not-exist")
    rewrite = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.file://{tmp_path}/missing/.insteadOf",
               "GIT_CONFIG_VALUE_0": "https://github.com/", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = _run_setup_cell(tmp_path, c, "real-pip", rewrite)
    out, err = done.stdout, done.stderr
    assert done.returncode != 0, "the cell must stop a Run All when nothing could be installed"
    assert f"install failed: {c.pip_url()}\n" in out and f"install failed: {c.pip_url('')}\n" in out, out
    last = err.strip().splitlines()
    assert last[-2].startswith("RuntimeError: github.com/stat-ml-course/ch11-autoencoders에서 utils를 설치하지 못했습니다")
    assert "v9.9.9-does-not-exist" in last[-2] and "기본 브랜치" in last[-2]
    assert last[-1].startswith("Could not install utils from github.com/stat-ml-course/ch11-autoencoders "
                               "(ref v9.9.9-does-not-exist, then the default branch)")
    assert "offline or the ref does not exist" in last[-1] and "run this cell again" in last[-1]
    assert "CalledProcessError" not in err


def test_setup_cell_on_colab_falls_back_to_the_default_branch_and_names_the_device(tmp_path):
    c = course.Course("stat-ml-course/ch11-autoencoders", "v9.9.9-does-not-exist")
    done = _run_setup_cell(tmp_path, c, "fake-pip")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == f"설치 실패 / install failed: {c.pip_url()}"
    assert f"utils: {c.pip_url('')} (기본 브랜치 / default branch, not v9.9.9-does-not-exist)" in lines
    device = [ln for ln in lines if ln.startswith("TensorFlow device: ")]
    assert device and (device[0].endswith("Runtime > Change runtime type)") or "CPU" not in device[0])


# --- release check ------------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _release_repo(tmp_path: Path, ref: str) -> Path:
    """A small repository with one notebook in step with [tool.ch11] and a tag on HEAD."""
    repo = _toy_repo(tmp_path, ref)
    course.sync(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "release")
    _git(repo, "tag", ref)
    return repo


def test_release_check_reports_an_unreachable_github_clearly(tmp_path, monkeypatch):
    repo = _release_repo(tmp_path, "v1.0.0")
    # github.com rewritten to a missing local folder fails as a missing repository, not as offline;
    # an unroutable proxy makes it fail as the network would.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    with pytest.raises(course.ReleaseCheckError, match="cannot reach github.com") as info:
        course.release_check(repo, timeout=60)
    assert info.value.offline and "0 local problem(s)" in str(info.value)


def test_release_check_finds_a_moved_tag_and_an_out_of_step_notebook(tmp_path, monkeypatch):
    repo = _release_repo(tmp_path, "v1.0.0")
    (repo / "later.txt").write_text("x")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "later")
    nb_path = repo / "notebooks" / "01_t.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][1]["source"] = "# Colab setup: edited by hand"
    nb_path.write_text(json.dumps(nb))
    # The public repository: a local bare clone stands in for github.com/o/n.
    remote = tmp_path / "remote"
    remote.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote / "n")], check=True)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{remote}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://github.com/o/")
    problems = course.release_check(repo)
    assert len(problems) == 2, problems
    assert problems[0].startswith("out of step (run `python -m tools.course sync` and commit): 01_t.ipynb: setup cell")
    assert "v1.0.0 points at" in problems[1] and "the commit being released (HEAD)" in problems[1]
    _git(repo, "checkout", "-q", "--", ".")
    _git(repo, "checkout", "-q", "v1.0.0")
    assert course.release_check(repo) == []
    _git(repo, "tag", "-d", "v1.0.0")
    _git(repo, "tag", "v2.0.0")
    (repo / "pyproject.toml").write_text('[tool.ch11]\nrepository = "o/n"\nref = "v2.0.0"\n')
    course.sync(repo)
    problems = course.release_check(repo)
    assert problems[-1].startswith("the ref 'v2.0.0' does not exist on https://github.com/o/n: push it first")

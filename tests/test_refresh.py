"""tools/refresh.py on a scratch repository (never the committed notebooks): it runs a notebook in
place, syncs it, checks it under strict nbval, names the other notebooks that read a changed
setting and the sentences whose numbers went stale; and the quoted-number rules themselves."""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
from pathlib import Path

import nbformat
import pytest

from tools import course, refresh

ROOT = Path(__file__).resolve().parent.parent


def _cells(*cells) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(src) if kind == "md" else
                                         nbformat.v4.new_code_cell(src) for kind, src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _title(number: str) -> tuple[str, str]:
    return "md", f"# {number}. Toy: a lesson\n**목표(goal):** g\n**실행 시간(run time):** 약 1초"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A scratch repository: two lessons reading recipes.EPOCHS, committed with git."""
    repo = tmp_path / "repo"
    (repo / "notebooks" / "solutions").mkdir(parents=True)
    (repo / "utils").mkdir()
    (repo / "utils" / "__init__.py").write_text("")
    (repo / "utils" / "recipes.py").write_text("EPOCHS = 3\nRATE = 0.5\n")
    (repo / "pyproject.toml").write_text('[tool.ch11]\nrepository = "o/n"\nref = "v1"\n')
    (repo / "README.md").write_text(f"x\n{course.TABLE_START}\n{course.TABLE_END}\n"
                                    f"{course.EXERCISES_START}\n{course.EXERCISES_END}\n")
    lesson = _cells(_title("01"), ("code", "# Colab setup: later"),
                    ("code", "from utils import recipes\nprint(f'loss {recipes.EPOCHS * 1.5:.2f} after "
                             "{recipes.EPOCHS * 1000} steps')"),
                    ("md", "## Reading\n\nThe loss is 4.50 after 3000 steps. Adam's beta is 0.999 by default."))
    lesson.cells[2].execution_count = 2   # as a run with EPOCHS = 3 left it
    lesson.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="loss 4.50 after 3000 steps\n")]
    nbformat.write(lesson, str(repo / "notebooks" / "01_toy.ipynb"))
    other = _cells(_title("02"), ("code", "# Colab setup: later"),
                   ("code", "from utils import recipes\nprint(recipes.EPOCHS)"))
    nbformat.write(other, str(repo / "notebooks" / "02_other.ipynb"))
    assert course.main(["sync", "--root", str(repo)]) == 0
    (repo / "notebooks" / "01_toy.ipynb").chmod(0o664)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "toy")
    return repo


USERS = {"EPOCHS": ("01", "02"), "RATE": ()}


def _refresh(repo: Path, *names: str, nbval: bool = True) -> tuple[int, str]:
    out = io.StringIO()
    code = refresh.refresh(list(names), repo, timeout=120, nbval=nbval, out=out, users=USERS)
    return code, out.getvalue()


def test_refresh_after_a_changed_setting_names_the_other_notebook_and_the_stale_sentence(repo, capsys):
    path = repo / "notebooks" / "01_toy.ipynb"
    (repo / "utils" / "recipes.py").write_text("EPOCHS = 4\nRATE = 0.5\n")
    code, text = _refresh(repo, "01")
    assert code == 1, text + capsys.readouterr().err
    nb = json.loads(path.read_text())
    assert "loss 6.00 after 4000 steps" in "".join(nb["cells"][2]["outputs"][0]["text"])
    assert [c.get("execution_count") for c in nb["cells"]] == [None, 1, 2, None]
    assert "execution" not in nb["cells"][2]["metadata"], "no timing metadata"
    assert stat.S_IMODE(path.stat().st_mode) == 0o664, "the file keeps its mode"
    assert "refresh: nbval: " in text and "passed" in text
    assert "  EPOCHS: 3 -> 4; read by 01, 02" in text
    assert "  02 (EPOCHS): make refresh NB=02" in text
    # the number the outputs no longer show, and a decimal no output shows
    assert ("  01 cell 3 (the 4th), under '## Reading': 4.50, 3000, 0.999\n"
            "      « The loss is 4.50 after 3000 steps. »\n"
            "      « Adam's beta is 0.999 by default. »\n") in text
    assert "01: ran in" in text and "its title cell says: 약 1초" in text
    assert course.sync(repo, write=False) == [], "sync ran after the execution"


def test_refresh_with_nothing_changed_has_nothing_to_read(repo):
    refresh.QUOTED_SETTINGS["01"] = {"0.999": "Adam's default beta_2 (a scratch entry)"}
    try:
        code, text = _refresh(repo, "02", nbval=False)
    finally:
        del refresh.QUOTED_SETTINGS["01"]
    assert code == 0, text
    assert "Settings: utils/recipes.py is as at HEAD." in text
    assert "02: every quoted number is in the outputs." in text and "nothing to read" in text


def test_a_failing_cell_leaves_the_notebook_unchanged(repo, capsys):
    (repo / "utils" / "recipes.py").write_text("RATE = 0.5\n")     # EPOCHS removed: the cell fails
    path = repo / "notebooks" / "01_toy.ipynb"
    before = path.read_bytes()
    code, _ = _refresh(repo, "01")
    err = capsys.readouterr().err
    assert code == 3
    assert "01_toy.ipynb: cell 2 (the 3rd) raised AttributeError" in err and "is unchanged" in err
    assert path.read_bytes() == before


def test_unknown_or_damaged_notebooks_change_nothing(repo, capsys):
    assert _refresh(repo, "07")[0] == 2
    assert "NB='07' names no notebook" in capsys.readouterr().err
    (repo / "notebooks" / "02_other.ipynb").write_text('{"cells": [{"source": null}]}')
    before = (repo / "notebooks" / "01_toy.ipynb").read_bytes()
    assert _refresh(repo)[0] == 2
    err = capsys.readouterr().err
    assert "02_other.ipynb: not a notebook" in err and "nothing was changed" in err
    assert (repo / "notebooks" / "01_toy.ipynb").read_bytes() == before


def test_select_names():
    keys = refresh.select(["02", "02-solutions", "notebooks/06_applications.ipynb", "04_variational_autoencoder"])
    assert [p.relative_to(ROOT).as_posix() for p in keys] == [
        "notebooks/02_autoencoder.ipynb", "notebooks/solutions/02_autoencoder_solutions.ipynb",
        "notebooks/06_applications.ipynb", "notebooks/04_variational_autoencoder.ipynb"]
    assert len(refresh.select([])) == len(course.series())


def test_changed_settings_against_head(repo):
    assert refresh.changed_settings(repo) == {}
    (repo / "utils" / "recipes.py").write_text("EPOCHS = 4\nNEW = (1, 2)\n")
    assert refresh.changed_settings(repo) == {"EPOCHS": (3, 4), "RATE": (0.5, None), "NEW": (None, (1, 2))}
    shutil.rmtree(repo / ".git")
    assert "not checked" in refresh.changed_settings(repo)


# --- the quoted-number rules ----------------------------------------------------------------------

def _nb(markdown: str, printed: str):
    return nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": markdown},
            {"cell_type": "code", "id": "b", "metadata": {}, "source": "x", "execution_count": 1,
             "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]}]})


@pytest.mark.parametrize("markdown, printed, flagged", [
    ("SSE 0.297 of PCA's", "ratio 0.297\n", []),
    ("SSE 0.30 of PCA's", "ratio 0.3\n", []),                       # the same value
    ("about 0.87", "ink 0.874\n", ["0.87"]),                         # a rounded reading is not the output
    ("−145.31 nats에서", "-145.31\n", []),
    ("1.5배 빠르다", "x 2.0\n", ["1.5"]),                            # Korean particles follow numbers
    ("release v0.2.0, [link](https://x.org/1.5/a) and 3,750 steps", "3750\n", []),
])
def test_unquoted_decimals(markdown, printed, flagged):
    found = refresh.unquoted_decimals(_nb(markdown, printed), "99")
    assert [n for s in found for n in s.numbers] == flagged


def test_lost_numbers_catch_integers_that_the_outputs_no_longer_show():
    before, after = _nb("in 3,750 steps and 12 s", "steps 3750, 12 s\n"), _nb("in 3,750 steps and 12 s", "steps 5000, 12 s\n")
    (stale,) = refresh.lost_numbers(before, after, "99")
    assert stale.numbers == ["3,750"] and stale.sentences == ["in 3,750 steps and 12 s"]

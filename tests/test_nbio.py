"""tools/nbio.py: a damaged notebook gives one line naming the file and the cell; writes are
atomic and keep the file's mode; execution runs a clean kernel in the notebook's folder, in
memory, in default or quick mode."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import nbformat
import pytest

from tools import nbio
from tools.course import notebooks

ROOT = Path(__file__).resolve().parent.parent
SERIES = notebooks() + sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _good() -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_code_cell("x = 1", execution_count=1, outputs=[
                                             nbformat.v4.new_output("stream", name="stdout", text="1\n")])])
    return json.loads(nbformat.writes(nb))


def _damaged(change) -> dict:
    nb = _good()
    change(nb)
    return nb


# (case, file content, words the one-line message must contain)
DAMAGE = [
    ("bad utf-8", b'{"cells": [\xff]}', ["not UTF-8", "line 1"]),
    ("empty file", b"", ["empty"]),
    ("bad json", b'{"cells": [', ["not valid JSON", "line 1"]),
    ("json list", b"[]", ["holds a list", "not a notebook"]),
    ("empty object", b"{}", ["not a notebook", "'cells'"]),
    ("no cells", _damaged(lambda nb: nb.pop("cells")), ["no 'cells' key"]),
    ("cells not a list", _damaged(lambda nb: nb.update(cells={})), ["'cells' is an object"]),
    ("nbformat 3", _damaged(lambda nb: nb.update(nbformat=3)), ["nbformat 3", "version 4"]),
    ("cell not an object", _damaged(lambda nb: nb["cells"].append("x = 1")), ["cell 2 (the 3rd)", "a string"]),
    ("no cell_type", _damaged(lambda nb: nb["cells"][1].pop("cell_type")), ["cell 1 (the 2nd)", "no 'cell_type'"]),
    ("unknown cell_type", _damaged(lambda nb: nb["cells"][0].update(cell_type="heading")),
     ["cell 0 (the 1st)", "'heading'"]),
    ("source null", _damaged(lambda nb: nb["cells"][1].update(source=None)), ["cell 1", "'source' is null"]),
    ("source a number", _damaged(lambda nb: nb["cells"][0].update(source=3)), ["cell 0", "'source' is a number"]),
    ("source list of numbers", _damaged(lambda nb: nb["cells"][0].update(source=[1, 2])),
     ["cell 0", "non-string items"]),
    ("no source", _damaged(lambda nb: nb["cells"][0].pop("source")), ["cell 0", "no 'source'"]),
    ("metadata a list", _damaged(lambda nb: nb["cells"][1].update(metadata=[])), ["cell 1", "'metadata' is a list"]),
    ("outputs not a list", _damaged(lambda nb: nb["cells"][1].update(outputs={"text": "1"})),
     ["cell 1", "'outputs' is an object"]),
    ("outputs null", _damaged(lambda nb: nb["cells"][1].update(outputs=None)), ["cell 1", "'outputs' is null"]),
    ("output a string", _damaged(lambda nb: nb["cells"][1].update(outputs=["1"])), ["cell 1", "output 0"]),
    ("output without type", _damaged(lambda nb: nb["cells"][1]["outputs"][0].pop("output_type")),
     ["cell 1", "output 0", "'output_type' None"]),
    ("execution_count a string", _damaged(lambda nb: nb["cells"][1].update(execution_count="one")),
     ["cell 1 (the 2nd)", "execution_count", "schema"]),
    ("notebook metadata a list", _damaged(lambda nb: nb.update(metadata=[])), ["'metadata' is a list"]),
]


@pytest.mark.parametrize("case, content, words", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_notebook_gives_one_line_naming_file_and_cell(tmp_path, monkeypatch, case, content, words):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "notebooks" / "02_damaged.ipynb"
    path.parent.mkdir()
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    with pytest.raises(nbio.NotebookError) as info:
        nbio.read_notebook(path)
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith("notebooks/02_damaged.ipynb: "), message
    for word in words:
        assert word in message, message
    assert isinstance(info.value, ValueError)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(nbio.NotebookError, match="no such notebook"):
        nbio.read_notebook(tmp_path / "nope.ipynb")
    with pytest.raises(nbio.NotebookError, match="is a folder"):
        nbio.read_notebook(tmp_path)


def test_missing_cell_ids_are_not_an_error_when_reading(tmp_path):
    # tools.course sync adds the ids; refusing them here would stop the repair
    nb = _good()
    nb["nbformat_minor"] = 5
    for cell in nb["cells"]:
        cell.pop("id", None)
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(nb))
    assert "id" not in nbio.read_notebook(path).cells[0]


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_every_notebook_of_the_series_reads_and_writes_back_byte_for_byte(path):
    nb = nbio.read_notebook(path)
    assert nbio.notebook_text(nb) == path.read_text(encoding="utf-8")


# --- writing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600, 0o755])
def test_write_keeps_the_file_mode(tmp_path, mode):
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(_good()))
    path.chmod(mode)
    nb = nbio.read_notebook(path)
    nb.cells[0].source = "# Changed"
    nbio.write_notebook(nb, path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert nbio.read_notebook(path).cells[0].source == "# Changed"


def test_a_new_file_gets_0644_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        nbio.write_notebook(_good(), tmp_path / "new.ipynb")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.ipynb").stat().st_mode) == 0o644


def test_write_follows_a_symlink_and_keeps_it(tmp_path):
    real = tmp_path / "real.ipynb"
    real.write_text(json.dumps(_good()))
    link = tmp_path / "link.ipynb"
    link.symlink_to(real)
    nb = _good()
    nb["cells"][0]["source"] = "# Via the link"
    nbio.write_notebook(nb, link)
    assert link.is_symlink() and "Via the link" in real.read_text()


def test_an_invalid_notebook_is_not_written_and_the_file_stays(tmp_path):
    path = tmp_path / "a.ipynb"
    before = json.dumps(_good())
    path.write_text(before)
    bad = _good()
    bad["cells"][1]["source"] = None
    with pytest.raises(nbio.NotebookError, match=r"a.ipynb: cell 1 .*'source' is null"):
        nbio.write_notebook(bad, path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb"], "no temporary file left"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.ipynb"
    before = json.dumps(_good())
    path.write_text(before)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nbio.os, "replace", full_disk)
    with pytest.raises(nbio.NotebookError, match="No space left on device.*unchanged"):
        nbio.write_notebook(_good(), path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb"]


def test_a_read_only_folder_gives_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(nbio.NotebookError, match="cannot write into"):
            nbio.write_notebook(_good(), folder / "a.ipynb")
    finally:
        folder.chmod(0o755)


def test_written_text_is_nbformats_canonical_json(tmp_path):
    nb = _good()
    nb["cells"][0]["source"] = "# 제목\nline two"
    nbio.write_notebook(nb, tmp_path / "a.ipynb")
    text = (tmp_path / "a.ipynb").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "제목" in text
    assert '"source": [\n    "# 제목\\n",\n    "line two"\n   ]' in text
    assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"


# --- executing ------------------------------------------------------------------------------------

def _runnable(tmp_path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / "sub" / "run.ipynb"
    path.parent.mkdir()
    nbio.write_notebook(nb, path)
    return path


PROBE = "import os\nprint(os.getcwd(), os.environ.get('CH11_QUICK', 'unset'), os.environ.get('NBIO_PROBE', '-'))"


def test_execute_runs_in_the_notebooks_folder_in_default_mode_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CH11_QUICK", "1")    # the default mode removes it
    path = _runnable(tmp_path, PROBE)
    before = path.read_bytes()
    nb = nbio.execute_notebook(path, timeout=120)
    assert nb.cells[0].outputs[0]["text"].split() == [str(path.parent.resolve()), "unset", "-"]
    assert path.read_bytes() == before
    assert "execution" not in nb.cells[0].metadata, "no timing metadata"
    assert nb.cells[0].execution_count == 1


def test_execute_quick_mode_env_and_cwd(tmp_path):
    path = _runnable(tmp_path, PROBE)
    nb = nbio.execute_notebook(path, quick=True, timeout=120, cwd=tmp_path, env={**os.environ, "NBIO_PROBE": "yes"})
    assert nb.cells[0].outputs[0]["text"].split() == [str(tmp_path), "1", "yes"]


def test_a_failing_cell_names_file_cell_and_error_and_keeps_the_partial_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _runnable(tmp_path, "print('first')", "raise ValueError('bad value\\nsecond line')", "print('never')")
    with pytest.raises(nbio.NotebookExecutionError) as info:
        nbio.execute_notebook(path, timeout=120)
    err = info.value
    assert str(err) == "sub/run.ipynb: cell 1 (the 2nd) raised ValueError: bad value second line"
    assert err.cell == 1 and err.notebook.cells[0].outputs[0]["text"] == "first\n"
    assert err.notebook.cells[2].outputs == []


def test_a_cell_past_the_timeout_is_a_clear_failure(tmp_path):
    path = _runnable(tmp_path, "x = 1", "import time\ntime.sleep(60)", "print('not reached')")
    with pytest.raises(nbio.NotebookExecutionError, match=r"cell 1 \(the 2nd\) did not finish within 3 s") as info:
        nbio.execute_notebook(path, timeout=3)
    assert info.value.cell == 1 and info.value.seconds < 50


def test_execute_refuses_bad_arguments_and_damaged_files(tmp_path):
    path = _runnable(tmp_path, "x = 1")
    for timeout in (0, -1, 2.5, True, "60"):
        with pytest.raises(ValueError, match="timeout="):
            nbio.execute_notebook(path, timeout=timeout)
    with pytest.raises(ValueError, match="cwd=.*not a folder"):
        nbio.execute_notebook(path, cwd=tmp_path / "missing")
    (tmp_path / "broken.ipynb").write_text("{}")
    with pytest.raises(nbio.NotebookError, match="not a notebook"):
        nbio.execute_notebook(tmp_path / "broken.ipynb")

"""benchmarks' quick-mode, nbval and first-epoch measurements: the parsers on real executed output.

A tiny notebook is executed with the bench's own runner (``run_notebook``, a real kernel): it
prints a test-ELBO line and per-epoch progress lines through the series' own
``utils.training.ProgressLine`` with a slow first epoch. The parsers read that executed copy; the
kept copy must be a complete notebook. The nbval runner is checked on a notebook that passes
strict nbval and on one that fails it (a failure is recorded, not raised). The committed
notebooks' stored progress lines are parsed as well.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest

from benchmarks.epochs import MIN_JUDGED_EPOCH_STEPS, epoch_summary, per_epoch, training_runs
from benchmarks.notebook_outputs import ELBO_NOTEBOOK, vae_elbo_from_notebook, vae_elbo_or_error
from benchmarks.notebook_timing import (NBVAL_ARGS, cell_seconds, committed_notebooks, nbval_notebook,
                                        pytest_counts, run_notebook)

REPO = Path(__file__).resolve().parents[1]

TINY_CELLS = [
    f"import sys, time\nsys.path.insert(0, {str(REPO)!r})\nfrom utils.training import ProgressLine",
    "print('test ELBO, p = 2: -158.23 nats')",
    # a training of 4 epochs seen through the series' progress callback: a 3-s first epoch, then 1-s ones
    "line = ProgressLine(4)\nline.on_train_begin()\n"
    "for epoch, pause in enumerate([3.2, 1.0, 1.0, 1.0]):\n"
    "    time.sleep(pause)\n    line.on_epoch_end(epoch, {'loss': 10.0 / (epoch + 1)})",
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in TINY_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "07_tiny.ipynb"
    nbformat.write(nb, str(path))
    keep = folder / "executed"
    timing, executed = run_notebook(path, keep_copy_in=keep)
    assert timing["ok"], timing
    return timing, executed, keep / path.name, path


def test_quick_elbo_is_read_from_a_real_run(tiny_run):
    _, executed, _, _ = tiny_run
    assert vae_elbo_from_notebook(executed) == -158.23
    assert vae_elbo_or_error(executed, {"ok": True}) == {"test_elbo": -158.23}


def _printing(nb, text: str):
    nb = copy.deepcopy(nb)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return nb


@pytest.mark.parametrize("text, message", [
    ("nothing\n", "found 0 lines 'test ELBO, p = 2: <number> nats'"),
    ("test ELBO, p = 2: -158.23 nats\ntest ELBO, p = 2: -150.00 nats\n", "found 2 lines"),
    ("test ELBO, p = 2: n/a nats\n", "printed as 'n/a'; expected a number"),
    ("test ELBO, p = 2: 12.5 nats\n", "is 12.5; expected a finite number <= 0"),
])
def test_quick_elbo_missing_or_malformed_is_an_error(tiny_run, text, message):
    _, executed, _, _ = tiny_run
    with pytest.raises(ValueError, match=re.escape(message)):
        vae_elbo_from_notebook(_printing(executed, text))
    recorded = vae_elbo_or_error(_printing(executed, text), {"ok": True})
    assert list(recorded) == ["error"] and message in recorded["error"] and ELBO_NOTEBOOK in recorded["error"]
    assert vae_elbo_or_error(executed, {"ok": False, "error": "boom"}) == {
        "error": f"{ELBO_NOTEBOOK} did not run cleanly (boom); no ELBO recorded"}


def test_progress_lines_of_a_real_run(tiny_run):
    _, executed, _, _ = tiny_run
    (run,) = training_runs(executed)
    assert run["cell"] == 2 and run["run"] == 1 and run["planned_epochs"] == 4 and run["epochs"] == 4
    assert run["resolution"] == 1.0                      # ProgressLine prints whole seconds
    assert run["cumulative_seconds"] == [3.0, 4.0, 5.0, 6.0]
    assert run["epoch_seconds"] == [3.0, 1.0, 1.0, 1.0]
    assert run["first_epoch_ratio"] == 3.0
    assert run["judged"] is False                        # 1-s epochs are below 5 x the 1-s resolution


def test_the_kept_copy_is_a_complete_executed_notebook(tiny_run):
    timing, executed, kept, source = tiny_run
    nb = nbformat.read(str(kept), as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == TINY_CELLS
    assert [c.execution_count for c in nb.cells] == [1, 2, 3]
    assert training_runs(nb) == training_runs(executed) and vae_elbo_from_notebook(nb) == -158.23
    assert not any("execution" in c.metadata for c in nb.cells)   # no timing metadata in a copy meant for git
    assert all(c.outputs == [] for c in nbformat.read(str(source), as_version=4).cells)   # source untouched
    assert timing["seconds"] > 3.2 + 3 * 1.0


def test_epoch_summary_judging():
    slow_first = epoch_summary([12.0, 18.0, 24.0, 30.0], resolution=1.0)
    assert slow_first["epoch_seconds"] == [12.0, 6.0, 6.0, 6.0]
    assert slow_first["first_epoch_ratio"] == 2.0 and slow_first["judged"]
    steady = epoch_summary([7.0, 13.0, 19.0], resolution=1.0)
    assert steady["first_epoch_ratio"] == pytest.approx(7 / 6) and steady["judged"]
    short = epoch_summary([2.0, 3.0, 4.0], resolution=1.0)
    assert short["first_epoch_ratio"] == 2.0 and not short["judged"]
    assert epoch_summary([0.31, 0.52, 0.73])["judged"]          # exact timings (resolution 0) are always judged
    one = epoch_summary([5.0])
    assert one["first_epoch_ratio"] is None and not one["judged"] and one["later_median_seconds"] is None
    assert per_epoch([1.0, 3.0, 6.0]) == [1.0, 2.0, 3.0]
    assert MIN_JUDGED_EPOCH_STEPS == 5


def test_out_of_order_progress_lines_are_refused(tiny_run):
    _, executed, _, _ = tiny_run
    nb = copy.deepcopy(executed)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                  text="epoch 1/3  loss 1.0  5 s\nepoch 3/3  loss 1.0  9 s\n")]
    with pytest.raises(ValueError, match=r"code cell 2 prints 'epoch 3/3  loss 1.0  9 s' out of order; expected epoch 2"):
        training_runs(nb)
    nb.cells[2].outputs[0].text = "epoch 1/3  loss 1.0  5 s\nepoch 2/3  loss 1.0  4 s\n"
    with pytest.raises(ValueError, match="went down from 5"):
        training_runs(nb)
    # two runs in one cell, decimals, and other printed text in between
    nb.cells[2].outputs[0].text = ("epoch 1/2  loss 1.0  2.5 s\nsome text\nepoch 2/2  loss 1.0  4.0 s\n"
                                   "epoch 1/1  kl 1.0  loss 2.0  0.7 s\n")
    runs = training_runs(nb)
    assert [r["epoch_seconds"] for r in runs] == [[2.5, 1.5], [0.7]] and runs[0]["resolution"] == 0.1


def test_the_committed_notebooks_progress_lines_parse():
    """The stored outputs of the committed notebooks (real default runs) hold whole training runs."""
    found = 0
    for path in committed_notebooks():
        for run in training_runs(json.loads(path.read_text(encoding="utf-8"))):
            found += 1
            assert run["epochs"] == run["planned_epochs"]       # every run printed all its epochs
            assert run["cumulative_seconds"] == sorted(run["cumulative_seconds"])
    assert found >= 5


def _tiny_nbval(folder: Path, stored: str) -> Path:
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout", text=stored)])
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("x = 1", execution_count=2)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "tiny_nbval.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_nbval_runner_records_a_pass_and_a_failure(tmp_path):
    ok = nbval_notebook(_tiny_nbval(tmp_path, "42\n"))
    assert ok["ok"] and ok["returncode"] == 0 and ok["passed"] == 2 and "failed" not in ok, ok
    assert ok["seconds"] > 0 and all(flag in ok["command"] for flag in NBVAL_ARGS)
    assert 0 < ok["cell_seconds"] < ok["seconds"] and ok["harness_seconds"] == ok["seconds"] - ok["cell_seconds"]
    (tmp_path / "bad").mkdir()
    bad = nbval_notebook(_tiny_nbval(tmp_path / "bad", "41\n"))    # the stored output differs: strict nbval fails
    assert not bad["ok"] and bad["returncode"] == 1 and bad["failed"] == 1 and bad["passed"] == 1, bad
    assert bad["error"].startswith("failed: ") and bad["error"].endswith("tiny_nbval::ipynb::Cell 0"), bad


def test_cell_seconds_from_the_duration_report():
    text = ("============ slowest durations ============\n"
            "86.74s call     notebooks/03_denoising_autoencoder.ipynb::Cell 8\n"
            "2.10s setup    notebooks/03_denoising_autoencoder.ipynb::Cell 0\n"
            "0.01s call     notebooks/03_denoising_autoencoder.ipynb::Cell 1\n"
            "0.50s teardown notebooks/03_denoising_autoencoder.ipynb::Cell 20\n")
    assert cell_seconds(text) == pytest.approx(86.75)
    assert cell_seconds("== 2 passed in 1.0s ==") is None


def test_pytest_counts():
    assert pytest_counts("x\n===== 20 passed, 1 warning in 95.31s (0:01:35) =====\n") == {"passed": 20}
    assert pytest_counts("=== 1 failed, 3 passed, 2 skipped, 1 error in 2.00s ===") == {
        "failed": 1, "passed": 3, "skipped": 2, "errors": 1}
    with pytest.raises(ValueError, match="no summary line"):
        pytest_counts("collected 0 items\n")


def test_a_stalled_cell_ends_the_run_as_failed_not_the_bench(tmp_path):
    """A cell past the per-cell timeout (a stalled kernel looks the same) gives ok False and a clear error."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
                                         nbformat.v4.new_code_cell("print('not reached')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "07_stall.ipynb"
    nbformat.write(nb, str(path))
    timing, executed = run_notebook(path, timeout=3)
    assert timing["ok"] is False and "did not finish within 3 s" in timing["error"], timing
    assert timing["seconds"] < 45                      # the timeout ended it, not the sleep
    assert executed.cells[2].get("outputs", []) == []  # nothing after the stalled cell ran

"""benchmarks' parts for notebooks 05 and 06: the AUC table read from notebook 06's output,
the notebooks part's wiring, the --notebooks option and the conditional VAE part.

The AUC parser is checked on the output stored in the committed notebook 06 (a real run)
and on malformed copies of it; the conditional VAE part trains for one epoch on a few
hundred real MNIST images.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path

import pytest

from benchmarks.notebook_outputs import (AUC_NOTEBOOK, auc_table_from_notebook, auc_table_or_error, cell_stdout,
                                         parse_auc_table)
from benchmarks.notebook_timing import committed_notebooks, select_notebooks
from benchmarks.run import PARTS, parse_args

NB06 = Path(__file__).resolve().parents[1] / "notebooks" / f"{AUC_NOTEBOOK}.ipynb"


def _nb06() -> dict:
    return json.loads(NB06.read_text(encoding="utf-8"))


def _stored_table_text(nb: dict) -> str:
    texts = [cell_stdout(c) for c in nb["cells"] if re.search(r"^\s*AUC\s*\|", cell_stdout(c), re.M)]
    assert len(texts) == 1, "the committed notebook 06 should print one AUC table"
    return texts[0]


def test_auc_table_of_the_committed_notebook_06():
    nb = _nb06()
    table = auc_table_from_notebook(nb)
    assert {"AE", "PCA", "VAE -ELBO"} <= set(table)        # the three scores
    cases = list(next(iter(table.values())))
    assert cases[0] == "Fashion-MNIST" and re.fullmatch(r"held-out digit \d", cases[1]) and len(cases) == 2
    # every number of every stored row, in order, and nothing else
    rows = [line for line in _stored_table_text(nb).splitlines()[1:] if "|" in line]
    assert len(rows) == len(table)
    for line, (score, row) in zip(rows, table.items()):
        name, rest = line.split("|", 1)
        assert name.strip() == score
        assert [float(v) for v in re.findall(r"-?\d+\.\d+", rest)] == list(row.values())
        assert all(0.0 <= v <= 1.0 for v in row.values())


def _with_table(nb: dict, text: str) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if re.search(r"^\s*AUC\s*\|", cell_stdout(cell), re.M):
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    return nb


GOOD = ("       AUC |      Fashion-MNIST |   held-out digit 4\n"
        "        AE |              0.997 |              0.887\n"
        "       PCA |              0.919 |              0.630\n")


def test_a_table_split_over_stream_pieces_and_followed_by_text():
    nb = _with_table(_nb06(), "")
    cell = next(c for c in nb["cells"] if c.get("outputs") == [{"output_type": "stream", "name": "stdout", "text": ""}])
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": GOOD[:60]},
                       {"output_type": "stream", "name": "stderr", "text": "a warning | 0.5\n"},
                       {"output_type": "stream", "name": "stdout", "text": [GOOD[60:], "\nnext text\n"]}]
    assert auc_table_from_notebook(nb) == {"AE": {"Fashion-MNIST": 0.997, "held-out digit 4": 0.887},
                                           "PCA": {"Fashion-MNIST": 0.919, "held-out digit 4": 0.630}}


@pytest.mark.parametrize("text, message", [
    ("nothing printed\n", "found 0 lines starting with 'AUC |'"),
    (GOOD + GOOD, "found 2 lines starting with 'AUC |'"),
    ("       AUC |      Fashion-MNIST |   held-out digit 4\n", "has a header but no rows"),
    (GOOD.replace("0.887", "0.887 | 0.5"), "has 4 fields; expected 3"),
    (GOOD.replace("0.630", "n/a"), "entry for 'PCA', 'held-out digit 4' is 'n/a'; expected a number"),
    (GOOD.replace("0.630", "nan"), "is nan; expected an AUC between 0 and 1"),
    (GOOD.replace("0.997", "1.997"), "is 1.997; expected an AUC between 0 and 1"),
    (GOOD.replace("       PCA", "        AE"), "empty or repeated score name"),
    (GOOD.replace("   held-out digit 4", "      Fashion-MNIST"), "expected distinct non-empty names"),
])
def test_malformed_tables_are_refused(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_auc_table(text)
    # in a run, the refusal is recorded as an error, never as numbers
    recorded = auc_table_or_error(_with_table(_nb06(), text), {"ok": True})
    expected = message if "AUC" in text else "0 cells printed an 'AUC |' table"
    assert list(recorded) == ["error"] and expected in recorded["error"]


def test_outputs_missing_or_a_failed_run_record_an_error():
    nb = _nb06()
    cleared = copy.deepcopy(nb)
    for cell in cleared["cells"]:
        cell["outputs"] = [] if cell["cell_type"] == "code" else cell.get("outputs")
    assert auc_table_or_error(cleared, {"ok": True}) == {
        "error": f"could not read the AUC table from {AUC_NOTEBOOK}'s output: 0 cells printed an 'AUC |' "
                 "table; expected exactly one (notebook 06's AUC table)"}
    failed = auc_table_or_error(nb, {"ok": False, "error": "ValueError: boom"})
    assert failed == {"error": f"{AUC_NOTEBOOK} did not run cleanly (ValueError: boom); no AUC recorded"}


def _fake_runner(monkeypatch, calls: list, elbo_line: str = "test ELBO, p = 2: -160.50 nats\n"):
    """Replace notebook execution by the stored notebook 06 (and a notebook 04 printing ``elbo_line``)."""
    import nbformat

    import benchmarks.notebook_timing as timing

    def fake_run_notebook(path, quick=False, keep_copy_in=None):
        calls.append((path.stem, quick, keep_copy_in))
        if path.stem == AUC_NOTEBOOK:
            nb = nbformat.from_dict(_nb06())
        else:
            cell = nbformat.v4.new_code_cell("print()", outputs=[nbformat.v4.new_output(
                "stream", name="stdout", text=elbo_line + "epoch 1/2  loss 3.0  9 s\nepoch 2/2  loss 2.0  15 s\n")])
            nb = nbformat.v4.new_notebook(cells=[cell])
        return {"seconds": 4.0 if quick else 20.0, "quick": quick, "ok": True}, nb

    monkeypatch.setattr(timing, "run_notebook", fake_run_notebook)
    rates = itertools.cycle([200.0, 220.0, 180.0, 240.0, 250.0, 230.0, 210.0, 190.0])   # GEMM before and after each run
    monkeypatch.setattr("benchmarks.run._gemm_now", lambda: next(rates))


def test_notebooks_part_runs_default_and_quick_and_reads_the_copies(monkeypatch, tmp_path):
    """Full mode: each notebook in default then quick mode; the AUC table from the default copy, the
    quick ELBO from notebook 04's quick copy, per-epoch seconds from every copy."""
    from benchmarks.run import part_notebooks

    calls = []
    _fake_runner(monkeypatch, calls)
    out = part_notebooks(smoke=False, keep_in=tmp_path / "executed", notebooks=["04", "06"])
    v04 = "04_variational_autoencoder"
    assert calls == [(v04, False, tmp_path / "executed"), (v04, True, tmp_path / "executed-quick"),
                     (AUC_NOTEBOOK, False, tmp_path / "executed"), (AUC_NOTEBOOK, True, tmp_path / "executed-quick")]
    assert out["anomaly_auc"] == auc_table_from_notebook(_nb06())
    assert out["notebooks"]["total_seconds"] == 40.0 and out["notebooks_quick"]["total_seconds"] == 8.0
    assert out["notebooks"]["only"] == [v04, AUC_NOTEBOOK]
    assert out["notebooks_quick"]["qualities"]["vae_test_elbo_p2"] == {"test_elbo": -160.5}
    assert out["notebooks_quick"]["qualities"]["anomaly_auc"] == auc_table_from_notebook(_nb06())
    # each run carries the mean of the GEMM rates measured right before and right after it
    assert out["notebooks"][v04]["gemm_gflops_around"] == [200.0, 220.0] and out["notebooks"][v04]["gemm_gflops"] == 210.0
    assert out["notebooks_quick"][v04]["gemm_gflops"] == 210.0 and out["notebooks"][AUC_NOTEBOOK]["gemm_gflops"] == 240.0
    assert out["notebooks_quick"][AUC_NOTEBOOK]["gemm_gflops_around"] == [210.0, 190.0]
    (run,) = out["notebooks"][v04]["trainings"]
    assert run["epoch_seconds"] == [9.0, 6.0] and run["first_epoch_ratio"] == 1.5 and run["judged"]
    assert len(out["notebooks"][AUC_NOTEBOOK]["trainings"]) >= 1     # notebook 06's stored progress lines
    json.dumps(out)


def test_notebooks_part_in_smoke_mode_runs_quick_only(monkeypatch):
    from benchmarks.run import part_notebooks

    calls = []
    _fake_runner(monkeypatch, calls, elbo_line="no ELBO printed\n")
    out = part_notebooks(smoke=True, keep_in=None, notebooks=["04"])
    assert calls == [("04_variational_autoencoder", True, None)]
    assert out["notebooks"] is None                    # no default run: merge() removes the key
    assert "gemm_gflops" not in out["notebooks_quick"]["04_variational_autoencoder"]   # smoke runs measure no GEMM
    assert out["anomaly_auc"] == {"error": f"{AUC_NOTEBOOK} was not executed in this run"}
    elbo = out["notebooks_quick"]["qualities"]["vae_test_elbo_p2"]
    assert list(elbo) == ["error"] and "found 0 lines 'test ELBO, p = 2: <number> nats'" in elbo["error"]


def test_nbval_part_records_ratios_and_failures(monkeypatch):
    import benchmarks.notebook_timing as timing
    from benchmarks.run import part_nbval

    results = {"02_autoencoder": {"seconds": 30.0, "ok": True, "passed": 20},
               "04_variational_autoencoder": {"seconds": 80.0, "ok": False, "passed": 40, "failed": 1,
                                              "error": "FAILED cell 12"}}
    monkeypatch.setattr(timing, "nbval_notebook", lambda path: dict(results[path.stem]))
    both = part_nbval(notebooks=["02", "04"], notebook_times={"02_autoencoder": {"seconds": 25.0, "ok": True},
                                                              "04_variational_autoencoder": {"seconds": 100.0,
                                                                                             "ok": True}})
    assert both["paired_nbval"] is None and both["nbval"]["paired"] is False
    out = both["nbval"]
    assert out["02_autoencoder"]["ratio_to_default"] == 30.0 / 25.0
    assert out["04_variational_autoencoder"]["ratio_to_default"] == 0.8
    assert out["total_seconds"] == 110.0 and out["passed"] == 60 and out["failed"] == 1
    assert out["only"] == ["02_autoencoder", "04_variational_autoencoder"]
    no_default = part_nbval(notebooks=["02"], notebook_times=None)["nbval"]
    assert "ratio_to_default" not in no_default["02_autoencoder"]


def test_nbval_runs_right_after_each_default_run_when_paired(monkeypatch, tmp_path):
    """A full run with both parts: default, nbval, quick for each notebook in turn; the nbval part
    then records those paired runs without running anything."""
    import benchmarks.notebook_timing as timing
    from benchmarks.run import part_nbval, part_notebooks

    calls = []
    _fake_runner(monkeypatch, calls)

    def fake_nbval(path):
        calls.append((path.stem, "nbval", None))
        return {"seconds": 22.0, "ok": True, "passed": 5}

    monkeypatch.setattr(timing, "nbval_notebook", fake_nbval)
    out = part_notebooks(smoke=False, keep_in=None, notebooks=["04", "06"], pair_nbval=True)
    v04 = "04_variational_autoencoder"
    assert calls == [(v04, False, None), (v04, "nbval", None), (v04, True, None),
                     (AUC_NOTEBOOK, False, None), (AUC_NOTEBOOK, "nbval", None), (AUC_NOTEBOOK, True, None)]
    paired = out["paired_nbval"]
    assert paired[v04]["ratio_to_default"] == 22.0 / 20.0 and paired["total_seconds"] == 44.0
    assert paired["passed"] == 10 and paired["failed"] == 0
    calls.clear()
    recorded = part_nbval(notebooks=["04", "06"], notebook_times=out["notebooks"], paired_nbval=paired)
    assert calls == [] and recorded["paired_nbval"] is None
    assert recorded["nbval"] == {**paired, "paired": True}
    unpaired = part_notebooks(smoke=False, keep_in=None, notebooks=["04"])
    assert unpaired["paired_nbval"] is None and ("04_variational_autoencoder", "nbval", None) not in calls


def test_registry_smoke_skips_and_merge():
    from benchmarks.run import PART_LIST, merge, selected_parts

    parts = {p.name: p for p in PART_LIST}
    assert PARTS[-2:] == ("notebooks", "nbval")
    assert parts["nbval"].inputs == ("notebooks", "notebook_times", "paired_nbval") and not parts["nbval"].isolated
    assert "pair_nbval" in parts["notebooks"].inputs and "paired_nbval" in parts["notebooks"].outputs
    assert not parts["notebooks"].isolated
    assert all(parts[n].isolated for n in ("gemm", "ae", "dae", "keras_dae", "tf_cvae", "vae", "cvae"))
    assert "nbval" not in selected_parts(None, None, smoke=True)
    assert selected_parts(None, None, smoke=False) == list(PARTS)
    assert selected_parts(["nbval"], None, smoke=True) == ["nbval"]
    assert selected_parts(None, ["notebooks", "nbval"], smoke=False) == list(PARTS[:-2])
    r = {"notebooks": {"a": 1}, "anchors": {"x": 1}}
    merge(r, {"notebooks": None, "anchors.keras_dae": {"psnr": 1.0}, "nbval": {"total_seconds": 2.0}})
    assert r == {"anchors": {"x": 1, "keras_dae": {"psnr": 1.0}}, "nbval": {"total_seconds": 2.0}}


def test_an_isolated_part_runs_in_a_fresh_process():
    """The GEMM part through the worker subprocess: its outputs come back as JSON."""
    import sys

    from benchmarks.run import PART_LIST, run_part

    before = "tensorflow" in sys.modules
    out = run_part(PART_LIST[0], {"smoke": True}, {}, isolate=True)
    assert set(out) == {"gemm", "gemm_gflops"} and out["gemm"]["repeats"] == 5 and out["gemm_gflops"] > 0
    assert ("tensorflow" in sys.modules) == before      # TensorFlow ran in the subprocess, not here


def test_notebook_selection(capsys):
    paths = committed_notebooks()
    assert NB06 in paths
    assert select_notebooks(paths, ["06"]) == [NB06]
    assert select_notebooks(paths, [AUC_NOTEBOOK, "06"]) == [NB06]
    assert select_notebooks(paths, None) == paths
    with pytest.raises(ValueError, match="no committed notebook is called '99'"):
        select_notebooks(paths, ["99"])
    assert parse_args(["--only", "notebooks", "--notebooks", "06"]).notebooks == ["06"]
    assert parse_args([]).notebooks is None
    with pytest.raises(SystemExit):
        parse_args(["--notebooks", "06,99"])
    assert "--notebooks: no committed notebook is called '99'" in capsys.readouterr().err


def test_cvae_part_is_registered_before_the_notebooks():
    from benchmarks.run import PART_LIST

    part = next(p for p in PART_LIST if p.name == "cvae")
    assert part.inputs == ("smoke", "data") and part.outputs == ("cvae",)
    assert PARTS.index("cvae") == PARTS.index("notebooks") - 1
    assert part.isolated


def test_cvae_part_trains_and_evaluates_on_real_labelled_images():
    """One epoch on 512 real MNIST images: a finite test conditional ELBO and the recorded recipe."""
    import numpy as np

    from benchmarks.run import Data, part_cvae
    from utils import recipes

    data = Data(smoke=True, n_train=512, n_test=256)
    assert data.y_train.shape == (512,) and data.y_test.shape == (256,)
    out = part_cvae(smoke=True, data=data)["cvae"]
    assert set(out) >= {"latent_size", "test_elbo", "seconds", "epochs", "train_images", "recipe", "recipe_source"}
    assert out["latent_size"] == recipes.CVAE_LATENT_SIZE and out["epochs"] == recipes.QUICK_EPOCHS
    assert out["train_images"] == 512 and out["test_images"] == 256
    # a model after one epoch on 512 images is poor but real: between the all-0.5 coin's -543 nats
    # (784 log 2) and a perfect 0
    assert np.isfinite(out["test_elbo"]) and -784 * np.log(2) * 1.5 < out["test_elbo"] < 0
    assert out["seconds"] > 0 and out["recipe"]["model"] == "cvae"
    json.dumps(out)

"""benchmarks' parts for notebooks 05 and 06: the AUC table read from notebook 06's output,
the notebooks part's wiring, the --notebooks option and the conditional VAE part.

The AUC parser is checked on the output stored in the committed notebook 06 (a real run)
and on malformed copies of it; the conditional VAE part trains for one epoch on a few
hundred real MNIST images.
"""

from __future__ import annotations

import copy
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


def test_notebooks_part_reads_the_executed_copy(monkeypatch):
    """The part hands notebook 06's executed copy to the parser (execution replaced by the stored copy)."""
    import benchmarks.notebook_timing as timing
    from benchmarks.run import part_notebooks

    calls = {}

    def fake_time_all(quick, keep_copy_in, only, on_executed):
        calls.update(quick=quick, only=only)
        on_executed(AUC_NOTEBOOK, _nb06())
        return {AUC_NOTEBOOK: {"seconds": 12.5, "quick": quick, "ok": True}}

    monkeypatch.setattr(timing, "time_all", fake_time_all)
    out = part_notebooks(smoke=True, keep_in=None, notebooks=["06"])
    assert calls == {"quick": True, "only": ["06"]}
    assert out["anomaly_auc"] == auc_table_from_notebook(_nb06())
    assert out["notebooks"] == {AUC_NOTEBOOK: {"seconds": 12.5, "quick": True, "ok": True},
                                "total_seconds": 12.5, "only": [AUC_NOTEBOOK]}
    monkeypatch.setattr(timing, "time_all", lambda quick, keep_copy_in, only, on_executed:
                        {"02_autoencoder": {"seconds": 3.0, "quick": quick, "ok": True}})
    assert part_notebooks(smoke=True, keep_in=None, notebooks=["02"])["anomaly_auc"] == {
        "error": f"{AUC_NOTEBOOK} was not executed in this run"}


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

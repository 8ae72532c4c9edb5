"""benchmarks.run and benchmarks.report: the required keys, the goal ratios and the Markdown table.

These check the harness's bookkeeping on made-up numbers; the numbers themselves
come from ``make bench`` (and ``make bench-smoke`` in CI proves it runs).
"""

from __future__ import annotations

import json

from benchmarks.report import goal_checks, render
from benchmarks.run import REQUIRED, missing_keys, parse_args


def _results(**changes) -> dict:
    r = {"gemm_gflops": 200.0,
         "ae": {"latent_size": 16, "test_sse": 7.5, "pca_test_sse": 21.0, "seconds": 17.0, "gflops": 30.0},
         "dae": {"sigma": 0.5, "psnr": 20.2, "median_psnr": 14.2, "seconds": 34.0},
         "vae": {"latent_size": 2, "test_elbo": -150.0, "seconds": 60.0, "seconds_to_anchor_elbo": 20.0},
         "anchors": {"tf_cvae": {"test_elbo": -157.0, "seconds": 400.0},
                     "keras_dae": {"psnr": 18.0, "seconds": 34.0}},
         "cvae": {"latent_size": 2, "test_elbo": -120.0, "seconds": 80.0, "epochs": 10, "train_images": 60000},
         "notebooks": {"02_autoencoder": {"seconds": 70.0, "ok": True}, "total_seconds": 300.0}}
    for path, value in changes.items():
        d = r
        *head, last = path.split("__")
        for k in head:
            d = d[k]
        d[last] = value
    return r


def test_complete_results_lack_nothing():
    assert missing_keys(_results()) == []
    assert len(REQUIRED) == 21


def test_missing_and_none_entries_are_named():
    r = _results(dae__psnr=None)
    del r["anchors"]["tf_cvae"]
    del r["cvae"]["seconds"]
    assert missing_keys(r) == ["dae.psnr", "anchors.tf_cvae.test_elbo", "anchors.tf_cvae.seconds", "cvae.seconds"]
    # an anchor ELBO never reached is a result (the goal is not met), not a missing entry
    assert missing_keys(_results(vae__seconds_to_anchor_elbo=None)) == []


def test_goal_ratios():
    g = goal_checks(_results())
    assert g["vae_time_ratio"] == {"value": 20.0 / 400.0, "met": True}
    assert g["ae_sse_ratio"]["value"] == 7.5 / 21.0 and g["ae_sse_ratio"]["met"]
    assert g["dae_vs_keras"]["value"] == 20.2 - 18.0 and g["dae_vs_keras"]["met"]
    assert g["notebooks_total"] == {"value": 300.0, "met": True}
    bad = goal_checks(_results(vae__seconds_to_anchor_elbo=None, ae__test_sse=9.0, dae__psnr=17.0,
                               notebooks__total_seconds=500.0))
    assert bad["vae_time_ratio"]["met"] is None
    assert [bad[k]["met"] for k in ("ae_sse_ratio", "dae_psnr", "dae_vs_keras", "notebooks_total")] == [False] * 4


def test_render_shows_goals_and_flags_a_missed_one():
    text = render(_results(ae__test_sse=9.0))
    assert "| AE test_sse / PCA test_sse <= 0.40 | 0.429 | **no** |" in text
    assert "| VAE seconds_to_anchor_elbo / anchor seconds <= 0.25 | 0.050 | yes |" in text
    assert "Incomplete" not in text
    partial = _results()
    del partial["notebooks"]
    assert "**Incomplete:** the parts notebooks" in render(partial)
    json.dumps(partial)  # results stay JSON


def test_render_shows_the_conditional_vae_row():
    text = render(_results())
    row = next(line for line in text.splitlines() if line.startswith("| conditional VAE"))
    assert row.startswith("| conditional VAE, latent size p = 2 (notebook 05) | 60,000 | 10 |")
    assert "| 80.0 |" in row and row.endswith("| test conditional ELBO -120.00 nats |")
    no_cvae = _results()
    del no_cvae["cvae"]
    assert "conditional VAE" not in render(no_cvae)
    assert "**Incomplete:** the parts cvae" in render(no_cvae)


def test_render_shows_the_auc_table_or_its_error():
    r = _results()
    r["anomaly_auc"] = {"AE": {"Fashion-MNIST": 0.997, "held-out digit 4": 0.887},
                        "VAE -ELBO": {"Fashion-MNIST": 0.992, "held-out digit 4": 0.911}}
    text = render(r)
    assert "### Anomaly detection: AUC table of notebook 06" in text
    assert "| score | Fashion-MNIST | held-out digit 4 |\n|---|---:|---:|\n" in text
    assert "| AE | 0.997 | 0.887 |\n| VAE -ELBO | 0.992 | 0.911 |" in text
    r["anomaly_auc"] = {"error": "could not read the AUC table from 06_applications's output: no header"}
    text = render(r)
    assert "Not recorded: could not read the AUC table from 06_applications's output: no header" in text
    assert "| score |" not in text
    assert "Anomaly detection" not in render(_results())   # not measured: no section


def test_a_subset_of_notebooks_is_no_total():
    r = _results()
    r["notebooks"]["only"] = ["02_autoencoder"]
    assert goal_checks(r)["notebooks_total"] == {"value": None, "met": None}
    assert "| **total** (only these notebooks) | **300** | |" in render(r)


def test_parse_args_rejects_unknown_parts(capsys):
    import pytest

    with pytest.raises(SystemExit):
        parse_args(["--only", "gemm,nope"])
    assert "unknown parts ['nope']" in capsys.readouterr().err
    assert parse_args(["--only", "gemm, ae"]).only == ["gemm", "ae"]

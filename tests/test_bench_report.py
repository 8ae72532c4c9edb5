"""benchmarks.run and benchmarks.report: the required keys, the goal ratios and the Markdown table.

These check the harness's bookkeeping on made-up numbers; the numbers themselves
come from ``make bench`` (and ``make bench-smoke`` in CI proves it runs).
"""

from __future__ import annotations

import json

import pytest

from benchmarks.report import goal_checks, notebook_runs, render
from benchmarks.run import REQUIRED, missing_keys, parse_args


def _results(**changes) -> dict:
    r = {"gemm_gflops": 200.0,
         "ae": {"latent_size": 16, "test_sse": 6.0, "pca_test_sse": 21.0, "seconds": 17.0, "gflops": 30.0,
                "plain": {"test_sse": 7.5, "seconds": 18.0}},
         "dae": {"sigma": 0.5, "psnr": 21.2, "median_psnr": 14.2, "seconds": 34.0,
                 "previous": {"psnr": 20.2, "seconds": 34.0}},
         "vae": {"latent_size": 2, "test_elbo": -150.0, "seconds": 60.0, "seconds_to_anchor_elbo": 20.0},
         "anchors": {"tf_cvae": {"test_elbo": -157.0, "seconds": 400.0},
                     "keras_dae": {"psnr": 18.0, "seconds": 34.0}},
         "cvae": {"latent_size": 2, "test_elbo": -120.0, "seconds": 80.0, "epochs": 10, "train_images": 60000},
         "notebooks": {"01_transposed_convolution": {"seconds": 10.0, "ok": True},
                       "02_autoencoder": {"seconds": 70.0, "ok": True},
                       "03_denoising_autoencoder": {"seconds": 70.0, "ok": True},
                       "04_variational_autoencoder": {"seconds": 150.0, "ok": True}, "total_seconds": 300.0}}
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
    assert g["ae_sse_ratio"]["value"] == 6.0 / 21.0 and g["ae_sse_ratio"]["met"]
    assert g["dae_vs_keras"]["value"] == 21.2 - 18.0 and g["dae_vs_keras"]["met"]
    assert g["dae_psnr"]["met"] and g["dae_seconds"] == {"value": 1.0, "met": True}   # as many seconds: met
    assert g["lesson_seconds:04"] == {"value": 150.0, "met": True, "raw": 150.0}   # at 200 GFLOP/s: as measured
    assert [k for k in g if k.startswith("lesson_seconds:")] == [f"lesson_seconds:0{i}" for i in range(1, 5)]
    bad = goal_checks(_results(vae__seconds_to_anchor_elbo=None, ae__test_sse=9.0, dae__psnr=17.0,
                               notebooks__04_variational_autoencoder__seconds=350.0))
    assert bad["vae_time_ratio"]["met"] is None
    assert goal_checks(_results(dae__seconds=35.0))["dae_seconds"]["met"] is False
    assert goal_checks(_results(dae__previous=None))["dae_seconds"]["met"] is None
    # the AE's cross-entropy recipe is judged against the plain SSE recipe's seconds of the same run
    assert goal_checks(_results())["ae_seconds"] == {"value": 17.0 / 18.0, "met": True}
    assert goal_checks(_results(ae__seconds=19.0))["ae_seconds"]["met"] is False
    assert goal_checks(_results(ae__plain=None))["ae_seconds"]["met"] is None
    assert [bad[k]["met"] for k in ("ae_sse_ratio", "dae_psnr", "dae_vs_keras", "lesson_seconds:04")] == [False] * 4
    assert bad["lesson_seconds:03"]["met"] is True
    failed = goal_checks(_results(notebooks__02_autoencoder__ok=False))["lesson_seconds:02"]
    assert failed == {"value": None, "met": None, "raw": None}, "a failed run has no lesson time"


def test_render_shows_goals_and_flags_a_missed_one():
    from benchmarks import goals

    text = render(_results(ae__test_sse=9.0, notebooks__02_autoencoder__seconds=250.0))
    assert (f"| AE test_sse / PCA test_sse <= {goals.GOAL_AE_SSE_RATIO:.2f} (cross-entropy recipe) | "
            "0.429 | **no** |") in text
    assert "| notebook 01, default run <= 240 s at 200 GFLOP/s | 10 s (10 s measured) | yes |" in text
    assert "| notebook 02, default run <= 240 s at 200 GFLOP/s | 250 s (250 s measured) | **no** |" in text
    assert "01–04" not in text and "together <= 480" not in text
    assert "| AE training seconds (cross-entropy recipe) <= the plain SSE recipe's, same run | 0.94 x | yes |" in text
    assert "; the plain SSE recipe 7.50 in 18.0 s" in text
    assert (f"| VAE seconds_to_anchor_elbo / anchor seconds <= {goals.GOAL_VAE_TIME_RATIO:.2f} | 0.050 | "
            f"{'yes' if 0.05 <= goals.GOAL_VAE_TIME_RATIO else '**no**'} |") in text
    assert "Incomplete" not in render(_full())
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


def test_a_subset_of_notebooks_judges_the_lessons_it_ran():
    r = _results()
    r["notebooks"]["only"] = ["02_autoencoder"]
    del r["notebooks"]["01_transposed_convolution"]
    g = goal_checks(r)
    assert "lesson_seconds:01" not in g and g["lesson_seconds:02"]["met"] is True
    assert "| **total** (only these notebooks) | **300** | | **300** |" in render(r)
    del r["notebooks"]
    assert goal_checks(r)["lesson_seconds:every"] == {"value": None, "met": None, "raw": None}
    assert "| every lesson, default run <= 240 s at 200 GFLOP/s | – | – |" in render(r)


def test_parse_args_rejects_unknown_parts(capsys):
    import pytest

    with pytest.raises(SystemExit):
        parse_args(["--only", "gemm,nope"])
    assert "unknown parts ['nope']" in capsys.readouterr().err
    assert parse_args(["--only", "gemm, ae"]).only == ["gemm", "ae"]


# --------------------------------------------------------------------------- issue 18: normalized seconds,
# quick mode, strict nbval and the first epoch
def _full(**changes) -> dict:
    """Results of a full run: every notebook in default and quick mode and under nbval, 100 GFLOP/s."""
    r = _results(**changes)
    r["gemm_gflops"], r["gemm_end_gflops"] = 90.0, 110.0          # mean 100: seconds at 200 are half
    names = ["01_transposed_convolution", "02_autoencoder", "03_denoising_autoencoder",
             "04_variational_autoencoder", "05_conditional_and_beta_vae", "06_applications"]
    default = dict(zip(names, [10.0, 100.0, 120.0, 300.0, 400.0, 500.0]))
    r["notebooks"] = {n: {"seconds": s, "ok": True, "trainings": [
        {"cell": 3, "run": 1, "epochs": 3, "epoch_seconds": [14.0, 10.0, 10.0], "first_epoch_seconds": 14.0,
         "later_median_seconds": 10.0, "first_epoch_ratio": 1.4, "judged": True}]} for n, s in default.items()}
    r["notebooks"]["total_seconds"] = sum(default.values())
    r["notebooks_quick"] = {n: {"seconds": s / 5, "ok": True} for n, s in default.items()}
    r["notebooks_quick"]["total_seconds"] = sum(default.values()) / 5
    r["notebooks_quick"]["qualities"] = {"vae_test_elbo_p2": {"test_elbo": -160.0}}
    r["nbval"] = {n: {"seconds": s * 1.1, "ok": True, "passed": 10, "ratio_to_default": 1.1,
                      "cell_seconds": s * 1.1 - 4.0, "harness_seconds": 4.0} for n, s in default.items()}
    r["nbval"].update(total_seconds=sum(default.values()) * 1.1, paired=True)
    r["vae"]["first_epoch"] = {"epochs": 12, "epoch_seconds": [5.0] + [4.0] * 11, "first_epoch_seconds": 5.0,
                               "later_median_seconds": 4.0, "first_epoch_ratio": 1.25, "judged": True}
    return r


def test_seconds_at_the_reference_rate():
    from benchmarks.report import at_reference, run_rate

    r = _full()
    assert run_rate(r) == 100.0 and at_reference(300.0, r) == 150.0
    assert run_rate({"gemm_gflops": 150.0}) == 150.0 and run_rate({}) is None and at_reference(10.0, {}) is None
    text = render(r)
    assert "(90.0 and 110.0 GFLOP/s, mean 100.0)" in text
    assert "Goals on seconds are judged on the seconds at the reference rate" in text
    row = next(line for line in text.splitlines() if line.startswith("| AE, latent size"))
    assert "| 17.0 | 8.5 |" in row                                 # seconds, then seconds at 200 GFLOP/s


def test_new_goals_pass():
    g = goal_checks(_full())
    # measured at 100 GFLOP/s: seconds at 200 are half; 06's 500 s measured are 250 s, over the 240 s of a lesson
    assert g["lesson_seconds:04"] == {"value": 150.0, "met": True, "raw": 300.0}
    assert g["lesson_seconds:05"] == {"value": 200.0, "met": True, "raw": 400.0}
    assert g["lesson_seconds:06"] == {"value": 250.0, "met": False, "raw": 500.0}
    assert g["quick_fraction"] == {"value": pytest.approx(0.2), "met": True}
    assert g["quick_vae_elbo"] == {"value": -160.0, "met": True}
    assert g["nbval_ratio"] == {"value": 1.1, "met": True}
    assert g["nbval_passed"] == {"value": "60 passed, 0 failed", "met": True}
    assert g["first_epoch_ratio"] == {"value": 1.4, "met": True}


def test_each_notebook_run_is_converted_with_its_own_gemm_rate():
    r = _full()   # the run's rate is 100 GFLOP/s (mean of 90 and 110)
    for name, d in notebook_runs(r["notebooks"]).items():
        d["gemm_gflops"] = 80.0 if name.startswith("06") else 100.0
    for d in notebook_runs(r["notebooks_quick"]).values():
        d["gemm_gflops"] = 50.0
    g = goal_checks(r)
    # 06 ran while the machine was slow: 500 s at 80 GFLOP/s are 200 s at 200, within the 240 s of a lesson
    assert g["lesson_seconds:06"] == {"value": 200.0, "met": True, "raw": 500.0}
    assert g["lesson_seconds:04"] == {"value": 150.0, "met": True, "raw": 300.0}
    # quick runs at half the rate: the same seconds are half the work
    default = sum(d["seconds"] * d["gemm_gflops"] for d in notebook_runs(r["notebooks"]).values())
    assert g["quick_fraction"]["value"] == pytest.approx(1430 / 5 * 50.0 / default)
    text = render(r)
    assert "| 06_applications | 500 | 80 | 200 | 100 | 50 | 25 | 0.125 |" in text
    assert "the mean of short GEMM measurements right before and right after each run" in text
    # a run without its own rate falls back to the run's rate, and the fraction to the measured seconds
    del r["notebooks_quick"]["03_denoising_autoencoder"]["gemm_gflops"]
    assert goal_checks(r)["quick_fraction"]["value"] == pytest.approx(0.2)


def test_new_goals_fail():
    r = _full()
    r["notebooks_quick"]["03_denoising_autoencoder"]["seconds"] = 120.0    # quick as slow as default
    r["notebooks_quick"]["qualities"]["vae_test_elbo_p2"] = {"test_elbo": -170.0}
    r["nbval"]["02_autoencoder"].update(ratio_to_default=1.6, ok=False, failed=2)
    r["vae"]["first_epoch"].update(first_epoch_ratio=13.8)
    g = goal_checks(r)
    assert g["quick_fraction"]["value"] == pytest.approx((1430 / 5 - 24 + 120) / 1430) and not g["quick_fraction"]["met"]
    assert g["quick_vae_elbo"] == {"value": -170.0, "met": False}
    assert g["nbval_ratio"] == {"value": 1.6, "met": False}
    assert g["nbval_passed"] == {"value": "60 passed, 2 failed", "met": False}
    assert g["first_epoch_ratio"] == {"value": 13.8, "met": False}
    # an unjudged (too short) training does not count either way
    r["vae"]["first_epoch"].update(judged=False)
    assert goal_checks(r)["first_epoch_ratio"] == {"value": 1.4, "met": True}
    # not measured: no verdict
    for key in ("notebooks_quick", "nbval"):
        del r[key]
    g = goal_checks(r)
    assert [g[k]["met"] for k in ("quick_fraction", "quick_vae_elbo", "nbval_ratio", "nbval_passed")] == [None] * 4
    text = render(r)
    assert "**Incomplete:** the parts nbval" in text


def test_render_notebook_quick_nbval_and_first_epoch_tables():
    r = _full()
    r["nbval"]["02_autoencoder"].update(ok=False, failed=1, error="FAILED notebooks/02_autoencoder.ipynb::Cell 19")
    r["notebooks_quick"]["qualities"]["anomaly_auc"] = {"error": "06 did not run cleanly"}
    text = render(r)
    assert ("| 04_variational_autoencoder | 300 | – | 150 | 60 | – | 30 | 0.200 | 330 | 1.10 | 4.0 | "
            "10 passed, 0 failed | default yes; quick yes; nbval yes |") in text
    assert "right after it, as the README's test command does" in text
    assert "nbval **no** (FAILED notebooks/02_autoencoder.ipynb::Cell 19)" in text
    assert "| **total** | **1,430** | | **715** | **286** | | **143** | 0.200 | **1,573** | 1.10 | 24.0 | | |" in text
    assert "| notebook 04: test ELBO of the 2-D VAE (goal > -165 nats) | -160.00 nats | -150.00 nats" in text
    assert "| notebook 06: anomaly AUC | not recorded: 06 did not run cleanly |" in text
    assert "| VAE (bench) | 12 | 5.00 | 4.00 | 1.25 | yes |" in text
    assert "| 02_autoencoder, cell 3 (run 1) | 3 | 14.00 | 10.00 | 1.40 | yes |" in text


def test_render_the_first_epoch_study():
    study = {"measured": "2026-11-29 13:50 UTC", "train_images": 60000, "anchor_epochs": 1, "anchor_images": 6000, "runs": [
        {"round": 1, "mode": "after-anchor", "gemm_gflops": 120.0, "before_vae": {"threads": 40, "rss_mb": 1500.0},
         "vae": {"epoch_seconds": [20.0, 9.0, 9.0], "first_epoch_ratio": 2.22}},
        {"round": 1, "mode": "alone", "gemm_gflops": 121.0, "before_vae": {"threads": 20, "rss_mb": 900.0},
         "vae": {"epoch_seconds": [10.0, 9.0, 9.0], "first_epoch_ratio": 1.11}}],
        "finding": "The anchor left the VAE a slow first epoch."}
    text = render(_full(), first_epoch_study={"studies": [study]})
    assert "the VAE on 60,000 images; the anchor 1 epoch(s) on 6,000 images." in text
    assert ("Mean first epoch over median later epoch: 2.22 after the anchor in the same process, 1.11 alone in a "
            "fresh process (threads before the VAE 40 against 20, resident memory 1,500 MB against 900 MB): the "
            "anchor trained before it in the same process made the VAE's first epoch slow.") in text
    assert "### Why each training part runs in its own process" in text
    assert "| 1 | after-anchor | 120 | – | 20.0, 9.0, 9.0 | 2.22 | 40 | 1,500 |" in text
    assert "The anchor left the VAE a slow first epoch." in text
    assert "Why each training part" not in render(_full())


def test_the_first_epoch_study_can_find_no_effect():
    run = {"round": 1, "gemm_gflops": 100.0, "before_vae": {"threads": 9, "rss_mb": 1000.0},
           "vae": {"epoch_seconds": [13.0, 10.0, 10.0], "first_epoch_ratio": 1.3}}
    study = {"train_images": 60000, "anchor_epochs": 1,
             "runs": [{**run, "mode": "after-anchor"}, {**run, "mode": "alone"}]}
    text = render(_full(), first_epoch_study={"studies": [study]})
    assert ("1.30 after the anchor in the same process, 1.30 alone in a fresh process (threads before the VAE 9 "
            "against 9, resident memory 1,000 MB against 1,000 MB): training right after the anchor in the same "
            "process did not make the VAE's first epoch slower than in a fresh process.") in text

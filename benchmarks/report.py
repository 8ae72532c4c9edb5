"""``RESULTS.md`` from ``results.json`` (and ``experiments.json``): tables, goal ratios, experiments.

Run ``python -m benchmarks.report`` to regenerate the Markdown from the JSON
files without measuring anything again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks import goals
from utils import recipes
from utils.data import atomic_write_text

HERE = Path(__file__).resolve().parent

REF = goals.REFERENCE_GFLOPS
LESSON_GOAL = "lesson_seconds:"   # goal keys "lesson_seconds:02", one per lesson in the run
GOALS = {
    "vae_time_ratio": f"VAE seconds_to_anchor_elbo / anchor seconds <= {goals.GOAL_VAE_TIME_RATIO:.2f}",
    "ae_sse_ratio": f"AE test_sse / PCA test_sse <= {goals.GOAL_AE_SSE_RATIO:.2f} (cross-entropy recipe)",
    "ae_seconds": "AE training seconds (cross-entropy recipe) <= the plain SSE recipe's, same run",
    "dae_psnr": f"DAE psnr >= {goals.GOAL_DAE_PSNR_DB:g} dB",
    "dae_vs_keras": "DAE psnr > Keras-example DAE psnr at equal training time",
    "dae_seconds": "DAE training seconds (noise drawn in the pipeline) <= the same DAE's with numpy noise, same run",
    "quick_fraction": f"all notebooks: quick runs together <= {goals.GOAL_QUICK_TIME_FRACTION:g} x "
                      "default runs together (same run; seconds at the reference rate)",
    "quick_vae_elbo": f"notebook 04 in quick mode: test ELBO of p = 2 > {recipes.QUICK_GOAL_VAE_ELBO:g} nats",
    "nbval_ratio": f"every notebook: strict nbval seconds <= {goals.GOAL_NBVAL_RATIO:g} x its default run's",
    "nbval_passed": "every notebook passes strict nbval",
    "first_epoch_ratio": f"every training: first epoch <= {goals.GOAL_FIRST_EPOCH_RATIO:g} x its median "
                         "later epoch (largest judged ratio)",
}


def goal_label(key: str) -> str:
    """The goal table's wording of the goal ``key`` (see :func:`goal_checks`)."""
    if key.startswith(LESSON_GOAL):
        number = key[len(LESSON_GOAL):]
        who = "every lesson" if number == "every" else f"notebook {number}"
        return f"{who}, default run <= {goals.GOAL_LESSON_SECONDS:g} s at {REF:g} GFLOP/s"
    return GOALS[key]


def _get(d: dict, *keys, default=None):
    for k in keys:
        if not isinstance(d, dict) or k not in d or d[k] is None:
            return default
        d = d[k]
    return d


def _fmt(x, digits: int = 1, unit: str = "") -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}{unit}"
    if isinstance(x, float):
        return f"{x:,.{digits}f}{unit}"
    return str(x)


def run_rate(r: dict) -> float | None:
    """The run's GEMM rate for normalizing seconds: the mean of the start and end rates (the start
    rate alone when the end was not measured), or None."""
    rates = [x for x in (r.get("gemm_gflops"), r.get("gemm_end_gflops")) if isinstance(x, (int, float)) and x > 0]
    return sum(rates) / len(rates) if rates else None


def at_reference(seconds: float | None, r: dict) -> float | None:
    """``seconds`` as they would be at the reference GEMM rate: seconds x run rate / reference rate."""
    rate = run_rate(r)
    return None if seconds is None or rate is None else seconds * rate / REF


def notebook_rate(d: dict | None, r: dict) -> float | None:
    """The GEMM rate for a notebook run's seconds: its own (measured right before and after it), else the run's."""
    own = (d or {}).get("gemm_gflops")
    return own if isinstance(own, (int, float)) and own > 0 else run_rate(r)


def notebook_at_reference(d: dict | None, r: dict) -> float | None:
    """A notebook run's seconds at the reference rate, converted with :func:`notebook_rate`."""
    seconds, rate = (d or {}).get("seconds"), notebook_rate(d, r)
    return None if seconds is None or rate is None else seconds * rate / REF


def total_at_reference(runs: dict, total: float | None, r: dict) -> float | None:
    """Notebook runs' seconds together at the reference rate: each by its own rate when every run has one,
    else ``total`` (their measured seconds together) by the run's rate."""
    if runs and all(d.get("gemm_gflops") for d in runs.values()):
        return sum(notebook_at_reference(d, r) for d in runs.values())
    return at_reference(total, r)


def quick_fraction(r: dict) -> float | None:
    """All quick runs over all default runs of the same notebooks (None unless both ran for the same set).

    When every run carries its own GEMM rate, each run's seconds are first converted to the reference rate,
    so a slowdown of the machine between a notebook's two runs does not count for or against quick mode;
    otherwise the measured seconds are compared.
    """
    default, quick = notebook_runs(r.get("notebooks")), notebook_runs(r.get("notebooks_quick"))
    if not default or set(default) != set(quick):
        return None
    if all(d.get("gemm_gflops") for d in [*default.values(), *quick.values()]):
        return total_at_reference(quick, None, r) / total_at_reference(default, None, r)
    return sum(d["seconds"] for d in quick.values()) / sum(d["seconds"] for d in default.values())


def own_at_reference(d: dict, r: dict, key: str = "seconds") -> float | None:
    """``d[key]`` at the reference rate, by the rate of the run that measured ``d``.

    An entry carried over from an earlier run (``d["measured_in"] = {"date": ..., "gemm_gflops": ...}``) is
    converted with that run's rate, not this one's.
    """
    earlier = (d or {}).get("measured_in")
    if earlier and earlier.get("gemm_gflops"):
        value = (d or {}).get(key)
        return None if value is None else value * earlier["gemm_gflops"] / REF
    return at_reference((d or {}).get(key), r)


def notebook_runs(section: dict | None) -> dict:
    """The per-notebook entries of a notebooks section (``{stem: {...}}``), without the totals."""
    return {k: v for k, v in (section or {}).items() if isinstance(v, dict) and "seconds" in v}


def _by_number(section: dict | None, number: str) -> dict | None:
    return next((v for k, v in notebook_runs(section).items() if k.split("_", 1)[0] == number), None)


def first_epoch_rows(r: dict) -> list[dict]:
    """Every training with a first-epoch summary: the bench's models, then the notebooks' default runs."""
    rows = []
    for label, path in (("AE (bench)", ("ae",)), ("AE, plain SSE recipe (bench)", ("ae", "plain")),
                        ("DAE (bench)", ("dae",)), ("VAE (bench)", ("vae",)),
                        ("conditional VAE (bench)", ("cvae",)), ("anchor: TF tutorial CVAE", ("anchors", "tf_cvae"))):
        s = _get(r, *path, "first_epoch")
        if s:
            rows.append({"label": label, **s})
    for name, d in notebook_runs(r.get("notebooks")).items():
        for run in d.get("trainings") or []:
            rows.append({"label": f"{name}, cell {run['cell']} (run {run['run']})", **run})
    return rows


def _met(value, ok) -> dict:
    return {"value": value, "met": None if value is None else bool(ok(value))}


def goal_checks(r: dict) -> dict:
    """Each goal's measured ratio or value and whether it is met (None when not measured).

    Goals on seconds are judged on seconds at the reference GEMM rate (``value``); ``raw`` holds the
    measured seconds.
    """
    out = {}
    t_vae = _get(r, "vae", "seconds_to_anchor_elbo")
    t_anchor = _get(r, "anchors", "tf_cvae", "seconds")
    ratio = t_vae / t_anchor if (t_vae is not None and t_anchor) else None
    out["vae_time_ratio"] = _met(ratio, lambda v: v <= goals.GOAL_VAE_TIME_RATIO)
    sse, pca = _get(r, "ae", "test_sse"), _get(r, "ae", "pca_test_sse")
    ratio = sse / pca if (sse is not None and pca) else None
    out["ae_sse_ratio"] = _met(ratio, lambda v: v <= goals.GOAL_AE_SSE_RATIO)
    now, before = _get(r, "ae", "seconds"), _get(r, "ae", "plain", "seconds")
    out["ae_seconds"] = _met(now / before if (now is not None and before) else None, lambda v: v <= 1.0)
    psnr = _get(r, "dae", "psnr")
    out["dae_psnr"] = _met(psnr, lambda v: v >= goals.GOAL_DAE_PSNR_DB)
    kpsnr = _get(r, "anchors", "keras_dae", "psnr")
    diff = psnr - kpsnr if (psnr is not None and kpsnr is not None) else None
    out["dae_vs_keras"] = _met(diff, lambda v: v > 0)
    now, before = _get(r, "dae", "seconds"), _get(r, "dae", "previous", "seconds")
    out["dae_seconds"] = _met(now / before if (now is not None and before) else None, lambda v: v <= 1.0)

    nbs = r.get("notebooks")
    numbers = sorted({k.split("_", 1)[0] for k in notebook_runs(nbs)}) or ["every"]
    for number in numbers:   # every lesson's default run within a lecture slot
        d = _by_number(nbs, number)
        ok = bool(d) and d.get("ok", True)
        raw = d["seconds"] if ok else None
        out[LESSON_GOAL + number] = {**_met(notebook_at_reference(d, r) if ok else None,
                                            lambda v: v <= goals.GOAL_LESSON_SECONDS), "raw": raw}

    out["quick_fraction"] = _met(quick_fraction(r), lambda v: v <= goals.GOAL_QUICK_TIME_FRACTION)
    elbo = _get(r, "notebooks_quick", "qualities", "vae_test_elbo_p2", "test_elbo")
    out["quick_vae_elbo"] = _met(elbo, lambda v: v > recipes.QUICK_GOAL_VAE_ELBO)

    nbval = notebook_runs(r.get("nbval"))
    ratios = [d.get("ratio_to_default") for d in nbval.values()]
    worst = max(ratios) if nbval and all(x is not None for x in ratios) else None
    out["nbval_ratio"] = _met(worst, lambda v: v <= goals.GOAL_NBVAL_RATIO)
    out["nbval_passed"] = {"value": (f"{sum(d.get('passed', 0) for d in nbval.values())} passed, "
                                     f"{sum(d.get('failed', 0) + d.get('errors', 0) for d in nbval.values())} failed"
                                     if nbval else None),
                           "met": all(d.get("ok") for d in nbval.values()) if nbval else None}

    judged = [row["first_epoch_ratio"] for row in first_epoch_rows(r) if row.get("judged")]
    out["first_epoch_ratio"] = _met(max(judged) if judged else None,
                                    lambda v: v <= goals.GOAL_FIRST_EPOCH_RATIO)
    return out


def _model_rows(r: dict) -> list[str]:
    gemm = r.get("gemm_gflops")
    rows = ["| model | training images | epochs | batch | seconds | s at " + f"{REF:g}" + " GFLOP/s | images/s | "
            "train GFLOP/image | GFLOP/s | % of GEMM | quality |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]

    def row(name, d, quality):
        if not d:
            return
        g = d.get("gflops")
        pct = 100.0 * g / gemm if (g is not None and gemm) else None
        tf = d.get("train_flops_per_image")
        rows.append(f"| {name} | {_fmt(d.get('train_images'))} | {_fmt(d.get('epochs'), 2)} | "
                    f"{_fmt(d.get('batch_size'))} | {_fmt(d.get('seconds'))} | "
                    f"{_fmt(own_at_reference(d, r))} | "
                    f"{_fmt(d.get('images_per_second'), 0)} | {_fmt(None if tf is None else tf / 1e9, 4)} | "
                    f"{_fmt(g)} | {_fmt(pct)} | {quality} |")

    table = (
        (("ae",), lambda d: f"AE, latent size p = {d.get('latent_size')}, cross-entropy recipe (notebook 02)",
         lambda d: f"test SSE/image {_fmt(d.get('test_sse'), 2)} (PCA {_fmt(d.get('pca_test_sse'), 2)})"
                   + (f"; the plain SSE recipe {_fmt(d['plain'].get('test_sse'), 2)} in "
                      f"{_fmt(d['plain'].get('seconds'))} s" if d.get("plain") else "")),
        (("dae",), lambda d: f"DAE, sigma {d.get('sigma')} (notebook 03)",
         lambda d: f"test PSNR {_fmt(d.get('psnr'), 2)} dB (median filter {_fmt(d.get('median_psnr'), 2)}, "
                   f"noisy {_fmt(d.get('noisy_psnr'), 2)})"
                   + (f"; with numpy noise {_fmt(d['previous'].get('psnr'), 2)} dB in "
                      f"{_fmt(d['previous'].get('seconds'))} s" if d.get("previous") else "")),
        (("vae",), lambda d: f"VAE, latent size p = {d.get('latent_size')} (notebook 04)",
         lambda d: f"test ELBO {_fmt(d.get('test_elbo'), 2)} nats"),
        (("cvae",), lambda d: f"conditional VAE, latent size p = {d.get('latent_size')} (notebook 05)",
         lambda d: f"test conditional ELBO {_fmt(d.get('test_elbo'), 2)} nats"),
        (("anchors", "tf_cvae"), lambda d: "anchor: TF tutorial CVAE",
         lambda d: f"test ELBO {_fmt(d.get('test_elbo'), 2)} nats"),
        (("anchors", "keras_dae"), lambda d: "anchor: Keras example DAE (same seconds as the DAE)",
         lambda d: f"test PSNR {_fmt(d.get('psnr'), 2)} dB"),
    )
    for path, label, quality in table:
        d = _get(r, *path)
        if d:
            row(label(d), d, quality(d))
    return rows


def _auc_lines(r: dict) -> list[str]:
    """Notebook 06's AUC table (score by outlier case), or the recorded reason there is none."""
    from benchmarks.notebook_outputs import AUC_NOTEBOOK

    table = r.get("anomaly_auc")
    if not table:
        return []
    quick = r.get("mode") == "smoke" or _get(r, "notebooks", AUC_NOTEBOOK, "quick")
    lines = ["", f"### Anomaly detection: AUC table of notebook 06{' (quick mode)' if quick else ''}", ""]
    if isinstance(table.get("error"), str):
        return lines + [f"Not recorded: {table['error']}"]
    cases = list(dict.fromkeys(c for row in table.values() for c in row))
    lines += ["Read from the printed table of the executed copy (inliers: MNIST test digits; a larger score "
              "means more unusual; AUC = P(outlier scores above inlier), 0.5 is a coin toss).", "",
              "| score | " + " | ".join(cases) + " |", "|---|" + "---:|" * len(cases)]
    for score, row in table.items():
        lines.append(f"| {score} | " + " | ".join(_fmt(row.get(c), 3) for c in cases) + " |")
    return lines


def _notebook_lines(r: dict) -> list[str]:
    """One row per notebook: default run, quick run, strict nbval, each in seconds and at the reference rate."""
    default, quick, nbval = (notebook_runs(r.get(k)) for k in ("notebooks", "notebooks_quick", "nbval"))
    names = list(dict.fromkeys([*default, *quick, *nbval]))
    if not names:
        return []
    ref = f"{REF:g}"
    lines = ["", "## Notebooks: default run, quick run (`CH11_QUICK=1`) and strict nbval, same run", "",
             "Each notebook runs on a temporary copy with nbclient in its default mode; "
             + ("right after it, " if (r.get("nbval") or {}).get("paired") else "in the nbval part, ")
             + "as the README's test command does, under `pytest --nbval --nbval-current-env "
             "--nbval-cell-timeout=900 -v -rs` in a subprocess; then in quick mode. Seconds include the kernel's "
             f"start; \"at {ref}\" is seconds at {ref} GFLOP/s, converted with each run's own GEMM rate "
             "(\"GEMM\": the mean of short measurements right before and right after it) when it was measured. "
             "\"harness s\" is the nbval run's wall time minus "
             "the seconds its cells took (pytest's `--durations` report): what pytest, the kernel's start and "
             "the output comparison add.", "",
             f"| notebook | default s | GEMM | default s at {ref} | quick s | GEMM | quick s at {ref} | "
             f"quick / default at {ref} | nbval s | nbval / default | harness s | nbval tests | ran cleanly |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]

    def clean(d: dict | None, what: str) -> str:
        return "" if d is None else (f"{what} yes" if d.get("ok") else f"{what} **no** ({d.get('error', '')})")

    for n in names:
        d, q, v = default.get(n), quick.get(n), nbval.get(n)
        d_ref, q_ref = notebook_at_reference(d, r), notebook_at_reference(q, r)
        ratio = q_ref / d_ref if (d_ref and q_ref is not None) else None
        tests = (f"{v.get('passed', 0)} passed, {v.get('failed', 0) + v.get('errors', 0)} failed" if v else "–")
        status = "; ".join(x for x in (clean(d, "default"), clean(q, "quick"), clean(v, "nbval")) if x)
        lines.append(f"| {n} | {_fmt(_get(d, 'seconds'), 0)} | {_fmt(_get(d, 'gemm_gflops'), 0)} | {_fmt(d_ref, 0)} | "
                     f"{_fmt(_get(q, 'seconds'), 0)} | {_fmt(_get(q, 'gemm_gflops'), 0)} | {_fmt(q_ref, 0)} | "
                     f"{_fmt(ratio, 3)} | {_fmt(_get(v, 'seconds'), 0)} | {_fmt(_get(v, 'ratio_to_default'), 2)} | "
                     f"{_fmt(_get(v, 'harness_seconds'), 1)} | {tests} | {status} |")
    totals = [_get(r, k, "total_seconds") for k in ("notebooks", "notebooks_quick", "nbval")]
    harness = [v["harness_seconds"] for v in nbval.values() if v.get("harness_seconds") is not None]
    only = any(_get(r, k, "only") for k in ("notebooks", "notebooks_quick", "nbval"))
    ref_totals = [total_at_reference(default, totals[0], r), total_at_reference(quick, totals[1], r)]
    lines.append(f"| **total**{' (only these notebooks)' if only else ''} | **{_fmt(totals[0], 0)}** | | "
                 f"**{_fmt(ref_totals[0], 0)}** | **{_fmt(totals[1], 0)}** | | "
                 f"**{_fmt(ref_totals[1], 0)}** | "
                 f"{_fmt(ref_totals[1] / ref_totals[0] if ref_totals[0] and ref_totals[1] else None, 3)} | "
                 f"**{_fmt(totals[2], 0)}** | {_fmt(totals[2] / totals[0] if totals[0] and totals[2] else None, 2)} | "
                 f"{_fmt(sum(harness) if harness else None, 1)} | | |")
    qualities = _get(r, "notebooks_quick", "qualities") or {}
    if qualities:
        lines += ["", "### What quick mode still shows", "", "| quality | quick mode | default run |", "|---|---|---|"]
        elbo = qualities.get("vae_test_elbo_p2") or {}
        lines.append(f"| notebook 04: test ELBO of the 2-D VAE (goal > {recipes.QUICK_GOAL_VAE_ELBO:g} nats) | "
                     + (f"{_fmt(elbo['test_elbo'], 2)} nats" if "test_elbo" in elbo else
                        f"not recorded: {elbo.get('error', '?')}")
                     + f" | {_fmt(_get(r, 'vae', 'test_elbo'), 2)} nats (the bench's VAE part) |")
        auc_q, auc_d = qualities.get("anomaly_auc") or {}, r.get("anomaly_auc") or {}
        if auc_q:
            def cells(table):
                if isinstance(table.get("error"), str):
                    return f"not recorded: {table['error']}"
                return "; ".join(f"{score}: " + ", ".join(f"{c} {v:.3f}" for c, v in row.items())
                                 for score, row in table.items())
            lines.append(f"| notebook 06: anomaly AUC | {cells(auc_q)} | {cells(auc_d) if auc_d else '–'} |")
    return lines


def _first_epoch_lines(r: dict) -> list[str]:
    """The first epoch against the median later epoch, for every training the run recorded."""
    from benchmarks.epochs import MIN_JUDGED_EPOCH_STEPS

    rows = first_epoch_rows(r)
    if not rows:
        return []
    lines = ["", "## First epoch against later epochs", "",
             "Per-epoch seconds of the bench's own trainings (a callback; the VAE's exclude its test-ELBO "
             "evaluations) and of every training in the notebooks' default runs (the progress lines "
             "`epoch i/n ... t s` of the executed copies, whole seconds). A ratio is judged against the goal "
             f"(<= {goals.GOAL_FIRST_EPOCH_RATIO:g}) when the median later epoch is at least "
             f"{MIN_JUDGED_EPOCH_STEPS} x the printed resolution; shorter ones are shown only.", "",
             "| training | epochs | first epoch s | median later epoch s | first / later | judged |",
             "|---|---:|---:|---:|---:|:---:|"]
    for row in rows:
        ratio = row.get("first_epoch_ratio")
        verdict = ("–" if not row.get("judged") else
                   "yes" if ratio <= goals.GOAL_FIRST_EPOCH_RATIO else "**no**")
        lines.append(f"| {row['label']} | {_fmt(row.get('epochs'))} | {_fmt(row.get('first_epoch_seconds'), 2)} | "
                     f"{_fmt(row.get('later_median_seconds'), 2)} | {_fmt(ratio, 2)} | {verdict} |")
    return lines


def _first_epoch_study_lines(study: dict | None) -> list[str]:
    """The experiments behind running each part in its own process (benchmarks/first_epoch.json)."""
    studies = [s for s in (study or {}).get("studies", []) if s.get("runs")]
    if not studies:
        return []
    lines = ["", "### Why each training part runs in its own process", "",
             "An earlier full run trained the VAE in the same Python process right after the tutorial CVAE "
             "(10 epochs, about 6 minutes): its first epoch took 55.4 s and each later one about 9.7 s "
             "(at 109–118 GFLOP/s); alone in a fresh process it reached the anchor's ELBO in 13.6 s. "
             "`python -m benchmarks.first_epoch` repeats the two situations: notebook 04's VAE trained by the "
             "bench's VAE part (test ELBO after every epoch, evaluation excluded), either right after the "
             "tutorial CVAE in the same process or alone in a fresh one; each measurement in its own "
             "subprocess, the two kinds alternating. The bench now runs every training part in a fresh "
             "process, so no part inherits another's state whatever the cause."]
    for one in studies:
        lines += _one_study_lines(one)
    if study.get("finding"):
        lines += ["", f"Finding: {study['finding']}"]
    return lines


def _one_study_lines(study: dict) -> list[str]:
    runs = study["runs"]
    lines = ["", f"Measured {study.get('measured', '?')}: the VAE on {study.get('train_images', 0):,} images; the "
                 f"anchor {study.get('anchor_epochs')} epoch(s) on {study.get('anchor_images', study.get('train_images', 0)):,} images.", "",
             "| round | VAE trained | GEMM GFLOP/s | anchor s | VAE epoch seconds | first / median later | threads "
             "before the VAE | resident MB before the VAE |", "|---:|---|---:|---:|---|---:|---:|---:|"]
    for run in runs:
        vae = run.get("vae") or {}
        lines.append(f"| {run.get('round')} | {run.get('mode')} | {_fmt(run.get('gemm_gflops'), 0)} | "
                     f"{_fmt(_get(run, 'anchor', 'seconds'), 1)} | "
                     + ", ".join(f"{x:.1f}" for x in vae.get("epoch_seconds", [])) + " | "
                     f"{_fmt(vae.get('first_epoch_ratio'), 2)} | {_fmt(_get(run, 'before_vae', 'threads'))} | "
                     f"{_fmt(_get(run, 'before_vae', 'rss_mb'), 0)} |")
    by_mode = {}
    for run in runs:
        by_mode.setdefault(run.get("mode"), []).append(run)

    def mean(mode, *path):
        vals = [_get(run, *path) for run in by_mode.get(mode, [])]
        vals = [v for v in vals if isinstance(v, (int, float))]
        return sum(vals) / len(vals) if vals else None

    after, alone = mean("after-anchor", "vae", "first_epoch_ratio"), mean("alone", "vae", "first_epoch_ratio")
    if after is not None and alone is not None:
        goal = goals.GOAL_FIRST_EPOCH_RATIO
        verdict = ("the anchor trained before it in the same process made the VAE's first epoch slow"
                   if after > goal >= alone and after > 1.2 * alone else
                   "training right after the anchor in the same process did not make the VAE's first epoch "
                   "slower than in a fresh process")
        lines += ["", f"Mean first epoch over median later epoch: {after:.2f} after the anchor in the same process, "
                      f"{alone:.2f} alone in a fresh process (threads before the VAE "
                      f"{_fmt(mean('after-anchor', 'before_vae', 'threads'), 0)} against "
                      f"{_fmt(mean('alone', 'before_vae', 'threads'), 0)}, resident memory "
                      f"{_fmt(mean('after-anchor', 'before_vae', 'rss_mb'), 0)} MB against "
                      f"{_fmt(mean('alone', 'before_vae', 'rss_mb'), 0)} MB): {verdict}."]
    if study.get("finding"):
        lines += ["", study["finding"]]
    return lines


def _experiment_lines(exps: dict) -> tuple[list[str], list[str]]:
    """Markdown bullets (with a compact table each) for the experiments that helped and those that did not."""
    helped, not_helped = [], []
    for name, e in exps.get("experiments", {}).items():
        rows = e.get("rows") or []
        line = (f"- **{e.get('title', name)}** ({e.get('images', '?'):,} images, {e.get('epochs', '?')} epochs, "
                f"best of {e.get('repeats', '?')} interleaved rounds; measured {e.get('measured', '?')}): "
                f"{e.get('summary', '')}") if isinstance(e.get("images"), int) else f"- **{e.get('title', name)}**: {e.get('summary', '')}"
        if rows:
            line += ("\n\n  | configuration | images/s | images/s per round | GFLOP/s | first epoch s | whole fit s "
                     "| final loss | speed vs baseline | loss vs baseline |\n  |---|---:|---|---:|---:|---:|---:|---:|---:|\n")
            for row in rows:
                if "error" in row:
                    line += f"  | {row['config']} | failed: {row['error'].strip()[:120]} | | | | | | | |\n"
                    continue
                rounds = " / ".join(f"{v:,.0f}" for v in row.get("ips_rounds", []))
                speed = row.get("speedup_vs_baseline")
                loss = row.get("loss_change_vs_baseline")
                line += (f"  | {row['config']} | {_fmt(row.get('images_per_second'), 0)} | {rounds} | "
                         f"{_fmt(row.get('gflops'), 1)} | {_fmt(row.get('first_epoch_seconds'), 2)} | "
                         f"{_fmt(row.get('fit_seconds'), 2)} | "
                         f"{_fmt(row.get('final_loss'), 2)} | {'baseline' if speed is None else f'{speed:.2f}x'} | "
                         f"{'' if loss is None else f'{100 * loss:+.1f} %'} |\n")
            settings = next((r.get("settings") for r in rows
                             if r.get("settings") and r.get("speedup_vs_baseline") is None), None)
            if settings:
                line += ("\n  Training-function settings of the baseline: "
                         + ", ".join(f"`{k}={v}`" for k, v in settings.items()) + ".\n")
        (helped if e.get("verdict") == "helped" else not_helped).append(line)
    return helped, not_helped


# What the shared training path (utils.training.train_model) uses, and the experiment behind each choice:
# (setting, what the series uses, group, baseline row, candidate row, why).
DECISIONS = (
    ("XLA", "off: `jit_compile=False`", "jit_compile", "ae, jit_compile=False", "ae, jit_compile=True",
     "no faster per epoch on these small models, and its compilation lengthens the first epoch and the whole fit"),
    ("Steps per call into the graph", "`steps_per_execution=16`", "steps_per_execution",
     "ae, steps_per_execution=1", "ae, steps_per_execution=16",
     "fewer Python round trips per step; never slower here, though the gain is below the 10 % we claim"),
    ("Input pipeline", "`tf.data`: shuffled indices, gather, prefetch, full batches", "input_pipeline",
     "ae, pipeline=arrays", "ae, pipeline=tf.data",
     "the same speed as arrays handed to `fit`; every batch has one shape and the shuffling is seeded, "
     "the same under a `tf.distribute` strategy; over four seeds the arrays path ended slightly lower on average, "
     "with overlapping ranges (seed check below), less than the 5 % counted as a gain"),
    ("Learning-rate schedule", "Adam, 5 % linear warm-up, then cosine decay to 1 % of the peak", "schedule",
     "ae, schedule=constant", "ae, schedule=cosine",
     "the same speed and a clearly lower loss after the same epochs: the one setting that helped"),
    ("Batch size", "128", "batch_size", "ae, batch_size=128", "ae, batch_size=256",
     "larger batches train more images per second but learn less per epoch (the loss column), smaller "
     "ones the reverse (64 against 128 in the table below); 128 is the middle of that trade"),
    ("bfloat16 mixed precision", "not used (float32)", "bfloat16", "ae", "ae, precision=mixed_bfloat16",
     "a gain within the run-to-run spread, slower with XLA, and the lecture's per-image sum of 784 squared "
     "errors would be summed with 8 significant bits"),
    ("oneDNN", "on (TensorFlow's default)", "onednn", "ae", "ae, onednn=0", "turning it off was slower"),
    ("Thread pools", "TensorFlow's defaults", "threads", "ae", "ae, intra=2, inter=1",
     "every explicit setting tried was slower (see the table below)"),
)


def _decision_lines(exps: dict) -> list[str]:
    """The table of what the training path uses, each row with its measured comparison."""
    groups = exps.get("experiments", {})
    if not groups:
        return []
    lines = ["| setting | the series uses | measured: candidate against baseline | why |", "|---|---|---|---|"]
    for setting, choice, group, base_label, cand_label, why in DECISIONS:
        rows = {r.get("config"): r for r in (groups.get(group) or {}).get("rows", [])}
        base, cand = rows.get(base_label), rows.get(cand_label)
        if not base or not cand or "error" in base or "error" in cand:
            measured = "not measured"
        else:
            speed = cand["images_per_second"] / base["images_per_second"]
            loss = 100 * (cand["final_loss"] / base["final_loss"] - 1)
            measured = (f"{cand_label} against {base_label}: {speed:.2f}x images/s, whole fit "
                        f"{_fmt(cand.get('fit_seconds'), 1)} s against {_fmt(base.get('fit_seconds'), 1)} s, "
                        f"final loss {loss:+.1f} %")
        lines.append(f"| {setting} | {choice} | {measured} | {why} |")
    return lines


def _rst_to_md(text: str) -> str:
    """The docstring's reStructuredText literals and roles as Markdown."""
    import re

    text = re.sub(r":\w+:`([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def render(r: dict, exps: dict | None = None, first_epoch_study: dict | None = None) -> str:
    """The Markdown text of RESULTS.md for results ``r``, experiments ``exps`` and the first-epoch study."""
    m = r.get("machine", {})
    lines = ["# Benchmarks", "",
             "Generated by `python -m benchmarks.report` from `results.json` beside this file"
             + (" and `benchmarks/experiments.json`" if exps else "")
             + "; measured by `make bench` (`python -m benchmarks.run`). Every training run below uses the "
               "notebooks' own builders and training function (`utils`), with the recipe listed at the end."]
    if r.get("mode") == "smoke":
        lines += ["", "**Smoke run** (one epoch, small subset): the numbers prove the harness runs; "
                      "they say nothing about speed or quality."]
    present = {"gemm": r.get("gemm_gflops") is not None, "ae": bool(r.get("ae")), "dae": bool(r.get("dae")),
               "keras_dae": bool(_get(r, "anchors", "keras_dae")), "tf_cvae": bool(_get(r, "anchors", "tf_cvae")),
               "vae": bool(r.get("vae")), "cvae": bool(r.get("cvae")),
               "notebooks": bool(r.get("notebooks_quick") if r.get("mode") == "smoke" else r.get("notebooks"))}
    if r.get("mode") != "smoke":
        present["nbval"] = bool(r.get("nbval"))
    missing = [k for k, v in present.items() if not v]
    if missing:
        lines += ["", f"**Incomplete:** the parts {', '.join(missing)} are not in this file yet "
                      "(`python -m benchmarks.run --only " + ",".join(missing) + "` adds them; "
                      "`make bench` measures everything in one sequence)."]
    failed = r.get("failed_parts") or {}
    if failed:
        lines += ["", "**Failed parts:** " + "; ".join(f"{k}: {v}" for k, v in failed.items())]
    lines += ["", "## Machine", "",
              f"- CPU: {m.get('cpu_model', '?')}, {m.get('usable_cores', '?')} cores "
              f"({', '.join(m.get('cpu_flags', []))}), {m.get('memory_gb', '?')} GB",
              f"- TensorFlow {m.get('tensorflow', '?')}, Keras {m.get('keras', '?')}, "
              f"numpy {m.get('numpy', '?')}, Python {m.get('python', '?')}",
              f"- Date: {m.get('date_utc', '?')}",
              f"- fp32 matrix-multiply ceiling (TensorFlow, {_get(r, 'gemm', 'n', default='?')}"
              f"x{_get(r, 'gemm', 'n', default='?')} matmul, median of {_get(r, 'gemm', 'repeats', default='?')}): "
              f"**{_fmt(r.get('gemm_gflops'))} GFLOP/s**"
              + (f" at the start, {_fmt(r.get('gemm_end_gflops'))} GFLOP/s at the end of the run"
                 if r.get("gemm_end_gflops") else "")]

    rate = run_rate(r)
    lines += ["", "## Seconds at the reference rate", "",
              f"This machine's speed varies from day to day, so every time below is also stated as **seconds at "
              f"{REF:g} GFLOP/s**: measured seconds x this run's GEMM rate / {REF:g}. The run's rate is the mean of "
              f"the GEMM rates measured at its start and its end"
              + (f" ({_fmt(r.get('gemm_gflops'))} and {_fmt(r.get('gemm_end_gflops'))} GFLOP/s, mean "
                 f"{_fmt(rate)})" if r.get("gemm_end_gflops") else
                 f" (only the start was measured: {_fmt(r.get('gemm_gflops'))} GFLOP/s)" if rate else
                 " (not measured in this file: no normalized seconds)")
              + ". The notebook runs carry their own rate instead: the mean of short GEMM measurements right "
                "before and right after each run, since the rate drifts within a run. Goals on seconds are judged "
                "on the seconds at the reference rate; the quick-mode fraction on the notebooks' seconds at the "
                "reference rate (each run by its own rate); the other goals on ratios of two times from the same "
                "run on the measured seconds (the rate cancels)."]
    if r.get("isolation"):
        lines += ["", f"Isolation: {r['isolation']}."]

    lines += ["", "## Goals", "", "| goal | measured | met |", "|---|---:|:---:|"]
    fmt_goal = {"vae_time_ratio": lambda v: _fmt(v, 3), "ae_sse_ratio": lambda v: _fmt(v, 3),
                "dae_psnr": lambda v: _fmt(v, 2, " dB"), "dae_vs_keras": lambda v: ("+" if v and v > 0 else "") + _fmt(v, 2, " dB"),
                "quick_fraction": lambda v: _fmt(v, 3), "quick_vae_elbo": lambda v: _fmt(v, 2, " nats"),
                "nbval_ratio": lambda v: f"{_fmt(v, 2)} (largest)", "nbval_passed": str,
                "first_epoch_ratio": lambda v: _fmt(v, 2),
                "dae_seconds": lambda v: f"{_fmt(v, 2)} x", "ae_seconds": lambda v: f"{_fmt(v, 2)} x"}
    for key, g in goal_checks(r).items():
        met = g["met"]
        if "raw" in g:
            shown = (f"{_fmt(g['value'], 0)} s ({_fmt(g['raw'], 0)} s measured)" if g["value"] is not None else
                     f"{_fmt(g['raw'], 0)} s measured, no GEMM rate" if g["raw"] is not None else "–")
        else:
            shown = fmt_goal[key](g["value"]) if g["value"] is not None else "–"
        lines.append(f"| {goal_label(key)} | {shown} | {'–' if met is None else ('yes' if met else '**no**')} |")

    lines += ["", "## Models, side by side", ""] + _model_rows(r)
    vae, anchor = r.get("vae") or {}, _get(r, "anchors", "tf_cvae") or {}
    if vae.get("elbo_curve") or anchor:
        lines += ["", "### The VAE against the tutorial's CVAE", "",
                  f"Target: the anchor's final test ELBO, {_fmt(anchor.get('test_elbo'), 2)} nats after "
                  f"{_fmt(anchor.get('epochs'))} epoch(s) in {_fmt(anchor.get('seconds'))} s "
                  f"({_fmt(own_at_reference(anchor, r))} s at {REF:g} GFLOP/s"
                  + (f"; measured in the run of {anchor['measured_in'].get('date')} at "
                     f"{_fmt(anchor['measured_in'].get('gemm_gflops'))} GFLOP/s and not re-run in this one, so the "
                     "goal's ratio of measured seconds, taken across the two runs, is the conservative one: this run "
                     "was the slower" if anchor.get("measured_in") else "") + "). "
                  f"The project's VAE first reaches it after "
                  f"{_fmt(vae.get('seconds_to_anchor_elbo'))} s of training "
                  f"({_fmt(at_reference(vae.get('seconds_to_anchor_elbo'), r))} s at {REF:g} GFLOP/s)"
                  + (f" (epoch {vae.get('epoch_reaching_anchor')})" if vae.get("epoch_reaching_anchor") else
                     " (no anchor measured before the VAE in this file)" if vae and vae.get("anchor_elbo") is None
                     else " (not reached)" if vae else "")
                  + ". Test ELBO is evaluated at each epoch's end; evaluation time is excluded from the "
                    "training seconds, so the time is an upper bound (the level may be crossed mid-epoch).", ""]
        if vae.get("elbo_curve"):
            lines += ["| epoch | training seconds | test ELBO |", "|---:|---:|---:|"]
            for p in vae["elbo_curve"]:
                lines.append(f"| {p['epoch']} | {_fmt(p['seconds'])} | {_fmt(p['test_elbo'], 2)} |")
        method = r.get("elbo_method")
        if method:
            lines += ["", f"ELBO evaluation (both models): {method}"]
    k = _get(r, "anchors", "keras_dae")
    if k:
        lines += ["", "### The DAE against the Keras example's DAE", "",
                  f"Both are trained on the same noisy images (sigma {_get(r, 'dae', 'sigma')}, clipped to [0, 1]) "
                  f"with clean targets. The Keras example's model is stopped after the DAE's training time "
                  f"({_fmt(_get(r, 'dae', 'seconds'))} s): it ran {_fmt(k.get('epochs'), 2)} epochs in "
                  f"{_fmt(k.get('seconds'))} s and reaches {_fmt(k.get('psnr'), 2)} dB against the DAE's "
                  f"{_fmt(_get(r, 'dae', 'psnr'), 2)} dB."]

    lines += _notebook_lines(r)
    lines += _first_epoch_lines(r)
    lines += _first_epoch_study_lines(first_epoch_study)
    lines += _auc_lines(r)

    lines += ["", "## How FLOPs are counted", "", _rst_to_md(r.get("flop_rule", ""))]
    recipes = [(n, d) for n, d in ((k, r.get(k)) for k in ("ae", "dae", "vae", "cvae")) if d]
    if recipes:
        lines += ["", "## Recipes used", "", "| model | settings in effect (`TrainResult.settings`) | trained by |",
                  "|---|---|---|"]
        for n, d in recipes:
            settings = ", ".join(f"{k}={v}" for k, v in (d.get("recipe") or {}).items()) or "(none)"
            lines.append(f"| {n} | {settings} | {d.get('recipe_source', '?')} |")
    decisions = _decision_lines(exps or {})
    if decisions:
        lines += ["", "## What the shared training path uses, and why", "",
                  "Every notebook trains through `utils.training.train_model`; these are its settings, each "
                  "with the experiment that decided it (details in the next two sections). Speeds are "
                  "steady-state images per second (the fastest epoch after the first, best of the rounds); "
                  "\"whole fit\" includes the first epoch, where tracing and compilation happen.", ""] + decisions
        seeds = (exps or {}).get("seed_spread")
        if seeds and seeds.get("rows"):
            parts = []
            for name, row in seeds["rows"].items():
                v = row["final_loss"]
                parts.append(f"{name}: mean {sum(v) / len(v):.3f} (" + ", ".join(f"{x:.3f}" for x in v) + ")")
            lines += ["", f"Seed check (`python -m benchmarks.experiments --seed-check`, measured "
                          f"{seeds.get('measured', '?')}): final training loss of the autoencoder after "
                          f"{seeds.get('epochs')} epochs on {seeds.get('images', 0):,} images, seeds "
                          f"{seeds['seeds'][0]} to {seeds['seeds'][-1]}: " + "; ".join(parts) + "."]
    helped, not_helped = _experiment_lines(exps or {})
    lines += ["", "## What helped", ""] + (helped or ["- (no experiment recorded yet)"])
    lines += ["", "## What did not help", ""] + (not_helped or ["- (no experiment recorded yet)"])
    if exps and exps.get("machine"):
        em = exps["machine"]
        lines += ["", f"Speed experiments: `python -m benchmarks.experiments` on {em.get('cpu_model', '?')} "
                      f"({em.get('usable_cores', '?')} cores, TensorFlow {em.get('tensorflow', '?')}), each group "
                      f"under the CPU lock. Rule: {exps.get('rule', '')}."]
    return "\n".join(lines).rstrip() + "\n"


def write_report(results_path: Path, out_path: Path, experiments_path: Path | None = None,
                 first_epoch_path: Path | None = HERE / "first_epoch.json") -> Path:
    """Read the JSON files and write the Markdown report; return its path."""
    r = json.loads(Path(results_path).read_text(encoding="utf-8"))

    def optional(path):
        return json.loads(Path(path).read_text(encoding="utf-8")) if path is not None and Path(path).exists() else None

    return atomic_write_text(out_path, render(r, optional(experiments_path), optional(first_epoch_path)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", default=str(HERE), help="folder with results.json (RESULTS.md is written there)")
    p.add_argument("--experiments", default=str(HERE / "experiments.json"))
    a = p.parse_args(argv)
    out = write_report(Path(a.dir) / "results.json", Path(a.dir) / "RESULTS.md", Path(a.experiments))
    print(out)


if __name__ == "__main__":
    main()

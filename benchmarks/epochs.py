"""The first epoch against the later ones: per-epoch seconds of the bench's trainings and the notebooks'.

The notebooks train through ``utils.training.train_model``, whose progress callback prints one
line per epoch with the seconds since training began, e.g.::

    epoch 2/12  kl 5.322  loss 160.635  reconstruction 155.313  31 s

:func:`training_runs` reads those lines from an executed notebook's stored stdout (one run
per ``epoch 1/n`` ... ``epoch k/n`` sequence); the bench's own trainings record the same
cumulative seconds with a callback. :func:`epoch_summary` turns cumulative seconds into the
first epoch's seconds over the median later epoch.

The progress line prints whole seconds, so a short epoch's time is uncertain by up to a
second: a ratio is *judged* against the goal only when the median later epoch is at least
``MIN_JUDGED_EPOCH_STEPS`` times the printed resolution (5 s for whole seconds, so rounding
changes a later epoch's seconds by at most a fifth); shorter runs are shown, not judged.
"""

from __future__ import annotations

import re
import statistics

from benchmarks.notebook_outputs import cell_stdout

_EPOCH_LINE = re.compile(r"^\s*epoch (\d+)/(\d+)\s.*?\s(\d+(?:\.\d+)?) s\s*$")
MIN_JUDGED_EPOCH_STEPS = 5      # a ratio is judged when the median later epoch >= 5 x the printed resolution


def per_epoch(cumulative: list[float]) -> list[float]:
    """Each epoch's seconds from the seconds since training began at each epoch's end."""
    return [b - a for a, b in zip([0.0] + list(cumulative[:-1]), cumulative)]


def epoch_summary(cumulative: list[float], resolution: float = 0.0) -> dict:
    """First epoch over the median later epoch, from cumulative seconds.

    Parameters
    ----------
    cumulative : seconds since training began at the end of epoch 1, 2, ...
    resolution : the seconds' printed resolution (1.0 for whole seconds, 0 for exact timings).

    Returns
    -------
    dict
        ``{"epochs", "epoch_seconds", "first_epoch_seconds", "later_median_seconds",
        "first_epoch_ratio", "judged"}``; the ratio is None with fewer than two epochs or
        a zero median, and ``judged`` is False then or when the epochs are too short for
        the resolution (see the module's docstring).
    """
    seconds = per_epoch([float(c) for c in cumulative])
    out = {"epochs": len(seconds), "epoch_seconds": seconds,
           "first_epoch_seconds": seconds[0] if seconds else None,
           "later_median_seconds": statistics.median(seconds[1:]) if len(seconds) > 1 else None,
           "first_epoch_ratio": None, "judged": False}
    later = out["later_median_seconds"]
    if later:
        out["first_epoch_ratio"] = seconds[0] / later
        out["judged"] = later >= MIN_JUDGED_EPOCH_STEPS * resolution
    return out


def training_runs(nb) -> list[dict]:
    """Every training run a notebook's stored stdout shows through its per-epoch progress lines.

    Returns
    -------
    list of dict
        One per run, in order: ``{"cell": index of the code cell, "run": 1, 2, ... within
        the notebook, "planned_epochs": n}`` plus :func:`epoch_summary`'s keys.

    Raises
    ------
    ValueError
        If the epoch lines of a cell are out of order (an epoch other than the next one, or a
        different ``/n``) or a run's seconds decrease: the lines were not printed by one
        training each.
    """
    runs: list[dict] = []
    for index, cell in enumerate(nb.get("cells", [])):
        current = None
        for line in cell_stdout(cell).splitlines():
            m = _EPOCH_LINE.match(line)
            if not m:
                continue
            epoch, planned, seconds = int(m.group(1)), int(m.group(2)), m.group(3)
            if epoch == 1:
                current = {"cell": index, "planned_epochs": planned, "cumulative": [], "resolution": 0.0}
                runs.append(current)
            elif current is None or planned != current["planned_epochs"] or epoch != len(current["cumulative"]) + 1:
                raise ValueError(f"code cell {index} prints {line.strip()!r} out of order; expected epoch "
                                 f"{1 if current is None else len(current['cumulative']) + 1} of one training run")
            value = float(seconds)
            if current["cumulative"] and value < current["cumulative"][-1]:
                raise ValueError(f"code cell {index} prints {line.strip()!r}: the seconds since training began "
                                 f"went down from {current['cumulative'][-1]:g}; expected them to grow")
            current["cumulative"].append(value)
            step = 10.0 ** -len(seconds.split(".")[1]) if "." in seconds else 1.0
            current["resolution"] = max(current["resolution"], step)
    out = []
    for number, run in enumerate(runs, start=1):
        out.append({"cell": run["cell"], "run": number, "planned_epochs": run["planned_epochs"],
                    "cumulative_seconds": run["cumulative"], "resolution": run["resolution"],
                    **epoch_summary(run["cumulative"], run["resolution"])})
    return out

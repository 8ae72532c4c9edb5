"""Numbers read from a notebook's printed output: notebook 06's AUC table, notebook 04's test ELBO.

Notebook 06 prints its anomaly-detection AUC table as text, one row per score and one
column per outlier case, for example::

           AUC |      Fashion-MNIST |   held-out digit 4
            AE |              0.997 |              0.887
           PCA |              0.919 |              0.630

:func:`parse_auc_table` reads that text into ``{score: {case: auc}}``;
:func:`auc_table_from_notebook` finds it in a notebook's stored stdout. Anything that
does not look like that table raises ``ValueError``: a number is recorded only if the
notebook printed it.

Notebook 04 prints the test ELBO of its 2-D model on one line, in default and quick mode::

    test ELBO, p = 2: -158.23 nats

:func:`vae_elbo_from_notebook` reads it (the bench compares the quick-mode value with
``recipes.QUICK_GOAL_VAE_ELBO``).
"""

from __future__ import annotations

import math
import re

AUC_NOTEBOOK = "06_applications"       # the notebook whose AUC table the benchmark records
_HEADER = re.compile(r"^\s*AUC\s*\|")   # the table's first line starts with the word AUC and a bar
ELBO_NOTEBOOK = "04_variational_autoencoder"   # the notebook whose 2-D test ELBO the benchmark records
_ELBO_LINE = re.compile(r"test ELBO, p = 2: (\S+) nats")


def cell_stdout(cell) -> str:
    """All stdout text a code cell printed (its stream outputs may be split in several pieces)."""
    text = []
    for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            t = out.get("text", "")
            text.append("".join(t) if isinstance(t, list) else t)
    return "".join(text)


def parse_auc_table(text: str) -> dict[str, dict[str, float]]:
    """``{score: {case: auc}}`` from the printed table that starts at the line ``AUC | case | ...``.

    The rows are the lines right after the header with as many ``|``-separated fields; the table
    ends at the first line that is not such a row.

    Raises
    ------
    ValueError
        If there is no header or more than one, no rows, a row with a different number of
        fields, an empty or repeated name, or a value that is not a number in [0, 1].
    """
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if len(starts) != 1:
        raise ValueError(f"found {len(starts)} lines starting with 'AUC |' in the output; expected exactly one "
                         "(the header of notebook 06's AUC table)")
    header = [f.strip() for f in lines[starts[0]].split("|")]
    cases = header[1:]
    if not cases or any(not c for c in cases) or len(set(cases)) != len(cases):
        raise ValueError(f"the AUC table's header names the cases {cases}; expected distinct non-empty names")
    table: dict[str, dict[str, float]] = {}
    for line in lines[starts[0] + 1:]:
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 1:        # no bar: the table has ended
            break
        if len(fields) != len(header):
            raise ValueError(f"the AUC table's row {line.strip()!r} has {len(fields)} fields; "
                             f"expected {len(header)} like its header")
        name = fields[0]
        if not name or name in table:
            raise ValueError(f"the AUC table's row {line.strip()!r} has an empty or repeated score name")
        row = {}
        for case, field in zip(cases, fields[1:]):
            try:
                value = float(field)
            except ValueError:
                raise ValueError(f"the AUC table's entry for {name!r}, {case!r} is {field!r}; "
                                 "expected a number") from None
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise ValueError(f"the AUC table's entry for {name!r}, {case!r} is {value}; "
                                 "expected an AUC between 0 and 1")
            row[case] = value
        table[name] = row
    if not table:
        raise ValueError("the AUC table has a header but no rows")
    return table


def auc_table_from_notebook(nb) -> dict[str, dict[str, float]]:
    """The AUC table printed by the one code cell of ``nb`` (a notebook dict) that prints it.

    Raises
    ------
    ValueError
        If no cell or more than one prints an ``AUC |`` header, or the table is malformed
        (see :func:`parse_auc_table`).
    """
    outputs = [cell_stdout(c) for c in nb.get("cells", [])]
    hits = [t for t in outputs if any(_HEADER.match(line) for line in t.splitlines())]
    if len(hits) != 1:
        raise ValueError(f"{len(hits)} cells printed an 'AUC |' table; expected exactly one "
                         "(notebook 06's AUC table)")
    return parse_auc_table(hits[0])


def auc_table_or_error(nb, timing: dict) -> dict:
    """What results.json records: the table, or ``{"error": why}`` when the run or the parsing failed."""
    if not timing.get("ok"):
        return {"error": f"{AUC_NOTEBOOK} did not run cleanly ({timing.get('error', '?')}); no AUC recorded"}
    try:
        return auc_table_from_notebook(nb)
    except ValueError as err:
        return {"error": f"could not read the AUC table from {AUC_NOTEBOOK}'s output: {err}"}


def vae_elbo_from_notebook(nb) -> float:
    """The 2-D VAE's test ELBO (nats) from the one stdout line ``test ELBO, p = 2: <number> nats``.

    Raises
    ------
    ValueError
        If no line or more than one matches, or the value is not a finite number <= 0.
    """
    hits = [m.group(1) for c in nb.get("cells", []) for m in _ELBO_LINE.finditer(cell_stdout(c))]
    if len(hits) != 1:
        raise ValueError(f"found {len(hits)} lines 'test ELBO, p = 2: <number> nats' in the output; expected "
                         f"exactly one (notebook 04 prints the 2-D model's test ELBO so)")
    try:
        value = float(hits[0])
    except ValueError:
        raise ValueError(f"the test ELBO of p = 2 is printed as {hits[0]!r}; expected a number") from None
    if not (math.isfinite(value) and value <= 0.0):
        raise ValueError(f"the test ELBO of p = 2 is {value}; expected a finite number <= 0 (nats)")
    return value


def vae_elbo_or_error(nb, timing: dict) -> dict:
    """``{"test_elbo": value}`` or ``{"error": why}`` when the run or the parsing failed."""
    if not timing.get("ok"):
        return {"error": f"{ELBO_NOTEBOOK} did not run cleanly ({timing.get('error', '?')}); no ELBO recorded"}
    try:
        return {"test_elbo": vae_elbo_from_notebook(nb)}
    except ValueError as err:
        return {"error": f"could not read the test ELBO from {ELBO_NOTEBOOK}'s output: {err}"}

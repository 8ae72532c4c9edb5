"""Refresh a notebook after a change: run it, bring it into the series' form, check it, and say what to read.

    make refresh NB=02                 # python -m tools.refresh 02
    make refresh NB="02 06"            # several
    make refresh NB=02-solutions       # a solution notebook (notebooks/solutions/02_*.ipynb)
    make refresh                       # every lesson and every solution notebook

For the notebooks named, in this order:

1. each is executed top to bottom from a clean kernel in its default mode (``tools.nbio``; the
   kernel imports ``utils`` from this checkout) and written in place, only when every cell ran;
2. ``python -m tools.course sync`` and ``python -m tools.slides annotate`` (the lessons);
3. each is run under strict nbval, as ``make test`` does;
4. the report: the settings of ``utils/recipes.py`` that differ from git's HEAD and the other
   notebooks that read them (``tools.recipe_users.USERS``), to refresh next; every markdown cell
   whose quoted numbers are not in the notebook's outputs (a decimal found in no output and not
   on :data:`QUOTED_SETTINGS`, or any number that was in the outputs before the run and is not
   any more); and each notebook's run time beside what its title cell says.

Exit codes: 0 done and nothing to read; 1 done, and the report lists sentences to re-read or
notebooks to refresh next; 2 nothing done (an unknown notebook, a damaged file); 3 a step failed
(the message says which, and whether the notebook was written).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tools import nbio
from tools.recipe_users import USERS, notebook_key, recipe_values

ROOT = Path(__file__).resolve().parent.parent
# the flags of the README's test command (make test) for one notebook
NBVAL_ARGS = ("--nbval", "--nbval-current-env", "--nbval-cell-timeout=900", "-p", "no:cacheprovider")

# --------------------------------------------------------------------------- quoted numbers
# A decimal in the narrative ("0.297", "31.8초", "-145.31"), not part of a longer token such as
# "v0.2.0", a URL or an identifier.
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?!\d|\.\d)")
# Any number in the narrative or an output, for the before/after comparison ("3,750", "60000", "0.355").
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d|\.\d|,\d{3})")
URL = re.compile(r"https?://\S+|\]\([^)]*\)")

# Decimals a notebook's text may quote without an output: settings and constants of the lecture, not
# readings of a run. Keep it short; each entry says what the number is. Keys as tools.recipe_users.
QUOTED_SETTINGS: dict[str, dict[str, str]] = {
    "02": {"0.999": "Adam's default beta_2, recipes.ADAM_BETAS"},
    "03": {"0.1": "noise level sigma on the figure's axis", "0.2": "sigma, exercise 4's first DAE",
           "0.8": "sigma, exercise 4's second DAE", "0.9": "noise level sigma on the figure's axis"},
    "04": {"0.8": "s, the noise standard deviation of exercise 2's model"},
    "05": {"0.1": "p(y) = 1/10 for ten digits; a threshold of exercise 5", "2.3": "-log 0.1 = log 10",
           "0.01": "recipes.ACTIVE_UNIT_THRESHOLD", "1.5": "mu given in exercise 1", "0.4": "log sigma^2 given in exercise 1",
           "0.003": "a threshold of exercise 5", "0.03": "a threshold of exercise 5"},
    "06": {"0.3": "the weight in Hasler and Suesstrunk's colourfulness M", "0.5": "the AUC of a coin toss"},
    "03-solutions": {"1.0": "the peak value of images in [0, 1]", "0.5": "sigma given in exercises 1 and 3",
                     "0.8": "(x - 1/2) / sigma^2 at x = 0.7, sigma = 0.5 in exercise 3"},
    "04-solutions": {"0.5": "the standard deviation of q given in exercise 1",
                     "0.8": "s, the noise standard deviation of exercise 2's model"},
    "05-solutions": {"1.5": "mu given in exercise 1", "0.5": "mu and log sigma^2 given in exercise 1",
                     "0.4": "log sigma^2 given in exercise 1", "4.0": "beta = 4, a key of recipes.BETA_VALUES",
                     "0.03": "a threshold of exercise 5", "0.1": "a threshold of exercise 5"},
    "06-solutions": {"1.645": "the standard normal's 95 % quantile", "0.5": "the AUC of a coin toss",
                     "0.95": "the quantile level of exercise 4's threshold (a 5 % false-alarm rate)"},
}


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def output_text(nb) -> str:
    """Every text a code cell's outputs show: streams, and text/plain, markdown, html, latex results."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(_join(out.get("text", "")))
            elif out.get("output_type") in ("execute_result", "display_data"):
                for kind in ("text/plain", "text/markdown", "text/html", "text/latex"):
                    if kind in out.get("data", {}):
                        parts.append(_join(out["data"][kind]))
    return "\n".join(parts)


def _join(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def output_numbers(nb) -> set[float]:
    """The values of the numbers the outputs print."""
    return {_value(n) for n in NUMBER.findall(output_text(nb))}


@dataclass
class Stale:
    """A markdown cell that quotes numbers no output shows."""

    cell: int
    numbers: list[str]
    heading: str
    sentences: list[str]

    def line(self, name: str) -> str:
        where = f"{name} {nbio.cell_label(self.cell)}" + (f", under '{self.heading}'" if self.heading else "")
        return f"{where}: {', '.join(self.numbers)}\n" + "\n".join(f"    « {s} »" for s in self.sentences)


def _sentence(text: str, number: str) -> str:
    """The sentence of ``text`` that quotes ``number``, shortened to about 160 characters."""
    text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)   # a paragraph's lines are one text
    for piece in re.split(r"(?<=[.!?])\s+|\n+", text):
        m = re.search(rf"(?<![\w.]){re.escape(number)}(?!\d|\.\d)", piece)
        if m:
            piece = piece.strip()
            if len(piece) > 160:
                start = max(0, min(m.start() - 70, len(piece) - 160))
                piece = ("…" if start else "") + piece[start:start + 160] + ("…" if start + 160 < len(piece) else "")
            return piece
    return number


def _headings(nb) -> list[str]:
    """For each cell, the last markdown heading at or above it."""
    current, out = "", []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heads = [ln.strip() for ln in cell.source.splitlines() if ln.startswith("#")]
            current = heads[-1] if heads else current
        out.append(current)
    return out


def unquoted_decimals(nb, key: str) -> list[Stale]:
    """Markdown cells with a decimal that is in no output and not on the notebook's allow-list."""
    shown = output_numbers(nb)
    allowed = {_value(v) for v in QUOTED_SETTINGS.get(key, {})}
    heads = _headings(nb)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = URL.sub(" ", cell.source)
        numbers = [n for n in dict.fromkeys(DECIMAL.findall(text)) if _value(n) not in shown | allowed]
        if numbers:
            found.append(Stale(i, numbers, heads[i] if heads[i] != text.strip() else "",
                               list(dict.fromkeys(_sentence(text, n) for n in numbers))))
    return found


def lost_numbers(before, after, key: str) -> list[Stale]:
    """Markdown cells quoting a number that the outputs showed before the run and no longer show,
    or a decimal no output shows (:func:`unquoted_decimals`)."""
    lost = output_numbers(before) - output_numbers(after)
    heads = _headings(after)
    by_cell = {s.cell: s for s in unquoted_decimals(after, key)}
    for i, cell in enumerate(after.cells):
        if cell.cell_type != "markdown":
            continue
        text = URL.sub(" ", cell.source)
        gone = [n for n in dict.fromkeys(NUMBER.findall(text)) if _value(n) in lost]
        if not gone:
            continue
        s = by_cell.setdefault(i, Stale(i, [], heads[i] if heads[i] != text.strip() else "", []))
        s.numbers += [n for n in gone if n not in s.numbers]
    for i, s in by_cell.items():   # in the order the text quotes them, each sentence once
        text = URL.sub(" ", after.cells[i].source)
        s.numbers.sort(key=lambda n: re.search(rf"(?<![\w.]){re.escape(n)}(?!\d|\.\d)", text).start())
        s.sentences = list(dict.fromkeys(_sentence(text, n) for n in s.numbers))
    return [by_cell[i] for i in sorted(by_cell)]


# --------------------------------------------------------------------------- changed settings

def changed_settings(root: Path = ROOT) -> dict[str, tuple[object, object]] | str:
    """The constants of utils/recipes.py that differ from git's HEAD: name -> (at HEAD, now), with
    ``None`` for one that is new or gone; a sentence instead when HEAD cannot be read."""
    try:
        done = subprocess.run(["git", "-C", str(root), "show", "HEAD:utils/recipes.py"], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"git could not be run ({exc}); changed settings not checked"
    if done.returncode != 0:
        return f"utils/recipes.py at HEAD could not be read ({done.stderr.strip()[:120]}); changed settings not checked"
    try:
        old = recipe_values(done.stdout)
        new = recipe_values((root / "utils" / "recipes.py").read_text(encoding="utf-8"))
    except (SyntaxError, OSError) as exc:
        return f"utils/recipes.py could not be read ({exc}); changed settings not checked"
    return {n: (old.get(n), new.get(n)) for n in dict.fromkeys([*old, *new]) if old.get(n) != new.get(n)}


# --------------------------------------------------------------------------- the steps

def notebooks_by_key(root: Path = ROOT) -> dict[str, Path]:
    from tools.course import series

    return {notebook_key(p, root): p for p in series(root)}


def select(names: list[str], root: Path = ROOT) -> list[Path]:
    """The notebooks ``names`` mean ("02", "02-solutions", a stem or a path); all of them for none.

    Raises
    ------
    ValueError
        For a name that matches no notebook (the message lists the names there are).
    """
    known = notebooks_by_key(root)
    if not names:
        return list(known.values())
    chosen = []
    for name in names:
        name = name.strip()
        path = Path(name)
        hits = [p for k, p in known.items()
                if name in (k, p.stem, p.name) or (path.suffix == ".ipynb" and path.resolve() == p.resolve())]
        if not hits:
            raise ValueError(f"NB={name!r} names no notebook; use a number such as 02, 02-solutions for its "
                             f"solutions, or nothing for all. The notebooks: {' '.join(known)}")
        chosen += [p for p in hits if p not in chosen]
    return chosen


def kernel_env(root: Path) -> dict[str, str]:
    """This process's environment with ``root`` first on PYTHONPATH (the kernel imports this checkout's utils)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("CH11_QUICK", None)
    return env


def run_nbval(paths: list[Path], root: Path, timeout: float = 7200) -> tuple[bool, str]:
    """Strict nbval of ``paths`` (default mode) in a pytest subprocess: (passed, a short summary)."""
    cmd = [sys.executable, "-m", "pytest", *map(str, paths), *NBVAL_ARGS, "-q"]
    try:
        done = subprocess.run(cmd, cwd=root, env=kernel_env(root), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"pytest did not finish within {timeout:g} s"
    lines = done.stdout.strip().splitlines()
    failed = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
    summary = lines[-1] if lines else done.stderr.strip()[-300:]
    return done.returncode == 0, "\n".join(failed[:10] + [summary])


def _tool(args: list[str], root: Path) -> tuple[bool, str]:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def _title_time(nb) -> str:
    from tools.course import title_info

    try:
        return title_info(nb, "")["time"]
    except ValueError:
        return "(no run time in the title cell)"


def refresh(names: list[str], root: Path = ROOT, timeout: int = nbio.CELL_TIMEOUT, nbval: bool = True,
            out=None, users: dict[str, tuple[str, ...]] | None = None) -> int:
    """Run the steps of this module's docstring for the notebooks ``names``; return the exit code.

    ``users`` is the map of settings to notebooks (default :data:`tools.recipe_users.USERS`).
    """
    out = out or sys.stdout
    users_of = USERS if users is None else users
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    try:
        paths = select(names, root)
        before = {p: nbio.read_notebook(p) for p in paths}
    except (nbio.NotebookError, ValueError) as exc:
        print(f"refresh: {exc}\nrefresh: nothing was changed.", file=sys.stderr)
        return 2
    keys = {p: notebook_key(p, root) for p in paths}
    after, seconds = {}, {}
    for p in paths:
        say(f"refresh: running {keys[p]} ({p.relative_to(root)}) from a clean kernel in its default mode ...")
        start = time.perf_counter()
        try:
            after[p] = nbio.execute_notebook(p, timeout=timeout, env=kernel_env(root))
        except nbio.NotebookExecutionError as exc:
            print(f"refresh: {exc}\nrefresh: {p.relative_to(root)} is unchanged"
                  + (f"; written before it: {', '.join(keys[q] for q in after)}" if after else "")
                  + ". Fix the cell (or the utils code it calls) and run the refresh again.", file=sys.stderr)
            return 3
        seconds[p] = time.perf_counter() - start
        nbio.write_notebook(after[p], p)
        say(f"refresh: {keys[p]} ran in {seconds[p]:.0f} s and is written")

    lessons = [p for p in paths if p.parent.name != "solutions"]
    steps = [(["tools.course", "sync", "--root", str(root)], "course sync")]
    if lessons:
        steps.append((["tools.slides", "annotate", *map(str, lessons)], "slides annotate"))
    for args, what in steps:
        ok, text = _tool(args, root)
        say(f"refresh: {what}: " + (text.replace("\n", "; ") if text else "nothing to change"))
        if not ok:
            print(f"refresh: {what} failed (exit above); the executed notebooks are written. Fix what it names "
                  f"and run `python -m {' '.join(args[:2])}`.", file=sys.stderr)
            return 3
    for p in paths:
        after[p] = nbio.read_notebook(p)   # as sync and annotate left it

    failed_nbval = False
    if nbval:
        say(f"refresh: strict nbval of {' '.join(keys[p] for p in paths)} ...")
        ok, text = run_nbval(paths, root)
        say("refresh: nbval: " + text.replace("\n", "\n  "))
        failed_nbval = not ok

    # the report
    say()
    to_read = False
    changed = changed_settings(root)
    refreshed = set(keys.values())
    if isinstance(changed, str):
        say(f"Settings: {changed}.")
    elif not changed:
        say("Settings: utils/recipes.py is as at HEAD.")
    else:
        say("Settings changed in utils/recipes.py (against HEAD):")
        others: dict[str, list[str]] = {}
        for name, (old, new) in changed.items():
            users = users_of.get(name)
            shown = "new" if old is None else "removed" if new is None else f"{old!r} -> {new!r}"
            if users is None:
                say(f"  {name}: {shown}; not in tools/recipe_users.USERS: run `python -m tools.recipe_users` "
                    "and add it")
                to_read = True
                continue
            say(f"  {name}: {shown}; read by {', '.join(users) or 'no notebook'}"
                + (" (quick mode only: the stored outputs come from the default run)" if name.startswith("QUICK_") else ""))
            if not name.startswith("QUICK_"):
                for k in users:
                    if k not in refreshed:
                        others.setdefault(k, []).append(name)
        if others:
            to_read = True
            say("Also read these settings, so refresh them next:")
            for k, names_ in others.items():
                say(f"  {k} ({', '.join(names_)}): make refresh NB={k}")
        else:
            say("No other notebook reads them.")
    say()
    stale_total = 0
    for p in paths:
        stale = lost_numbers(before[p], after[p], keys[p])
        stale_total += len(stale)
        if stale:
            say(f"{keys[p]}: {len(stale)} markdown cell(s) quote numbers its outputs do not show; re-read them:")
            for s in stale:
                say("  " + s.line(keys[p]).replace("\n", "\n  "))
        else:
            say(f"{keys[p]}: every quoted number is in the outputs.")
    say()
    for p in paths:
        say(f"{keys[p]}: ran in {seconds[p]:.0f} s here (machine load and GEMM rate vary: `make bench` measures "
            f"it); its title cell says: {_title_time(after[p])}")
    to_read = to_read or stale_total > 0
    if failed_nbval:
        print("refresh: strict nbval failed (above): a cell whose output changes from run to run needs the tag "
              "nbval-ignore-output, or the notebook does not run the same twice; the notebooks are written.",
              file=sys.stderr)
        return 3
    say("refresh: done" + (", with the above to read." if to_read else "; nothing to read."))
    return 1 if to_read else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.refresh", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="02, 02-solutions, a stem or a path (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    parser.add_argument("--timeout", type=int, default=nbio.CELL_TIMEOUT, help="seconds allowed per cell")
    parser.add_argument("--no-nbval", action="store_true", help="skip the strict nbval step")
    args = parser.parse_args(argv)
    names = [n for arg in args.notebooks for n in re.split(r"[\s,]+", arg) if n]
    return refresh(names, args.root.resolve(), args.timeout, nbval=not args.no_nbval)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Colab-stack check: run the utils tests and every notebook (quick mode) with the
# package versions Google Colab ships, as pinned in colab/requirements-colab.txt.
#
#   bash colab/run_colab_stack.sh        (or: make test-colab)
#
# 1. Creates .venv-colab with `python -m venv` when it is missing, and creates it
#    anew when requirements-colab.txt or the Python interpreter changed (a stamp
#    file inside the venv holds the file's SHA-256 and the Python version).
# 2. Installs the pins, then this project with `pip install --no-deps -e .`,
#    exactly as the notebooks' Colab setup cell does (--no-deps keeps the pins).
# 3. Prints the versions actually installed and stops if any differs from its pin.
# 4. Prepares the data (python -m tools.offline_data prepare --dataset all), runs `pytest tests`
#    (without tests/browser), then each notebook with
#    `CH11_QUICK=1 pytest --nbval-lax --nbval-current-env`: every cell runs top to
#    bottom and any error fails; outputs are not compared (quick-mode numbers
#    differ from the stored full run). The committed notebooks are never written.
# 5. Ends with one summary line; exits 1 if anything failed.
#
# Needs only python3 (3.11-3.12, within requires-python; Colab runs 3.12) and PyPI.
# tests/test_widgets.py imports, displays and embeds the explorer widgets under the pinned
# ipywidgets and draws their stored state in headless Chromium (the system Chromium at
# CHROMIUM_PATH, default /usr/bin/chromium; the test is skipped where there is none).
# Environment:
#   COLAB_TESTS="tests/test_widgets.py"   pytest arguments of the utils step (default: tests, without
#                                tests/browser); COLAB_NOTEBOOKS="" runs no notebook, or names a few
#   COLAB_NOTEBOOKS="notebooks/04_variational_autoencoder.ipynb"   notebooks to run (default: all)
#   PYTHON=/path/to/python3.12   interpreter for the venv (default: the one the existing
#                                venv was made with, else python3.12 if it runs, else python3)
#   COLAB_VENV=.venv-colab       where the venv lives
#   CH11_CPU_LOCK=/path/to/lock  optional: run each CPU-heavy step under `flock` on this
#                                file (when flock exists), so that runs sharing a machine
#                                do not slow each other's timings; off by default.
set -euo pipefail

cd "$(dirname "$0")/.."
REQ=colab/requirements-colab.txt
VENV=${COLAB_VENV:-.venv-colab}
CPU_LOCK=${CH11_CPU_LOCK-}
T_START=$(date +%s)

log() { printf 'colab-stack: %s\n' "$*"; }

# --- interpreter -------------------------------------------------------------
if [[ -n "${PYTHON:-}" ]]; then
    PY=$PYTHON
elif [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
    # Keep the interpreter the existing venv was made with (it may have been chosen with PYTHON=).
    PY=$("$VENV/bin/python" -c 'import sys; print(sys._base_executable)')
elif python3.12 -c 'pass' >/dev/null 2>&1; then
    PY=python3.12
else
    PY=python3
fi
PY_VERSION=$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
"$PY" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' || {
    log "Python $PY_VERSION ($PY) cannot install the pinned numpy; use 3.11-3.12 (Colab runs 3.12), e.g. PYTHON=python3.12"
    exit 2
}

# --- venv and pins -----------------------------------------------------------
BIN=$VENV/bin
STAMP=$VENV/.colab-stamp
REQ_SHA=$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$REQ")
WANT_STAMP="$REQ_SHA python-$PY_VERSION"
if [[ -x $BIN/python && -f $STAMP && "$(cat "$STAMP")" == "$WANT_STAMP" ]]; then
    log "$VENV is up to date with $REQ"
else
    if [[ -e $VENV ]]; then
        if [[ ! -f $VENV/pyvenv.cfg ]]; then
            log "$VENV exists but is not a virtual environment; move it away or set COLAB_VENV"
            exit 2
        fi
        log "$REQ or the interpreter changed: creating $VENV anew"
        rm -rf -- "$VENV"
    fi
    log "creating $VENV with Python $PY_VERSION and installing $REQ (TensorFlow is a large download: a few minutes)"
    T_INSTALL=$(date +%s)
    "$PY" -m venv "$VENV"
    "$BIN/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$BIN/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
    echo "$WANT_STAMP" > "$STAMP"
    log "installed in $(( $(date +%s) - T_INSTALL )) s"
fi
# The project itself, as the Colab setup cell installs it: no dependencies, so the pins stay.
"$BIN/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .

# --- the versions actually installed must be the pinned ones -----------------
VERSIONS=$("$BIN/python" - "$REQ" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

bad = []
pins = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    req = Requirement(line)
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator == "==":
        pins[canonicalize_name(req.name)] = specs[0].version
for name, want in pins.items():
    try:
        have = version(name)
    except PackageNotFoundError:
        have = "missing"
    if have != want:
        bad.append(f"{name}: pinned {want}, installed {have}")
# Import the stack, so that what runs is what the metadata says.
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf, keras, ipywidgets, numpy, matplotlib
loaded = {"tensorflow": tf.__version__, "keras": keras.__version__,
          "ipywidgets": ipywidgets.__version__, "numpy": numpy.__version__,
          "matplotlib": matplotlib.__version__}
for name, have in loaded.items():
    if name in pins and have != pins[name]:
        bad.append(f"{name}: pinned {pins[name]}, imports as {have}")
for msg in bad:
    print("MISMATCH " + msg, file=sys.stderr)
print(" ".join(f"{k}={v}" for k, v in loaded.items()))
sys.exit(1 if bad else 0)
PY
) || { log "installed versions differ from $REQ (see MISMATCH above); delete $VENV and run again"; exit 1; }
v() { tr ' ' '\n' <<<"$VERSIONS" | sed -n "s/^$1=//p"; }
log "installed: Python $PY_VERSION, $VERSIONS (all as pinned)"

# --- tests -------------------------------------------------------------------
locked() {
    if [[ -n "$CPU_LOCK" ]] && command -v flock >/dev/null 2>&1; then
        flock "$CPU_LOCK" "$@"
    else
        "$@"
    fi
}

REPORTS=$(mktemp -d "${TMPDIR:-/tmp}/colab-stack.XXXXXX")
trap 'rm -rf -- "$REPORTS"' EXIT
CRASHED=0   # pytest runs that ended without results (usage error, internal error, interrupt)

run_pytest() {  # run_pytest NAME ARGS...: one pytest run, its junit report in $REPORTS/NAME.xml
    local name=$1 rc=0
    shift
    locked "$BIN/python" -m pytest -q --junitxml="$REPORTS/$name.xml" "$@" || rc=$?
    case $rc in
        0|1) ;;                           # passed / some tests failed (counted from the report)
        5) rm -f "$REPORTS/$name.xml" ;;  # no tests collected
        *) log "pytest $name stopped with exit code $rc"; CRASHED=$((CRASHED + 1)) ;;
    esac
}

locked "$BIN/python" -m tools.offline_data prepare --dataset all

if [[ -n "${COLAB_TESTS:-}" ]]; then
    read -r -a UTILS_TESTS <<<"$COLAB_TESTS"
else
    UTILS_TESTS=(tests --ignore=tests/browser)
fi
log "utils tests: pytest ${UTILS_TESTS[*]}"
run_pytest utils "${UTILS_TESTS[@]}"

if [[ -n "${COLAB_NOTEBOOKS+set}" ]]; then
    read -r -a NOTEBOOKS <<<"$COLAB_NOTEBOOKS"
else
    shopt -s nullglob
    NOTEBOOKS=(notebooks/[0-9][0-9]_*.ipynb)
    shopt -u nullglob
fi
if (( ${#NOTEBOOKS[@]} == 0 )); then
    if [[ -n "${COLAB_NOTEBOOKS+set}" ]]; then log "no notebook chosen (COLAB_NOTEBOOKS is empty)"; else log "no notebooks in notebooks/ yet"; fi
fi
for nb in "${NOTEBOOKS[@]}"; do
    log "notebook $nb (CH11_QUICK=1, nbval-lax)"
    CH11_QUICK=1 run_pytest "nb-$(basename "$nb" .ipynb)" \
        --nbval-lax --nbval-current-env --nbval-cell-timeout=900 "$nb"
done

# --- summary -----------------------------------------------------------------
COUNTS=$("$BIN/python" - "$REPORTS" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

total = {"passed": 0, "failed": 0, "skipped": 0, "time": 0.0}
for path in sorted(Path(sys.argv[1]).glob("*.xml")):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    n = f = s = 0
    t = 0.0
    for suite in suites:
        n += int(suite.get("tests", 0))
        f += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        s += int(suite.get("skipped", 0))
        t += float(suite.get("time", 0.0))
    print(f"colab-stack:   {path.stem}: {n - f - s} passed, {f} failed, {s} skipped in {t:.0f} s",
          file=sys.stderr)
    total["passed"] += n - f - s
    total["failed"] += f
    total["skipped"] += s
    total["time"] += t
print(total["passed"], total["failed"], total["skipped"], f"{total['time']:.0f}")
PY
)
read -r PASSED FAILED SKIPPED TEST_SECONDS <<<"$COUNTS"
FAILED=$((FAILED + CRASHED))
SKIP_TEXT=""
(( SKIPPED > 0 )) && SKIP_TEXT=", $SKIPPED skipped"
log "wall time $(( $(date +%s) - T_START )) s (including install and waiting for the CPU lock); test time is pytest's own"
echo "colab-stack: TF $(v tensorflow) / Keras $(v keras) / ipywidgets $(v ipywidgets) / numpy $(v numpy)" \
     "(Python $PY_VERSION): $PASSED passed, $FAILED failed$SKIP_TEXT in $TEST_SECONDS s"
(( FAILED == 0 && PASSED > 0 ))

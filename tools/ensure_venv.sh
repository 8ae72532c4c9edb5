#!/usr/bin/env bash
# The Makefile's first step for every target that needs Python: make sure the virtual
# environment exists, was made by a Python that pyproject.toml's requires-python admits,
# and has this project installed with the given extra.
#
#   bash tools/ensure_venv.sh lab    # runtime packages + JupyterLab (make lab, make data)
#   bash tools/ensure_venv.sh test   # the lab extra + pytest, nbval, Playwright (make test)
#
# Environment:
#   PYTHON  interpreter to make the environment with. Unset: keep the existing environment
#           if its Python is admitted, else use python3. Set: an environment made by another
#           Python version is made anew.
#   VENV    where the environment lives (default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

extra=${1:?usage: tools/ensure_venv.sh lab|test}
case $extra in lab|test) ;; *) echo "tools/ensure_venv.sh: extra must be lab or test, got '$extra'" >&2; exit 2 ;; esac
VENV=${VENV:-.venv}
BIN=$VENV/bin

say() { printf 'make: %s\n' "$*" >&2; }

need=$(sed -n 's/^requires-python *= *">=\([0-9][0-9.]*\)".*/\1/p' pyproject.toml)
[[ $need =~ ^[0-9]+\.[0-9]+ ]] || { say "cannot read requires-python (\">=X.Y\") from pyproject.toml"; exit 2; }

version_of() {  # "X.Y.Z" of an interpreter, or nothing when it does not run
    "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null | head -n 1 || true
}
admitted() {    # admitted X.Y.Z: true when X.Y >= the required X.Y
    [[ $1 =~ ^([0-9]+)\.([0-9]+) ]] || return 1
    local f1=${BASH_REMATCH[1]} f2=${BASH_REMATCH[2]}
    [[ $need =~ ^([0-9]+)\.([0-9]+) ]]
    (( f1 > BASH_REMATCH[1] || (f1 == BASH_REMATCH[1] && f2 >= BASH_REMATCH[2]) ))
}
minor() { [[ $1 =~ ^([0-9]+\.[0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }

have=""
[[ -e $VENV ]] && have=$(version_of "$BIN/python")

if [[ -z ${PYTHON:-} && -n $have ]] && admitted "$have"; then
    found=$have                        # keep the environment that is there
else
    py=${PYTHON:-python3}
    found=$(version_of "$py")
    if [[ -z $found ]]; then
        say "cannot run '$py' to make $VENV. Install Python $need or newer (python.org, or your"
        say "system's package manager) and run again, naming it if needed: make ${GOALS:-lab} PYTHON=python3.12"
        exit 2
    fi
    if ! admitted "$found"; then
        say "'$py' is Python $found, but this series needs Python $need or newer (pyproject.toml: requires-python)."
        say "Install a newer Python and name it, e.g.: make ${GOALS:-lab} PYTHON=python3.12"
        exit 2
    fi
    if [[ -e $VENV ]] && [[ -z $have || $(minor "$have") != $(minor "$found") ]]; then
        if [[ ! -f $VENV/pyvenv.cfg ]]; then
            say "$VENV exists but is not a virtual environment; move it away, or set VENV=another/folder"
            exit 2
        fi
        say "$VENV was made by Python ${have:-(that no longer runs)}; making it anew with $py (Python $found)"
        rm -rf -- "$VENV"
    fi
    if [[ ! -x $BIN/python ]]; then
        say "creating $VENV with $py (Python $found)"
        "$py" -m venv "$VENV"
    fi
fi

stamp=$VENV/.installed-$extra
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
    "$BIN/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [[ $extra == lab ]]; then
        say "installing the lessons' packages and JupyterLab into $VENV (the first time, TensorFlow is a download of several hundred MB)"
    else
        say "installing the lessons' packages, JupyterLab and the test tools into $VENV"
    fi
    "$BIN/python" -m pip install --disable-pip-version-check --progress-bar on -e ".[$extra]"
    touch "$stamp"
    [[ $extra == test ]] && touch "$VENV/.installed-lab"   # the test extra holds the lab extra
fi
exit 0

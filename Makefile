# The series' commands. Each target creates the virtual environment .venv and
# installs the project into it when needed (Python 3.10+ and a package index
# are all it takes).
#   make lab    open the notebooks in JupyterLab
#   make test   run every test: utils, each notebook with strict nbval, the browser test

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test data sync clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/python -m utils.data prepare --dataset mnist

# --allow-root only when run as root (containers, some classroom machines)
lab: data
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: data
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-cell-timeout=900 -v -rs

sync: $(STAMP)
	$(BIN)/python -m utils.course sync

clean:
	rm -rf $(VENV)

# --- beyond the two commands ------------------------------------------------
# Colab's package versions (colab/requirements-colab.txt) in .venv-colab: utils tests + every notebook, quick mode.
.PHONY: test-colab bench bench-smoke screenshots
test-colab:
	bash colab/run_colab_stack.sh

# Benchmarks on this machine (writes benchmarks/results.json and benchmarks/RESULTS.md).
bench: data
	$(BIN)/python -m benchmarks.run

# A short form of the benchmarks that proves the harness works (one epoch, small subset; no timing asserts).
bench-smoke: data
	$(BIN)/python -m benchmarks.run --smoke --out build/bench-smoke

# Refresh the screenshots README shows: the browser test on the full default runs, writing into tests/browser/screenshots/.
screenshots: data
	CH11_BROWSER_QUICK=0 CH11_SCREENSHOT_DIR="$(CURDIR)/tests/browser/screenshots" $(BIN)/python -m pytest tests/browser -s

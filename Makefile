# The series' commands. Each target first checks the Python (pyproject.toml's requires-python),
# creates the virtual environment .venv when needed (anew when it was made by another Python),
# installs what the target needs into it, and prepares the data.
#   make lab    open the notebooks in JupyterLab (installs the lessons' packages and JupyterLab)
#   make test   run every test: utils, each notebook with strict nbval, the browser test
#               (installs the test tools as well: pytest, nbval, Playwright)
# PYTHON=python3.12 chooses the interpreter for .venv; VENV=folder moves it.

PYTHON ?=
VENV   ?= .venv
BIN    := $(VENV)/bin
ENSURE := PYTHON="$(PYTHON)" VENV="$(VENV)" GOALS="$(MAKECMDGOALS)" bash tools/ensure_venv.sh
DATA   := $(BIN)/python -m tools.offline_data prepare --dataset all

.PHONY: lab test data sync check release-check refresh clean venv-lab venv-test

venv-lab:
	@$(ENSURE) lab

venv-test:
	@$(ENSURE) test

data: venv-lab
	$(DATA)

# --allow-root only when run as root (containers, some classroom machines)
lab: venv-lab
	$(DATA)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: venv-test
	$(DATA)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-cell-timeout=900 -v -rs

# Maintainers: badges, Colab setup cells, title layout, widget notes and README's table from
# [tool.ch11] in pyproject.toml (sync rewrites, check only reports).
sync: venv-lab
	$(BIN)/python -m tools.course sync

check: venv-lab
	$(BIN)/python -m tools.course check

# Maintainers, after changing a lesson or a setting: run the notebook(s) in place from a clean kernel,
# sync, annotate the slides, strict nbval, then name the notebooks that read a changed setting of
# utils/recipes.py and the sentences whose quoted numbers the outputs no longer show.
#   make refresh NB=02    (NB="02 06", NB=02-solutions; without NB: every lesson and solution notebook)
refresh: venv-test
	$(DATA)
	$(BIN)/python -m tools.refresh $(NB)

# Before tagging a release: the ref exists on GitHub, names HEAD, and sync would change nothing.
release-check: venv-lab
	$(BIN)/python -m tools.course release-check

clean:
	rm -rf $(VENV)

# --- beyond the two commands ------------------------------------------------
# Colab's package versions (colab/requirements-colab.txt) in .venv-colab: utils tests + every notebook, quick mode.
.PHONY: test-colab bench bench-smoke screenshots site slides slides-annotate
test-colab:
	bash colab/run_colab_stack.sh

# Benchmarks on this machine (writes benchmarks/results.json and benchmarks/RESULTS.md): the models,
# every notebook in default and quick mode, and every notebook under strict nbval, in one run.
# BENCH_ARGS adds options, e.g. BENCH_ARGS=--keep-notebooks (executed copies in benchmarks/executed*/).
bench: venv-test
	$(DATA)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# A short form of the benchmarks that proves the harness works (one epoch, small subset, notebooks in
# quick mode only, no nbval; no timing asserts). BENCH_SMOKE_ARGS shortens it further, e.g.
# BENCH_SMOKE_ARGS="--notebooks 01,02" (some notebooks) or BENCH_SMOKE_ARGS="--skip notebooks".
bench-smoke: venv-test
	$(DATA)
	$(BIN)/python -m benchmarks.run --smoke --out build/bench-smoke $(BENCH_SMOKE_ARGS)

# Refresh the screenshots README shows: the browser test on the full default runs (not quick
# mode, so the VAE is fully trained), writing into tests/browser/screenshots/.
screenshots: venv-test
	$(DATA)
	CH11_BROWSER_QUICK=0 CH11_BROWSER_TIMEOUT=1800 CH11_SCREENSHOT_DIR="$(CURDIR)/tests/browser/screenshots" \
		$(BIN)/python -m pytest tests/browser -s

# The website and the slides: build/site from the committed, executed notebooks (nothing is re-executed):
# index.html, notebooks/NN_*.html, slides/NN_*.slides.html; KaTeX, reveal.js, the widget renderer and the
# Korean web font are fetched once with npm (pinned, checked) into build/cache/npm and served from build/site/assets.
site: venv-test
	$(BIN)/python -m tools.site build --out build/site

slides: venv-test
	$(BIN)/python -m tools.slides build --out build/site

# Maintainers: write each cell's slide type (metadata.slideshow) into the notebooks; hand-set types are kept.
slides-annotate: venv-lab
	$(BIN)/python -m tools.slides annotate

# --- the handout (tools/handout.py) ------------------------------------------
# build/handout/NN_name.pdf for each lesson and ch11_handout.pdf for the series, printed from the site's
# pages by the system Chromium (offline; build/site when it is up to date, else the pages are built
# afresh). Needs poppler-utils (pdfunite, pdfinfo). `make site slides handout` builds all three.
.PHONY: handout
handout: venv-test
	$(BIN)/python -m tools.handout --site build/site --out build/handout

# --- homework: the student release and the batch grader (tools/release.py, tools/grading/) ------------------
# make student-release [STUDENT_OUT=build/student]: ch11-student/ and ch11-student.zip for students: lessons 01-06,
#   utils, data preparation and a README for students; no solutions, no tests, no grader.
# make grade SUBMISSIONS=folder [LESSON=01] [QUICK=1] [JOBS=2] [GRADES=folder]: every submitted notebook run fresh
#   with this repository's utils; grades.csv and feedback/<student id>.md in GRADES (default: folder-grades beside it).
.PHONY: student-release grade
STUDENT_OUT ?= build/student
student-release: venv-lab
	$(BIN)/python -m tools.release "$(STUDENT_OUT)"

grade: venv-lab
	@test -n "$(SUBMISSIONS)" || { echo "make grade: give SUBMISSIONS=folder, the folder of submitted notebooks" >&2; exit 2; }
	$(BIN)/python -m tools.offline_data prepare --dataset all
	$(BIN)/python -m tools.grading "$(SUBMISSIONS)" $(if $(LESSON),--lesson $(LESSON)) \
		$(if $(filter 1 yes true,$(QUICK)),--quick) $(if $(JOBS),--jobs $(JOBS)) $(if $(GRADES),--out "$(GRADES)")

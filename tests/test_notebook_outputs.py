"""The committed notebooks carry their outputs, clean: what a fresh clone shows before anything runs.

A student who opens a notebook from a fresh clone (or on GitHub) sees the
stored outputs, so each notebook must be saved after a clean top-to-bottom run:
every cell that prints or draws has its output, figures are there as PNG,
execution counts read 1, 2, 3, ..., there are no error outputs and no
TensorFlow start-up log lines on stderr, the kernelspec is set and the file
stays small. No kernel is started here; the notebooks' own checks run through
nbval and the browser test (tests/browser).
"""

from __future__ import annotations

import ast
import base64
import json
import re
import struct
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Lines TensorFlow, absl and XLA write to stderr while starting (glog format "I0000 00:00:...").
TF_LOG_PATTERNS = [
    re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d", re.MULTILINE),
    re.compile(r"\b[IWEF]0000\b"),
    re.compile(r"absl", re.IGNORECASE),
    re.compile(r"oneDNN custom operations|tensorflow/core/|cuda_(?:dnn|blas|fft)|TF-TRT Warning"),
    re.compile(r"This TensorFlow binary is optimized"),
]
# Calls that put output into the cell: printing, displaying, showing a figure.
OUTPUT_CALLS = {"print", "display", "show", "pprint"}
# Calls that draw a figure: a notebook with any of them must store at least one PNG.
FIGURE_CALLS = {"show", "subplots", "figure", "imshow", "show_images", "compare_rows", "plot_history"}
# Statements whose body may or may not run (or runs elsewhere: `with out:` writes into a widget).
CONDITIONAL = (ast.If, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith,
               ast.Try, ast.While, ast.Lambda)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _python(source: str) -> ast.Module | None:
    """The cell's code as an AST (IPython magics and shell lines blanked out); None if it does not parse."""
    lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def _unconditional_calls(tree: ast.AST) -> set[str]:
    """Names of the calls a cell always makes (not inside if/def/with/try/while)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, CONDITIONAL):
            return
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name:
                names.add(name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for stmt in tree.body:
        visit(stmt)
    return names


def _all_calls(tree: ast.AST) -> set[str]:
    return {n for node in ast.walk(tree) if isinstance(node, ast.Call) for n in [_call_name(node)] if n}


def expects_output(source: str) -> bool:
    """True if running the cell surely shows something: it always prints/displays/shows, or it
    ends in a bare expression that is not a call (a name, attribute, index, tuple, constant...)
    without a trailing semicolon."""
    tree = _python(source)
    if tree is None or not tree.body:
        return False
    if _unconditional_calls(tree) & OUTPUT_CALLS:
        return True
    last = tree.body[-1]
    if not isinstance(last, ast.Expr) or isinstance(last.value, (ast.Call, ast.Await, ast.Yield)):
        return False
    return not source.rstrip().endswith(";")


def draws_figures(source: str) -> bool:
    tree = _python(source)
    return tree is not None and bool(_all_calls(tree) & FIGURE_CALLS)


def _label(i: int, cell: dict) -> str:
    first = _source(cell).strip().splitlines()[0][:70] if _source(cell).strip() else ""
    return f"cell {i + 1} `{first}`"


def _output_text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request) -> tuple[Path, dict]:
    path = request.param
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks/NN_*.ipynb under {REPO}"


# Notebook sizes: each lesson and solution at most 1.5 MB, the six lessons together at most 7 MB (figures
# at 1x and ~100 dpi, photos as JPEG, widget outputs that do not store a figure twice).
MAX_NOTEBOOK_BYTES = 1_500_000
MAX_LESSONS_BYTES = 7_000_000
SOLUTIONS = sorted((REPO / "notebooks" / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_notebook_is_at_most_1_5_mb(path: Path) -> None:
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size / 1e6:.2f} MB; at most {MAX_NOTEBOOK_BYTES / 1e6:.1f} MB: figures at 1x "
        "(setup_figures() in Setup), photos with utils.plotting.show_as_jpeg, fewer or smaller figures")


def test_the_six_lessons_together_are_at_most_7_mb() -> None:
    sizes = {p.name: p.stat().st_size for p in NOTEBOOKS}
    total = sum(sizes.values())
    assert total <= MAX_LESSONS_BYTES, (
        f"the lessons together are {total / 1e6:.2f} MB; at most {MAX_LESSONS_BYTES / 1e6:.0f} MB:\n"
        + "\n".join(f"  {name}: {size / 1e6:.2f} MB" for name, size in sizes.items()))


def test_kernelspec_is_python3(notebook) -> None:
    path, nb = notebook
    spec = nb.get("metadata", {}).get("kernelspec")
    assert spec, f"{path.name} has no metadata.kernelspec"
    assert spec.get("name") == "python3" and spec.get("display_name"), (
        f"{path.name}: kernelspec is {spec}; expected name 'python3' with a display_name")


def test_execution_counts_run_1_to_n(notebook) -> None:
    path, nb = notebook
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for _, c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts are {counts}; expected 1..{len(code)} "
        "(run the notebook from a fresh kernel, top to bottom, and save it)")


def test_no_error_outputs(notebook) -> None:
    path, nb = notebook
    errors = [f"{_label(i, c)}: {o.get('ename')}: {o.get('evalue')}"
              for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name} stores error outputs:\n" + "\n".join(errors)


def test_no_tensorflow_log_lines_on_stderr(notebook) -> None:
    path, nb = notebook
    found = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = _output_text(o)
                hits = [p.pattern for p in TF_LOG_PATTERNS if p.search(text)]
                if hits:
                    found.append(f"{_label(i, c)}: {text.strip().splitlines()[0][:120]!r}")
    assert not found, (f"{path.name} stores TensorFlow/absl log lines on stderr (import TensorFlow "
                       "through utils.runtime.quiet_tensorflow()):\n" + "\n".join(found))


def test_cells_that_print_or_draw_store_their_output(notebook) -> None:
    path, nb = notebook
    missing = [_label(i, c) for i, c in enumerate(nb["cells"])
               if c["cell_type"] == "code" and expects_output(_source(c)) and not c.get("outputs")]
    assert not missing, (f"{path.name}: these cells print or show something but store no output "
                         "(save the notebook after running it):\n" + "\n".join(missing))


def test_notebooks_with_figures_store_png(notebook) -> None:
    path, nb = notebook
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if not any(draws_figures(_source(c)) for c in code):
        pytest.skip(f"{path.name} draws no figures")
    pngs = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
    assert pngs >= 1, f"{path.name} draws figures but stores no image/png output"
    # A cell that always calls plt.show() must hold its picture.
    blank = [_label(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (t := _python(_source(c))) is not None and "show" in _unconditional_calls(t)
             and not any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    assert not blank, f"{path.name}: cells that show a figure but store no PNG:\n" + "\n".join(blank)


# --- what students read: settings, words, figures (every lesson notebook) ---

TEACHING = NOTEBOOKS
SETTINGS_LINES = ("QUICK = quick_mode()", 'DATASET = "mnist"', "SEED = ")
# Words the series does not use in lesson text (README's glossary has the lecture's words instead).
OFF_GLOSSARY = {
    "영상": "이미지", "보폭": "스트라이드", "복원": "재생", "재구성": "재생", "망가뜨": "오염",
    "디노이징": "오염제거", "잡음 제거": "오염제거", "채색": "색채화", "모수": "가중치 (모수 is for distributions)",
    "코드 크기": "잠재변수의 차원 p", "파라미터": "가중치",
}
MACHINE = re.compile(r"기계(?!학습)")  # 기계 as a calque for "model" (기계학습, the course's name, is fine)
DEVELOPER_TALK = re.compile(r"make (?:bench|test|lab|sync)|tests/|benchmarks?/|\.py\b|RESULTS\.md|벤치마크")


def setup_cell(nb: dict) -> str:
    """The Setup code cell: the first code cell after the Colab setup cell."""
    code = [_source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    colab = next(i for i, src in enumerate(code) if src.lstrip().startswith("# Colab setup"))
    return code[colab + 1]


def settings_problems(source: str) -> list[str]:
    last = [ln.strip() for ln in source.strip().splitlines()][-3:]
    return [f"line {i + 1} of the last three is {got!r}; expected it to start with {want!r}"
            for i, (got, want) in enumerate(zip(last, SETTINGS_LINES)) if not got.startswith(want)]


# 모수 is the lecture's word for the parameters of a distribution (theta, phi): allowed where the text speaks of one.
DISTRIBUTION_CONTEXT = re.compile(r"분포|\\theta|\\phi|θ|φ")


def word_problems(text: str) -> list[str]:
    found = [f"{word!r} (use {instead})" for word, instead in OFF_GLOSSARY.items()
             if word in text and not (word == "모수" and DISTRIBUTION_CONTEXT.search(text))]
    found += [f"{m.group()!r} (use 모형)" for m in MACHINE.finditer(text)]
    found += [f"developer talk {m.group()!r}" for m in DEVELOPER_TALK.finditer(text)]
    return found


def png_width(data: str) -> int:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">I", raw[16:20])[0]


@pytest.fixture(params=TEACHING, ids=[p.name for p in TEACHING])
def teaching_notebook(request) -> tuple[Path, dict]:
    return request.param, json.loads(request.param.read_text(encoding="utf-8"))


def test_setup_cell_ends_with_the_settings_lines(teaching_notebook) -> None:
    path, nb = teaching_notebook
    problems = settings_problems(setup_cell(nb))
    assert not problems, f"{path.name}: the Setup cell must end with QUICK, DATASET, SEED:\n" + "\n".join(problems)


def test_lesson_text_uses_the_glossary_and_no_developer_talk(teaching_notebook) -> None:
    path, nb = teaching_notebook
    found = [f"{_label(i, c)}: {w}" for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
             for w in word_problems(_source(c))]
    assert not found, f"{path.name}: lesson text off the glossary (README) or about tooling:\n" + "\n".join(found)


def image_dpi(data: str, mime: str) -> float | None:
    """The resolution a PNG (pHYs chunk) or JPEG (JFIF density) says it was drawn at; None if it says none."""
    raw = base64.b64decode(data)
    if mime == "image/png":
        i = 8
        while i + 8 <= len(raw):
            n, kind = struct.unpack(">I", raw[i:i + 4])[0], raw[i + 4:i + 8]
            if kind == b"pHYs":
                x, _, unit = struct.unpack(">IIB", raw[i + 8:i + 17])
                return x * 0.0254 if unit == 1 else None
            i += 12 + n
        return None
    if raw[6:11] == b"JFIF\0":
        unit, x = raw[13], struct.unpack(">H", raw[14:16])[0]
        return float(x) if unit == 1 else x * 2.54 if unit == 2 else None
    return None


def test_figures_are_stored_at_1x_and_about_100_dpi(teaching_notebook) -> None:
    """Each figure is stored at the size it is shown (1x) and drawn at about 100 dpi (setup_figures):
    sharp on a projector at its display size, a quarter of the bytes of a 2x figure."""
    path, nb = teaching_notebook
    wrong = []
    for i, c in enumerate(nb["cells"]):
        for o in c.get("outputs", []):
            for mime in ("image/png", "image/jpeg"):
                if mime not in o.get("data", {}):
                    continue
                shown = o.get("metadata", {}).get(mime, {}).get("width")
                dpi = image_dpi(o["data"][mime], mime)
                if shown is not None or dpi is None or not 90 <= dpi <= 130:
                    wrong.append(f"{_label(i, c)}: {mime} drawn at {dpi and round(dpi)} dpi, "
                                 f"shown at width {shown or 'as stored'}")
    assert not wrong, (f"{path.name}: figures not stored at 1x and ~100 dpi (call setup_figures() in Setup, "
                       "draw at dpi=FIG_DPI):\n" + "\n".join(wrong))


# --- the checks above must be able to fail -------------------------------------------------

@pytest.mark.parametrize("retina, dpi", [(False, 100), (True, 200)])
def test_image_dpi_reads_what_setup_figures_stores(retina: bool, dpi: int) -> None:
    import io

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1), dpi=100)
    ax.plot([0, 1])
    for fmt, mime in (("png", "image/png"), ("jpeg", "image/jpeg")):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=200 if retina else 100)
        assert round(image_dpi(base64.b64encode(buf.getvalue()).decode(), mime)) == dpi
    plt.close(fig)


@pytest.mark.parametrize("source, expected", [
    ("print(1)", True),
    ("x = 1\nx", True),
    ("x.shape", True),
    ("fig, ax = plt.subplots()\nax.plot([1])\nplt.show()", True),
    ("for i in range(3):\n    print(i)", True),
    ("x = 1", False),
    ("x;", False),
    ("model.compile(loss='mse')", False),
    ("if QUICK:\n    print('quick')", False),
    ("def f():\n    print(1)", False),
    ("with out:\n    display(fig)", False),
    ("%matplotlib inline\nx = 2", False),
    ("", False),
])
def test_expects_output_heuristic(source: str, expected: bool) -> None:
    assert expects_output(source) is expected


def test_tf_log_patterns_catch_start_up_lines() -> None:
    lines = ["I0000 00:00:1732430000.123456   123 cpu_feature_guard.cc:210] This TensorFlow binary is",
             "W0000 00:00:1732430000.1 12 gpu_device.cc] Cannot dlopen some GPU libraries.",
             "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
             "E0000 00:00:1.0 1 cuda_dnn.cc:8310] Unable to register cuDNN factory"]
    for line in lines:
        assert any(p.search(line) for p in TF_LOG_PATTERNS), line
    assert not any(p.search("a warning line from the notebook\n") for p in TF_LOG_PATTERNS)


def test_checks_reject_a_doctored_notebook() -> None:
    """Each check fails on a notebook that breaks its rule."""
    def cell(source, count, outputs):
        return {"cell_type": "code", "source": source, "execution_count": count, "metadata": {},
                "outputs": outputs}
    bad = {"metadata": {}, "cells": [
        cell("import tensorflow as tf", 1, [{"output_type": "stream", "name": "stderr",
                                             "text": ["E0000 00:00:1.0 1 cuda_dnn.cc] Unable to register\n"]}]),
        cell("print(1)", 3, []),
        cell("1 / 0", 2, [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "x", "traceback": []}]),
        cell("fig, ax = plt.subplots()\nplt.show()", 4, [{"output_type": "display_data", "metadata": {},
                                                        "data": {"text/plain": ["<Figure>"]}}]),
    ]}
    checks = [test_kernelspec_is_python3, test_execution_counts_run_1_to_n, test_no_error_outputs,
              test_no_tensorflow_log_lines_on_stderr, test_cells_that_print_or_draw_store_their_output,
              test_notebooks_with_figures_store_png]
    for check in checks:
        with pytest.raises(AssertionError):
            check((Path("doctored.ipynb"), bad))


def test_teaching_checks_reject_bad_text_and_settings() -> None:
    assert settings_problems('x = 1\nQUICK = quick_mode()\nDATASET = "mnist"   # or\nSEED = 0') == []
    assert len(settings_problems('QUICK = quick_mode()\nSEED = 0\nDATASET = "mnist"')) == 2
    assert word_problems("재생 손실과 이미지, 스트라이드, 기계학습 과목") == []
    for bad in ("흑백 영상", "보폭 2", "같은 기계", "복원 오차", "모수 개수", "`make bench`도", "tests/test_x.py"):
        assert word_problems(bad), bad
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + struct.pack(">II", 640, 480)).decode()
    assert png_width(png) == 640

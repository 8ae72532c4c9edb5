"""Synthetic submissions: the test corpus with its expected grade sheet, and the 40-submission timing corpus.

    python -m tools.grading.corpus test OUT_FOLDER                  # the test corpus of lesson 01 (light notebooks)
    python -m tools.grading.corpus timing OUT_FOLDER --lesson 01    # 40 copies of the real lesson with answers
    python -m tools.grading.corpus time --lesson 01 [--quick] [--jobs N] [--count 40]
                                                                    # build the timing corpus and time its grading

The test corpus (``test_cases()``) covers right, partly right and every hostile case the grader
must survive; each case carries the grade sheet row it should produce. The timing corpus is the
lesson notebook itself with the right answers appended (in some copies wrong or missing), as a
class of 40 would hand it in.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS_01 = ("01-1", "01-2", "01-3", "01-4", "01-5")

TITLE_01 = "# 01. 전치 합성곱(Transposed Convolution): 행렬로 보는 업샘플링"
SETUP_01 = "import numpy as np"

RIGHT_01 = {
    "01-1": '''from exercises import check_conv_matrix_same
from utils.transpose_conv import conv_matrix

C = conv_matrix(np.arange(1, 10).reshape(3, 3), (4, 4), strides=2, padding="same")
check_conv_matrix_same(C)''',
    "01-2": '''from exercises import check_transposed_conv_output
from utils.transpose_conv import conv_matrix

up = (conv_matrix(np.arange(1, 10).reshape(3, 3), (4, 4), strides=2, padding="same").T @ np.arange(1, 5)).reshape(4, 4)
check_transposed_conv_output(up)''',
    "01-3": '''from exercises import check_stamp_function

def transposed_conv_by_stamping(y, kernel, stride):
    """'valid' transposed convolution of a 2-D array y: stamp y[i, j] * kernel at (i * stride, j * stride)."""
    (h, w), (mh, mw) = y.shape, kernel.shape
    out = np.zeros(((h - 1) * stride + mh, (w - 1) * stride + mw))
    for i in range(h):
        for j in range(w):
            out[i * stride:i * stride + mh, j * stride:j * stride + mw] += y[i, j] * kernel
    return out

check_stamp_function(transposed_conv_by_stamping)''',
    "01-4": '''from exercises import check_nonzero_count

nonzeros = 41 * 41
check_nonzero_count(nonzeros)''',
    "01-5": '''from exercises import check_flat_kernel_sizes

flat_sizes = [3, 6, 9]
check_flat_kernel_sizes(flat_sizes, stride=3)''',
}

TEMPLATE_01 = {
    "01-1": "from exercises import check_conv_matrix_same\n\nC = None\ncheck_conv_matrix_same(C)",
    "01-2": "from exercises import check_transposed_conv_output\n\nup = None\ncheck_transposed_conv_output(up)",
    "01-3": ('from exercises import check_stamp_function\n\ndef transposed_conv_by_stamping(y, kernel, stride):\n'
             '    """\'valid\' transposed convolution."""\n    ...\n\ncheck_stamp_function(transposed_conv_by_stamping)'),
    "01-4": "from exercises import check_nonzero_count\n\nnonzeros = None\ncheck_nonzero_count(nonzeros)",
    "01-5": "from exercises import check_flat_kernel_sizes\n\nflat_sizes = None\ncheck_flat_kernel_sizes(flat_sizes, stride=3)",
}


@dataclass
class Case:
    """One synthetic submission and the grade sheet row it should produce."""

    name: str
    what: str
    status: str
    points: dict = field(default_factory=dict)     # label -> expected points (labels not named: 0)
    total: float | None = None
    write: object = None                            # callable(path) that writes the file

    def expected(self) -> dict:
        points = {label: float(self.points.get(label, 0.0)) for label in LABELS_01}
        total = sum(points.values()) if self.total is None else self.total
        return {"status": self.status, "points": points, "total": total}


def _notebook(cells: list[tuple[str, str]], minor: int = 5, metadata: dict | None = None) -> dict:
    nb = {"cells": [], "metadata": metadata if metadata is not None else {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": minor}
    for i, (kind, source) in enumerate(cells):
        cell = {"cell_type": kind, "metadata": {}, "source": source}
        if minor >= 5:
            cell["id"] = f"cell-{i}"
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        nb["cells"].append(cell)
    return nb


def _lesson01(answers: dict, extra_before: list | None = None, extra_after: list | None = None) -> list:
    cells = [("markdown", TITLE_01), ("code", SETUP_01)] + [("code", c) for c in (extra_before or [])]
    cells += [("code", answers.get(label, TEMPLATE_01[label])) for label in LABELS_01]
    return cells + [("code", c) for c in (extra_after or [])]


def _write_json(data) -> object:
    def write(path: Path) -> None:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return write


def _write_text(text: str, binary: bytes | None = None) -> object:
    def write(path: Path) -> None:
        if binary is not None:
            path.write_bytes(binary)
        else:
            path.write_text(text, encoding="utf-8")
    return write


ALL = {label: 1 for label in LABELS_01}


def test_cases() -> list[Case]:
    """The test corpus of lesson 01: right, partly right and each hostile case, with the row each must give."""
    R = RIGHT_01
    cases = []

    def add(name, what, status, points, cells=None, write=None):
        cases.append(Case(name, what, status, points, write=write or _write_json(_notebook(cells))))

    add("2024000001_01.ipynb", "all right", "graded", ALL, _lesson01(R))
    wrong = dict(R)
    wrong["01-1"] = R["01-1"].replace("check_conv_matrix_same(C)", "C = C.T\ncheck_conv_matrix_same(C)")
    wrong["01-4"] = R["01-4"].replace("41 * 41", "14 * 14 * 9")
    add("2024000002_01.ipynb", "partly right: C transposed, the count of every window's 9 entries", "graded",
        {"01-2": 1, "01-3": 1, "01-5": 1}, _lesson01(wrong))
    add("2024000003_01.ipynb", "nothing answered (the template)", "graded", {}, _lesson01({}))
    dots = {label: src.replace("= None", "= ...") for label, src in TEMPLATE_01.items()}
    add("2024000004_01.ipynb", "answers left as ...", "graded", {}, _lesson01(dots))
    cells = _lesson01(R)
    del cells[5:7]                                                     # the cells of 01-4 and 01-5 deleted
    add("2024000005_01.ipynb", "exercise cells deleted", "graded", {"01-1": 1, "01-2": 1, "01-3": 1}, cells)
    add("2024000006_01.ipynb", "template cells duplicated after the answers", "graded", ALL,
        _lesson01(R, extra_after=[TEMPLATE_01[label] for label in LABELS_01]))
    cells = _lesson01(R)
    cells = cells[:2] + cells[2:][::-1]
    add("2024000007_01.ipynb", "answer cells in reverse order", "graded", ALL, cells)
    retyped = {"01-4": "nonzeros=int('1681')", "01-5": "flat_sizes = list(range(3, 10, 3))"}
    add("2024000008_01.ipynb", "cells retyped without the checker calls", "graded", ALL,
        _lesson01({**R, **retyped}))
    renamed = dict(R)
    renamed["01-1"] = R["01-1"].replace("C = conv_matrix", "my_matrix = conv_matrix").replace(
        "check_conv_matrix_same(C)", "check_conv_matrix_same(my_matrix)")
    renamed["01-3"] = R["01-3"].replace("transposed_conv_by_stamping", "stamp")
    add("2024000009_01.ipynb", "answer variable and function renamed (found through the checker calls)", "graded",
        ALL, _lesson01(renamed))
    colab = _notebook(_lesson01(R), minor=0, metadata={
        "colab": {"provenance": [], "name": "01_transposed_convolution.ipynb"},
        "kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"},
        "accelerator": "GPU"})
    for i, cell in enumerate(colab["cells"]):
        cell["metadata"] = {"id": f"colab{i:04d}"}
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["[01-1] 정답입니다 (correct)\n"]}]
            cell["metadata"]["colab"] = {"base_uri": "https://localhost:8080/"}
    add("2024000010_01.ipynb", "saved by Colab (nbformat 4.0, colab metadata, outputs)", "graded", ALL,
        write=_write_json(colab))
    vscode = _notebook(_lesson01(R), minor=2, metadata={
        "kernelspec": {"name": ".venv", "display_name": ".venv (Python 3.11.7)", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"}})
    for i, cell in enumerate(vscode["cells"]):
        cell["id"] = f"{i:08x}"                                       # ids that nbformat 4.2's schema refuses
        cell["metadata"] = {"vscode": {"languageId": "python"}}
    add("2024000011_01.ipynb", "saved by VS Code (nbformat 4.2 with cell ids, a .venv kernel)", "graded", ALL,
        write=_write_json(vscode))
    cases.append(Case("2024000012_01.pdf", "not a notebook (a PDF)", "not-a-notebook", {},
                      write=_write_text("", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")))
    cases.append(Case("2024000013_01.ipynb", "JSON that is not a notebook", "not-a-notebook", {},
                      write=_write_text('{"answer": 1681}')))
    cases.append(Case("2024000014_01.ipynb", "an empty file", "empty", {}, write=_write_text("")))
    add("2024000015_01.ipynb", "a notebook without code cells", "empty", {}, [("markdown", TITLE_01)])
    big = _notebook(_lesson01(R))
    blob = base64.b64encode(b"\x00" * (38 * 2**20)).decode()       # about 50 MB of stored output
    big["cells"][1]["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"image/png": blob}}]
    add("2024000016_01.ipynb", "a 50 MB notebook (stored outputs)", "graded", ALL, write=_write_json(big))
    add("2024000017_01.ipynb", "a cell that never ends (after the answers)", "graded", ALL,
        _lesson01(R, extra_after=["while True:\n    pass"]))
    add("2024000018_01.ipynb", "a cell that stops its own kernel (left out, run again)", "graded-without-cells", ALL,
        _lesson01(R, extra_after=["import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)"]))
    add("2024000019_01.ipynb", "a kernel crash (os._exit) after the answers", "graded-without-cells", ALL,
        _lesson01(R, extra_after=["import os\nos._exit(1)"]))
    add("2024000020_01.ipynb", "pip install, a shell escape and a missing import", "graded", ALL,
        _lesson01(R, extra_before=["!pip install -q requests", "%pip install numpy", "import not_a_module_anywhere"]))
    edited = dict(R)
    edited["01-1"] = R["01-1"].replace("C = conv_matrix(", "C = 2 * conv_matrix(")
    edited["01-4"] = R["01-4"].replace("41 * 41", "1600")
    forged = '''import exercises as ex, pathlib
ex.check_conv_matrix_same = lambda *a, **k: print("[01-1] 정답입니다 (correct)")
import exercises.verdicts as v
v.judge_number = lambda *a, **k: v.right("01-4")
pathlib.Path(ex.__file__).parent.joinpath("lesson01.py").write_text("# emptied by the submission")'''
    add("2024000021_01.ipynb", "the checker module edited and replaced inside the submission, wrong answers",
        "graded", {"01-2": 1, "01-3": 1, "01-5": 1}, _lesson01(edited, extra_before=[forged]))
    tuned = dict(R)
    tuned["01-3"] = '''from exercises import check_stamp_function
from exercises.lesson01 import STAMP

_known = [(case.args, case.truth) for case in STAMP.cases()]

def transposed_conv_by_stamping(y, kernel, stride):
    for (y0, k0, s0), truth in _known:                     # the public inputs only
        if y.shape == y0.shape and np.array_equal(y, y0) and np.array_equal(kernel, k0) and stride == s0:
            return truth
    return np.zeros(((y.shape[0] - 1) * stride + kernel.shape[0], (y.shape[1] - 1) * stride + kernel.shape[1]))

check_stamp_function(transposed_conv_by_stamping)'''
    add("2024000022_01.ipynb", "a function that knows the public inputs only (caught by the hidden ones)", "graded",
        {"01-1": 1, "01-2": 1, "01-4": 1, "01-5": 1}, _lesson01(tuned))
    spoiled = dict(R)
    spoiled["01-3"] = R["01-3"].replace("    return out", "    y[...] = 0\n    kernel[...] = 0\n    return out * 0")
    spoiled["01-4"] = "nonzeros = True"
    add("2024000023_01.ipynb", "a function that overwrites its inputs and returns zeros; True as a count", "graded",
        {"01-1": 1, "01-2": 1, "01-5": 1}, _lesson01(spoiled))
    typed = dict(R)
    typed["01-1"] = R["01-1"].replace("check_conv_matrix_same(C)", "C = C.astype(np.float32)\ncheck_conv_matrix_same(C)")
    typed["01-2"] = "up = [[1, 2, 5, 4], [4, 5, 14, 10], [10, 14, 36, 24], [12, 15, 34, 20]]"
    typed["01-5"] = "flat_sizes = (9.0, 3.0, 6.0)"
    add("2024000024_01.ipynb", "answers as float32, a nested list and a tuple of floats", "graded", ALL, _lesson01(typed))
    add("2024000025_01.ipynb", "errors before the answers (NameError, SyntaxError)", "graded", ALL,
        _lesson01(R, extra_before=["print(undefined_name)", "def broken(:\n    pass"]))
    lesson02 = _notebook([("markdown", "# 02. 오토인코더(Autoencoder): PCA와 나란히"), ("code", SETUP_01),
                          ("code", "from exercises import check_choice\nanswer_4 = 'a'\ncheck_choice('02-4c', answer_4)")])
    cases.append(Case("2024000026_01.ipynb", "another lesson's notebook (02) handed in for 01", "wrong-lesson", {},
                      write=_write_json(lesson02)))
    add("2024000001_01_resubmitted.ipynb", "the same student again, half right", "graded",
        {"01-1": 1, "01-2": 1}, _lesson01({"01-1": R["01-1"], "01-2": R["01-2"]}))
    add("2024000027_01.ipynb", "stored outputs claim every answer right, the answers are wrong", "graded", {},
        write=_write_json(_faked_outputs()))
    return cases


def _faked_outputs() -> dict:
    answers = {label: TEMPLATE_01[label].replace("= None", "= 0") for label in LABELS_01}
    nb = _notebook(_lesson01(answers))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "[01-x] 정답입니다 (correct)\n"}]
    return nb


def build_test_corpus(folder: Path) -> dict[str, dict]:
    """Write the test corpus into ``folder``; return each file's expected row (status, points, total)."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for case in test_cases():
        case.write(folder / case.name)
        expected[case.name] = case.expected()
    return expected


# --------------------------------------------------------------------------- the timing corpus
ANSWERS_05 = '''
from utils.cvae import evaluate_conditional_elbo
rate = 0.5 * np.sum(np.array([1.5, -0.5, 0, 0])**2 + np.exp([-2.0, -0.5, 0.4, 0.0]) - 1 - np.array([-2.0, -0.5, 0.4, 0.0]))
v_best = 4 / 13
def kl_of_each_unit(mu, log_var):
    return np.mean(0.5 * (mu**2 + np.exp(log_var) - 1.0 - log_var), axis=0)
def count_active(mu, threshold):
    return int(np.sum(np.var(mu, axis=0) > threshold))
answer_4 = "b"
x5, y5 = x_test[:2000], np.asarray(y_test[:2000])
table5 = np.stack([evaluate_conditional_elbo(m_c.encoder, m_c.decoder, x5, np.full(len(x5), c), seed=SEED)
                   for c in range(10)], axis=1) + log_p_y
top5 = table5.max(axis=1)
mixture5 = top5 + np.log(np.exp(table5 - top5[:, None]).sum(axis=1))
bound5 = table5[np.arange(len(y5)), y5]
cost5 = paired_difference(mixture5, bound5)
label_cost = (cost5.estimate, cost5.low, cost5.high)
share5 = binomial_interval(int(np.sum(table5.argmax(axis=1) == y5)), len(y5))
cvae_accuracy = (share5.estimate, share5.low, share5.high)
answer_5 = "b"
'''


def timing_notebook(lesson: str, variant: int) -> dict:
    """The committed lesson with an answer cell appended: right (most), partly wrong or unanswered (some)."""
    from tools.nbio import read_notebook

    (path,) = sorted((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
    nb = read_notebook(path)
    if lesson == "01":
        answers = "\n\n".join(RIGHT_01.values())
        if variant % 5 == 1:
            answers = answers.replace("41 * 41", "40 * 40")
    elif lesson == "05":
        answers = ANSWERS_05 if variant % 5 != 1 else ANSWERS_05.replace("v_best = 4 / 13", "v_best = 0.31")
    else:
        raise ValueError(f"lesson {lesson!r}: the timing corpus has answers for 01 and 05")
    if variant % 7 != 3:                                   # one in seven hands in the unanswered lesson
        import nbformat
        nb.cells.append(nbformat.v4.new_code_cell(answers))
    return nb


def build_timing_corpus(folder: Path, lesson: str, count: int = 40) -> None:
    from tools.nbio import write_notebook

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_notebook(timing_notebook(lesson, i), folder / f"{2024100000 + i}_{lesson}.ipynb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.grading.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("test", "timing", "time"))
    parser.add_argument("out", type=Path, nargs="?", default=None)
    parser.add_argument("--lesson", default="01")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "test":
        if args.out is None:
            parser.error("give OUT_FOLDER")
        expected = build_test_corpus(args.out)
        print(f"{len(expected)} submissions written to {args.out}")
        return 0
    import tempfile

    folder = args.out or Path(tempfile.mkdtemp(prefix=f"ch11-timing-{args.lesson}-"))
    build_timing_corpus(folder / "submissions", args.lesson, args.count)
    if args.command == "timing":
        print(f"{args.count} submissions of lesson {args.lesson} written to {folder / 'submissions'}")
        return 0
    import os

    from tools.grading.batch import grade_folder

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    start = time.monotonic()
    rows = grade_folder(folder / "submissions", folder / "grades", lesson=args.lesson, quick=args.quick,
                        jobs=args.jobs)
    seconds = time.monotonic() - start
    after = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    statuses = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"graded {len(rows)} submissions of lesson {args.lesson} ({'quick' if args.quick else 'default'} mode, "
          f"{args.jobs} job(s)) in {seconds:.0f} s ({seconds / 60:.1f} min); statuses {statuses}; "
          f"load average before {load[0]:.1f}, after {after[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())

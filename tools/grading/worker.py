"""Grade one submission: read it, run it fresh in a kernel of its own, judge its answers outside that kernel.

    python -m tools.grading.worker SUBMISSION WORK_FOLDER CONFIG_JSON

The batch grader (``tools/grading/batch.py``) starts this in a process of its own per submission,
with a wall-clock limit, and reads ``WORK_FOLDER/result.json``. What happens here:

1. The file is read with ``tools.nbio`` (a damaged notebook is read leniently if its cells can be
   found at all); its stored outputs are ignored. Its lesson is found from its title, the checkers
   it calls or its file name.
2. A new notebook is built: the grader's setup cell, the submission's code cells in their order
   (each allowed to raise), and the grader's probe cell (``kernel_side.py``). It runs in a fresh
   kernel whose ``utils`` and ``exercises`` are fresh copies of the grader's own, in an empty folder.
3. A cell that never ends or kills the kernel is left out and the run repeated (at most twice).
4. The answers the probe wrote are judged here with the grader's checkers: function answers on the
   public inputs and on hidden ones (``hidden.py``), experiments against values recomputed in the
   kernel from the submission's own trained models.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
MAX_FILE_BYTES = 200 * 1024 * 1024     # larger files are not read
MAX_CODE_CHARS = 2_000_000             # more code than this is not run
MAX_RETRIES = 2

STATUS_TEXT = {
    "graded": "채점했습니다",
    "graded-without-cells": "끝나지 않거나 커널을 멈춘 셀을 빼고 채점했습니다",
    "not-a-notebook": "노트북(.ipynb) 파일이 아니거나 읽을 수 없습니다",
    "empty": "코드 셀이 없는 빈 노트북입니다",
    "too-large": "파일이나 코드가 너무 커서 실행하지 않았습니다",
    "unknown-lesson": "어느 레슨의 노트북인지 알 수 없습니다",
    "wrong-lesson": "채점하는 레슨과 다른 레슨의 노트북입니다",
    "time-limit": "제출물 하나에 주어진 시간 안에 실행이 끝나지 않았습니다",
    "kernel-died": "커널이 거듭 멈춰 답을 모으지 못했습니다",
    "grader-error": "채점기가 이 제출물을 처리하지 못했습니다",
}


# --------------------------------------------------------------------------- reading
def precheck(path: Path) -> dict | None:
    """The row of a file that is not graded at all (wrong extension, empty, too large), from its name and size alone."""
    note = None
    if path.suffix.lower() != ".ipynb":
        status, note = "not-a-notebook", f"확장자가 {path.suffix or '(없음)'}입니다. 레슨 노트북(.ipynb)을 제출해야 합니다"
    else:
        size = path.stat().st_size
        if size == 0:
            status, note = "empty", "파일이 비어 있습니다(0 바이트)"
        elif size > MAX_FILE_BYTES:
            status, note = "too-large", f"파일이 {size / 2**20:.0f} MB입니다(한도 {MAX_FILE_BYTES / 2**20:.0f} MB)"
    if note is None:
        return None
    return {"file": path.name, "status": status, "exercises": {}, "notes": [note], "seconds": 0.0}


def read_submission(path: Path) -> dict:
    """The submission's code cells and first headings; ``status`` is set when it cannot be graded."""
    from tools.nbio import NotebookError, read_notebook

    info = {"cells": [], "titles": [], "notes": [], "status": None}
    early = precheck(path)
    if early is not None:
        info["status"] = early["status"]
        info["notes"] += early["notes"]
        return info
    size = path.stat().st_size
    cells = None
    try:
        nb = read_notebook(path)
        cells = [(c.cell_type, c.source) for c in nb.cells]
    except NotebookError as error:
        cells = _lenient_cells(path)
        if cells is None:
            info["status"] = "not-a-notebook"
            reason = str(error).split(": ", 1)[-1].split("; restore it from git")[0].split("; a notebook is")[0]
            info["notes"].append(f"노트북으로 읽을 수 없습니다 ({reason[:160]})")
            return info
        info["notes"].append("노트북 형식 검사를 통과하지 못했지만 셀은 읽었습니다")
    if size > 10 * 2**20:
        info["notes"].append(f"파일이 {size / 2**20:.0f} MB입니다: 저장된 출력은 읽지 않았습니다")
    info["cells"] = [src for kind, src in cells if kind == "code" and src.strip()]
    info["titles"] = [src for kind, src in cells if kind == "markdown"][:3]
    if not info["cells"]:
        info["status"] = "empty"
        info["notes"].append("코드 셀이 없습니다")
    elif sum(len(c) for c in info["cells"]) > MAX_CODE_CHARS:
        info["status"] = "too-large"
        info["notes"].append("코드 셀의 글자가 너무 많습니다")
    return info


def _lenient_cells(path: Path):
    """(cell_type, source) of a notebook that nbformat's schema refuses but whose cells are readable, or None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError):
        return None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return None
    out = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        src = cell.get("source")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if isinstance(src, str) and cell.get("cell_type") in ("code", "markdown"):
            out.append((cell["cell_type"], src))
    return out or None


def detect_lesson(info: dict, path: Path) -> str | None:
    """The lesson number ("01".."06"): from the title cell, else the checkers called, else the file name."""
    from exercises import EXERCISES

    for title in info["titles"]:
        m = re.match(r"\s*#\s*0?([1-6])\s*[.:]", title)
        if m:
            return f"0{m.group(1)}"
    checker_lesson = {e.checker.__name__: e.lesson for e in EXERCISES if e.checker is not None and e.kind != "choice"}
    code = "\n".join(info["cells"])
    votes: dict[str, int] = {}
    for name, lesson in checker_lesson.items():
        if re.search(rf"\b{name}\b", code):
            votes[lesson] = votes.get(lesson, 0) + 1
    if votes:
        best = max(votes.values())
        winners = [lesson for lesson, v in votes.items() if v == best]
        if len(winners) == 1:
            return winners[0]
    m = re.search(r"(?:^|[^0-9])0([1-6])_", path.name)
    return f"0{m.group(1)}" if m else None


# --------------------------------------------------------------------------- running
def _cell(source: str, tags: list | None = None):
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def build_notebook(code_cells: list[str], config: dict):
    """The notebook the grader runs: setup cell, the submission's code cells (allowed to raise), probe cell."""
    import nbformat

    side = KERNEL_SIDE.read_text(encoding="utf-8")
    settings = repr(json.dumps(config))
    loader = ("import sys as _ch11_sys, types as _ch11_types\n"
              "_ch11_grader = _ch11_types.ModuleType('_ch11_grader')\n"
              f"exec(compile({side!r}, 'ch11_grader', 'exec'), _ch11_grader.__dict__)\n"
              "_ch11_sys.modules['_ch11_grader'] = _ch11_grader\n"
              f"_ch11_grader.setup(__import__('json').loads({settings}))\n"
              "del _ch11_grader, _ch11_sys, _ch11_types\n")
    probe = f"__import__('sys').modules['_ch11_grader'].probe(__import__('json').loads({settings}))\n"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [_cell(loader)] + [_cell(src, ["raises-exception"]) for src in code_cells] + [_cell(probe)]
    return nb


def exercise_config(lesson: str) -> tuple[list, dict]:
    """The probe's description of lesson ``lesson``'s exercises, and the function inputs (public and hidden)."""
    from tools.grading.hidden import hidden_args
    from exercises import exercises_of

    items, arrays = [], {}
    for ex in exercises_of(lesson):
        item = {"label": ex.label, "kind": ex.kind, "answer": ex.answer, "context": list(ex.context)}
        if ex.kind == "experiment":
            item["module"] = ex.reference.__module__
            item["reference"] = ex.reference.__name__
        if ex.kind == "function":
            parts = {"public": ex.function.public_args(), "hidden": hidden_args(ex.label)}
            item["cases"] = {part: len(args) for part, args in parts.items()}
            item["arity"] = {part: [len(a) for a in args] for part, args in parts.items()}
            item["time_limit"] = ex.function.time_limit
            for part, args in parts.items():
                for i, tup in enumerate(args):
                    for j, value in enumerate(tup):
                        arrays[f"{ex.label}/{part}/{i}/{j}"] = np.asarray(value)
        items.append(item)
    return items, arrays


def _kill_kernel(work: Path) -> None:
    try:
        pid = int((work / "kernel.pid").read_text())
        os.kill(pid, 9)
    except (OSError, ValueError):
        pass


def run_submission(code_cells: list[str], lesson: str, work: Path, options: dict) -> dict:
    """Execute the graded notebook (leaving out cells that never end or kill the kernel); the probe's output."""
    from tools.nbio import NotebookExecutionError, execute_notebook, write_notebook

    items, arrays = exercise_config(lesson)
    run = work / "run"
    run.mkdir(parents=True, exist_ok=True)
    lib = work / "lib"
    for package in ("utils", "exercises"):
        if not (lib / package).is_dir():
            shutil.copytree(ROOT / package, lib / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    np.savez(work / "probe_in.npz", **arrays)
    names = sorted({e["answer"] for e in items})
    config = {"work": str(work), "names": names, "cell_limit": options["cell_limit"], "exercises": items,
              "reference_limit": options.get("reference_limit", 600)}
    env = dict(os.environ)
    env.update(PYTHONPATH=str(lib), PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg",
               TF_CPP_MIN_LOG_LEVEL="3")
    if options.get("threads"):
        env.update(OMP_NUM_THREADS=str(options["threads"]), TF_NUM_INTRAOP_THREADS=str(options["threads"]),
                   TF_NUM_INTEROP_THREADS="1")
    kept = list(range(len(code_cells)))
    excluded = []
    deadline = time.monotonic() + 0.8 * options["time_limit"]   # no retry that cannot finish in time
    for attempt in range(MAX_RETRIES + 1):
        for name in ("probe_out.json", "probe_out.npz", "notes.jsonl", "kernel.pid"):
            (work / name).unlink(missing_ok=True)
        nb = build_notebook([code_cells[i] for i in kept], config)
        path = run / "submission.ipynb"
        write_notebook(nb, path)
        try:
            execute_notebook(path, quick=options["quick"], timeout=int(options["cell_limit"]) + 30, cwd=run, env=env)
            break
        except NotebookExecutionError as error:
            _kill_kernel(work)
            cell = error.cell
            if cell is None or cell == 0 or cell > len(kept) or attempt == MAX_RETRIES or time.monotonic() > deadline:
                died = "died" in str(error)
                return {"status": "kernel-died" if died else "grader-error", "excluded": excluded,
                        "error": str(error).split(": ", 1)[-1][:300]}
            original = kept.pop(cell - 1)
            why = "커널이 멈춤" if "died" in str(error) else "끝나지 않음"
            excluded.append({"cell": original, "why": why})
    try:
        probe = json.loads((work / "probe_out.json").read_text(encoding="utf-8"))
        with np.load(work / "probe_out.npz", allow_pickle=False) as data:
            stored = {key: data[key] for key in data.files}
    except (OSError, ValueError) as error:
        return {"status": "grader-error", "excluded": excluded, "error": f"답을 모으지 못했습니다: {error}"}
    return {"status": "graded-without-cells" if excluded else "graded", "excluded": excluded,
            "probe": probe, "arrays": stored}


# --------------------------------------------------------------------------- judging
def _decode(record: dict | None, arrays: dict):
    """(value, problem): the stored answer, or a reason it cannot be one."""
    if not record:
        return None, "missing"
    kind = record.get("type")
    if kind == "array":
        value = arrays[record["key"]]
        return (value.item() if value.shape == () else value), None
    if kind == "str":
        return record["value"], None
    if kind == "missing":
        return None, "missing"
    return None, f"{kind}: {record.get('value', '')}"


def judge(lesson: str, probe: dict, arrays: dict) -> dict:
    """Each exercise's points and verdict line, judged here with the grader's checkers."""
    from tools.grading.hidden import hidden_args
    from exercises import exercises_of, quiet
    from exercises.verdicts import Outcome, cannot_check, judge_choice, unanswered, wrong

    out = {}
    results = probe.get("results", {})
    for ex in exercises_of(lesson):
        record = results.get(ex.label, {})
        hidden_line = ""
        with quiet():
            if "error" in record:
                verdict = cannot_check(ex.label, record["error"])
            elif ex.kind in ("value", "choice", "experiment"):
                answer, problem = _decode(record.get("answer"), arrays)
                if problem == "missing":
                    verdict = unanswered(ex.label)
                elif problem:
                    verdict = wrong(ex.label, "not-numeric", f"답을 숫자나 글자로 읽을 수 없습니다({problem})")
                elif ex.kind == "choice":
                    verdict = judge_choice(ex.label, answer)
                elif ex.kind == "value":
                    context = [_decode(r, arrays)[0] for r in record.get("context", [])]
                    verdict = ex.checker(answer, *context)
                else:
                    reference = {k: _decode(r, arrays)[0] for k, r in record.get("reference", {}).items()}
                    verdict = ex.judge(answer, reference)
            else:
                outcomes = record.get("outcomes")
                if outcomes is None:
                    answer, problem = _decode(record.get("answer"), arrays)
                    verdict = (wrong(ex.label, "not-callable", f"{ex.answer}가 함수가 아닙니다. 함수를 정의하십시오")
                               if record.get("answer") else unanswered(ex.label))
                else:
                    def decoded(part):
                        return [Outcome(o["kind"], arrays.get(o["key"]) if "key" in o else None, o.get("detail", ""))
                                for o in outcomes[part]]
                    function = ex.function
                    public = function.judge_outcomes(function.cases(), decoded("public"))
                    verdict = public
                    if public.status == "right" and outcomes["hidden"]:
                        cases = [function.make_case(*args) for args in hidden_args(ex.label)]
                        hidden = function.judge_outcomes(cases, decoded("hidden"))
                        if hidden.status != "right":
                            hidden_line = hidden.message.split("] ", 1)[-1]
                            verdict = type(hidden)(hidden.status, hidden.code,
                                                   f"[{ex.label}] 공개 검사는 통과했지만 숨은 검사에서: {hidden_line}")
        out[ex.label] = {"points": ex.points if verdict.status == "right" else 0.0, "max": ex.points,
                         "status": verdict.status, "code": verdict.code, "message": verdict.message}
    return out


def grade_one(path: Path, work: Path, options: dict) -> dict:
    """Everything the grade sheet and the feedback need about one submission."""
    start = time.monotonic()
    result = {"file": path.name, "lesson": options.get("lesson"), "notes": [], "exercises": {}}
    info = read_submission(path)
    result["notes"] += info["notes"]
    if info["status"]:
        result["status"] = info["status"]
        return result
    found = detect_lesson(info, path)
    lesson = options.get("lesson") or found
    if lesson is None:
        result["status"] = "unknown-lesson"
        result["notes"].append("제목 셀, 체커 호출, 파일 이름 어디에서도 레슨 번호를 찾지 못했습니다: --lesson으로 정하십시오")
        return result
    result["lesson"] = lesson
    if found is not None and found != lesson:
        result["status"] = "wrong-lesson"
        result["notes"].append(f"레슨 {found}의 노트북으로 보입니다(채점 레슨: {lesson})")
        return result
    ran = run_submission(info["cells"], lesson, work, options)
    result["status"] = ran["status"]
    for item in ran.get("excluded", []):
        result["notes"].append(f"코드 셀 {item['cell'] + 1}번째를 빼고 다시 실행했습니다({item['why']})")
    if "error" in ran:
        result["notes"].append(ran["error"])
    if "probe" in ran:
        result["exercises"] = judge(lesson, ran["probe"], ran["arrays"])
        result["notes"] += _kernel_notes(ran["probe"].get("notes", []))
    result["seconds"] = round(time.monotonic() - start, 1)
    return result


def _kernel_notes(notes: list) -> list[str]:
    lines = []
    errors = [n for n in notes if n.get("kind") == "error"]
    timeouts = [n for n in notes if n.get("kind") == "timeout"]
    refused = [n for n in notes if n.get("kind") == "refused"]
    if errors:
        shown = "; ".join(f"{n['cell']}번째: {n['error']}" for n in errors[:3])
        lines.append(f"오류가 난 코드 셀 {len(errors)}개 ({shown}{' ...' if len(errors) > 3 else ''})")
    if timeouts:
        lines.append(f"셀 시간 제한에 걸려 중단된 코드 셀: {', '.join(str(n['cell']) + '번째' for n in timeouts)}")
    if refused:
        lines.append(f"실행하지 않은 설치·셸 명령 {len(refused)}개 (예: {refused[0]['what']})")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, work, config = Path(argv[0]), Path(argv[1]), json.loads(argv[2])
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = grade_one(path, work, config)
    except Exception as error:  # noqa: BLE001 -- one submission never stops the batch
        result = {"file": path.name, "lesson": config.get("lesson"), "status": "grader-error", "exercises": {},
                  "notes": [f"{type(error).__name__}: {str(error)[:300]}"]}
    tmp = work / "result.json.tmp"
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, work / "result.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

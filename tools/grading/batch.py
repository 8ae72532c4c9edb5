"""Grade a folder of submissions: one process per submission, a grade sheet and one feedback file per student.

The sheet, ``grades.csv`` (UTF-8 with a byte-order mark, so spreadsheet programs read the Korean
text), has one row per file: ``file``, ``student_id``, ``lesson``, ``mode``, one column of points per
exercise (``01-1``, ``01-2``, ...), ``total``, ``max``, ``status``, ``seconds`` and ``note``.
``feedback/<student_id>.md`` holds the checker's line for each exercise.

Student id: the first run of 5 or more digits in the file name (a 학번 such as
``2024123456_01.ipynb`` or ``hw01-2024123456.ipynb``); a file name without one keeps its name without the
extension. ``--id-pattern`` replaces the rule with a regular expression whose first group is the id.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools.grading.worker import STATUS_TEXT, precheck

ROOT = Path(__file__).resolve().parents[2]
MARKER = ".ch11-grades"
DEFAULT_ID_PATTERN = r"(?<![0-9])([0-9]{5,})(?![0-9])"
SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def student_id(name: str, pattern: str = DEFAULT_ID_PATTERN) -> str:
    """The student id in a file name (see the module docstring)."""
    m = re.search(pattern, name)
    if m:
        return m.group(1) if m.groups() else m.group(0)
    return Path(name).stem


def submissions_in(folder: Path, out: Path | None = None) -> list[Path]:
    """Every file under ``folder`` (sub-folders too), sorted; hidden files, system clutter and ``out`` left out."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name in SKIPPED_NAMES:
            continue
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if out is not None and (path.resolve() == out.resolve() or out.resolve() in path.resolve().parents):
            continue
        found.append(path)
    return found


def prepare_out(out: Path, submissions: Path) -> None:
    """Create ``out`` or reuse one this grader made (its marker file); refuse anything else."""
    out = out.resolve()
    sub = submissions.resolve()
    if out == sub:
        raise ValueError(f"--out {out} is the submissions folder; give a folder of its own, e.g. {sub.name}-grades")
    if out == ROOT or out in ROOT.parents or out == Path.home():
        raise ValueError(f"--out {out} is the repository, one of its parents or your home folder; give an empty "
                         "or new folder, e.g. grades/")
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"--out {out} is a file; give a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ValueError(f"--out {out} holds files this grader did not write (no {MARKER}); give an empty or "
                             "new folder, or one an earlier grading run wrote")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by python -m tools.grading; its grades.csv and feedback/ are replaced "
                              "on the next run\n", encoding="utf-8")


def _run_worker(path: Path, work: Path, options: dict, wall: float) -> dict:
    """Grade ``path`` in a process of its own; a run past ``wall`` seconds is stopped (kernel included)."""
    work.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "tools.grading.worker", str(path), str(work), json.dumps(options)]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _, err = process.communicate(timeout=wall)
    except subprocess.TimeoutExpired:
        _stop(process, work)
        return {"file": path.name, "status": "time-limit", "exercises": {}, "seconds": round(time.monotonic() - start, 1),
                "notes": [f"{wall:.0f}초 안에 끝나지 않았습니다"]}
    try:
        result = json.loads((work / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        result = {"file": path.name, "status": "grader-error", "exercises": {}, "notes": [tail[0][:300]]}
    result.setdefault("seconds", round(time.monotonic() - start, 1))
    return result


def _stop(process: subprocess.Popen, work: Path) -> None:
    import signal

    for target in ("group", "kernel"):
        try:
            if target == "group":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(int((work / "kernel.pid").read_text()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    process.wait()


def grade_folder(submissions: Path, out: Path, *, lesson: str | None = None, quick: bool = False, jobs: int = 1,
                 time_limit: float = 900.0, cell_limit: float = 300.0, id_pattern: str = DEFAULT_ID_PATTERN,
                 keep_work: bool = False, work_dir: Path | None = None, log=print) -> list[dict]:
    """Grade every file under ``submissions``; write ``out/grades.csv`` and ``out/feedback/``; return the rows."""
    if not submissions.is_dir():
        raise ValueError(f"SUBMISSIONS={submissions} is not a folder; give the folder that holds the notebooks")
    if lesson is not None and not re.fullmatch(r"0[1-6]", lesson):
        raise ValueError(f"--lesson {lesson!r}: expected one of 01, 02, 03, 04, 05, 06")
    prepare_out(out, submissions)
    files = submissions_in(submissions, out)
    threads = max(1, (os.cpu_count() or 1) // max(jobs, 1))
    options = {"lesson": lesson, "quick": quick, "cell_limit": cell_limit, "time_limit": time_limit,
               "threads": threads if jobs > 1 else None}
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        keep_work = True
    scratch = Path(tempfile.mkdtemp(prefix="ch11-grading-", dir=work_dir))
    start = time.monotonic()

    def one(item):
        i, path = item
        result = precheck(path) or _run_worker(path, scratch / f"{i:04d}", options, time_limit)
        result["file"] = str(path.relative_to(submissions))
        result.setdefault("lesson", lesson)
        if result.get("lesson") is None:
            result["lesson"] = lesson
        result["student_id"] = student_id(path.name, id_pattern)
        result["mode"] = "quick" if quick else "default"
        log(f"[{i + 1}/{len(files)}] {result['file']}: {result['status']}, {_total(result):g} points, "
            f"{result.get('seconds', 0):.0f} s")
        return result

    try:
        with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
            rows = list(pool.map(one, enumerate(files)))
    finally:
        if not keep_work:
            shutil.rmtree(scratch, ignore_errors=True)
    _mark_duplicates(rows)
    write_sheet(rows, out / "grades.csv")
    write_feedback(rows, out / "feedback")
    log(f"graded {len(rows)} files in {time.monotonic() - start:.0f} s -> {out / 'grades.csv'}")
    return rows


def _total(result: dict) -> float:
    return float(sum(e["points"] for e in result.get("exercises", {}).values()))


def _mark_duplicates(rows: list[dict]) -> None:
    by_id: dict[str, list[dict]] = {}
    for row in rows:
        by_id.setdefault(row["student_id"], []).append(row)
    for same in by_id.values():
        if len(same) > 1:
            for row in same:
                others = ", ".join(r["file"] for r in same if r is not row)
                row.setdefault("notes", []).append(f"같은 학번의 다른 제출: {others}")


def _labels(rows: list[dict]) -> list[str]:
    from exercises import EXERCISES

    lessons = {row.get("lesson") for row in rows if row.get("lesson")}
    return [e.label for e in EXERCISES if e.lesson in lessons]


def write_sheet(rows: list[dict], path: Path) -> None:
    """grades.csv, written atomically."""
    from exercises import EXERCISES

    labels = _labels(rows)
    maximum = {e.label: e.points for e in EXERCISES}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "student_id", "lesson", "mode", *labels, "total", "max", "status", "seconds", "note"])
    for row in rows:
        exercises = row.get("exercises", {})
        lesson_labels = [label for label in labels if label[:2] == row.get("lesson")]
        points = [(_fmt(exercises[label]["points"]) if label in exercises else ("0" if label in lesson_labels else ""))
                  for label in labels]
        total_max = sum(maximum[label] for label in lesson_labels)
        writer.writerow([row["file"], row["student_id"], row.get("lesson") or "", row.get("mode", ""), *points,
                         _fmt(_total(row)), _fmt(total_max) if lesson_labels else "", row["status"],
                         f"{row.get('seconds', 0):.0f}", " | ".join(row.get("notes", []))])
    _write_atomic(path, "\ufeff" + buffer.getvalue())


def _fmt(value: float) -> str:
    return f"{value:g}"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def feedback_text(row: dict) -> str:
    """The Korean feedback of one submission."""
    from exercises import EXERCISES

    lesson = row.get("lesson")
    lines = [f"# 채점 결과: {row['file']}", "",
             f"- 학번: {row['student_id']}",
             f"- 레슨: {lesson or '알 수 없음'}",
             f"- 상태: {row['status']} ({STATUS_TEXT.get(row['status'], '')})"]
    if row.get("mode") == "quick":
        lines.append("- 실행: 빠른 모드(CH11_QUICK=1): 학습 에폭과 자료를 줄여 실행했습니다. 학습 결과에 따라 달라지는 답은 "
                     "이 실행에서 다시 계산한 값과 비교했습니다")
    exercises = row.get("exercises", {})
    labels = [e for e in EXERCISES if e.lesson == lesson]
    if labels:
        total_max = sum(e.points for e in labels)
        lines.append(f"- 점수: {_total(row):g} / {total_max:g}")
    lines.append("")
    if exercises:
        lines.append("## 문제별 판정")
        lines.append("")
        for e in labels:
            item = exercises.get(e.label)
            if item is None:
                continue
            lines.append(f"- {e.label} ({item['points']:g}/{item['max']:g}점) {item['message']}")
        lines.append("")
    else:
        lines.append("답을 채점하지 못했습니다. 아래 메모를 보십시오.")
        lines.append("")
    if row.get("notes"):
        lines.append("## 메모")
        lines.append("")
        lines += [f"- {note}" for note in row["notes"]]
        lines.append("")
    lines.append("채점은 제출한 노트북의 코드 셀을 새 커널에서 처음부터 다시 실행해서 했습니다. 저장된 출력과 제출물의 "
                 "utils는 쓰지 않았고, 함수 답은 공개 체커가 보여 주지 않는 입력(숨은 검사)에서도 확인했습니다.")
    return "\n".join(lines) + "\n"


def write_feedback(rows: list[dict], folder: Path) -> None:
    """One ``<student_id>.md`` per row (``<student_id>__<file>.md`` where one id has several files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["student_id"]] = counts.get(row["student_id"], 0) + 1
    for row in rows:
        sid = re.sub(r"[^\w.-]", "_", row["student_id"]) or "unknown"
        stem = re.sub(r"[^\w.-]", "_", Path(row["file"]).stem)
        name = sid if counts[row["student_id"]] == 1 else f"{sid}__{stem}"
        _write_atomic(folder / f"{name}.md", feedback_text(row))

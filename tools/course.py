"""Keep the series' notebooks and README in step with the one place that says where it lives.

``pyproject.toml`` holds the repository (``[tool.ch11] repository``, "owner/name"
on GitHub) and the ref (tag or commit) that Colab installs ``utils`` from.
From them this module generates, in every lesson (``notebooks/NN_*.ipynb``) and
every solution notebook (``notebooks/solutions/NN_*.ipynb``), the "Open in Colab"
badge and the layout of its title cell, its Colab setup cell, the short note a
reader sees in place of a stored widget before running the notebook, one nbformat
version (4.5, with cell ids); and in README the table of notebooks (from the
lessons' title cells) and the table of exercises (from the headings
``### 연습문제 N (가): title`` of each lesson's cells tagged ``exercises``).
Notebooks are read and written through :mod:`tools.nbio` (a damaged notebook is
named in one line; a rewrite keeps the file's mode).

    python -m tools.course sync            # rewrite what is out of step
    python -m tools.course check           # exit 1 if anything is out of step (the tests use it)
    python -m tools.course release-check   # before a release: the ref exists on GitHub, the tag
                                           # points at HEAD, and `sync` would change nothing
Exit codes: 0 in step (or brought in step), 1 out of step / release problems, 2 a file that
cannot be read (a damaged notebook, pyproject.toml without [tool.ch11], README without its markers)
or GitHub unreachable in release-check.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import stat
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tools import nbio

ROOT = Path(__file__).resolve().parent.parent
SETUP_MARKER = "# Colab setup"
TABLE_START = "<!-- notebooks:start -->"
TABLE_END = "<!-- notebooks:end -->"
EXERCISES_START = "<!-- exercises:start -->"
EXERCISES_END = "<!-- exercises:end -->"
EXERCISE_TAG = "exercises"
# An exercise heading in a lesson's exercise section: "### 연습문제 3 (나, 다): title"
EXERCISE_HEADING = re.compile(r"^###\s+연습문제\s+(\d+)\s+\(([^()]+)\)\s*:\s*(\S.*?)\s*$")
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
GOAL_PREFIX = "**목표(goal):**"
TIME_PREFIX = "**실행 시간(run time):**"
NBFORMAT = (4, 5)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# What a reader sees in place of a stored widget (slider) until the notebook runs: an untrusted
# notebook, GitHub and nbviewer show the text/plain fallback, never the widget itself.
WIDGET_NOTE = ("슬라이더는 노트북을 위에서부터 실행하면 움직입니다 (저장된 그림은 위에 있습니다).\n"
               "Run the notebook from the top to use the sliders (the stored figure is above).")
# A title-cell field line: "**목표(goal):** ...", with or without a leading "- ".
FIELD_LINE = re.compile(r"^(?:[-*]\s+)?(\*\*[^*\n]+:\*\*.*)$")
REPOSITORY_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
REF_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")


def check_repository(repository: object) -> str:
    """``repository`` if it is a GitHub "owner/name"; ValueError naming the setting otherwise."""
    if not isinstance(repository, str) or not REPOSITORY_PATTERN.fullmatch(repository) \
            or repository.split("/")[1] in {".", ".."}:
        raise ValueError(f"[tool.ch11] repository in pyproject.toml is {repository!r}; expected a GitHub "
                         "'owner/name' (letters, digits, '-', and '.', '_' in the name), e.g. "
                         "'stat-ml-course/ch11-autoencoders'")
    return repository


def check_ref(ref: object) -> str:
    """``ref`` if it is a safe git tag, branch or commit name; ValueError naming the setting otherwise.

    The ref is written into the notebooks' setup cells as Python code and into URLs, so only
    letters, digits and ``. _ / -`` are admitted, as git itself allows for ref names
    (no ``..``, ``//``, leading ``-`` or ``/``, trailing ``/``, ``.`` or ``.lock``).
    """
    ok = (isinstance(ref, str) and REF_PATTERN.fullmatch(ref) is not None and ".." not in ref
          and "//" not in ref and not ref.endswith(("/", ".", ".lock")))
    if not ok:
        raise ValueError(f"[tool.ch11] ref in pyproject.toml is {ref!r}; expected a git tag, branch or "
                         "commit such as 'v0.2.0' (letters, digits and . _ / - only, starting with a "
                         "letter or digit, no '..')")
    return ref


@dataclass(frozen=True)
class Course:
    repository: str
    ref: str

    def __post_init__(self) -> None:
        check_repository(self.repository)
        check_ref(self.ref)

    def colab_url(self, notebook: str) -> str:
        """Colab's URL of ``notebook``, a path under ``notebooks/`` ("02_x.ipynb", "solutions/02_y.ipynb")."""
        return f"https://colab.research.google.com/github/{self.repository}/blob/{self.ref}/notebooks/{notebook}"

    def binder_url(self, notebook: str) -> str:
        return (f"https://mybinder.org/v2/gh/{self.repository}/{self.ref}"
                f"?labpath={quote('notebooks/' + notebook, safe='')}")

    def colab_badge(self, notebook: str) -> str:
        return f"[![Open In Colab]({COLAB_BADGE})]({self.colab_url(notebook)})"

    def binder_badge(self, notebook: str) -> str:
        return f"[![Binder]({BINDER_BADGE})]({self.binder_url(notebook)})"

    def pip_url(self, ref: str | None = None) -> str:
        """pip's URL for the repository at ``ref`` (default: the course's ref; "" = default branch)."""
        ref = self.ref if ref is None else ref
        return f"git+https://github.com/{self.repository}" + (f"@{ref}" if ref else "")

    def setup_cell(self) -> str:
        return SETUP_CELL.replace("REPOSITORY", self.repository).replace("REF", self.ref)


# The notebooks' first code cell. REPOSITORY and REF are replaced by the checked values.
SETUP_CELL = '''\
# Colab setup: on Colab, install this chapter's `utils` from GitHub (--no-deps keeps Colab's own
# TensorFlow, Keras and ipywidgets) and say which device TensorFlow uses; elsewhere it does nothing.
import subprocess, sys

def install_utils(repository, ref):
    for tried in (ref, ""):  # the release this notebook belongs to, then the default branch
        url = f"git+https://github.com/{repository}" + (f"@{tried}" if tried else "")
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", url],
                             capture_output=True, text=True)
        if pip.returncode == 0:
            return print(f"utils: {url}" + ("" if tried else f" (기본 브랜치 / default branch, not {ref})"))
        lines = [ln.strip() for ln in pip.stderr.splitlines() if ln.strip()]
        why = [ln for ln in lines if ln.startswith(("fatal:", "error: pathspec"))] or lines[-1:]
        print(f"설치 실패 / install failed: {url}", *why[-1:], sep="\\n  ")
    raise RuntimeError(
        f"github.com/{repository}에서 utils를 설치하지 못했습니다(ref {ref}, 그다음 기본 브랜치). 런타임이 "
        "오프라인이거나 ref가 없습니다. 인터넷 연결을 확인하고 이 셀을 다시 실행하거나, 저장소 README의 배지로 "
        f"노트북을 다시 여십시오.\\nCould not install utils from github.com/{repository} (ref {ref}, then the "
        "default branch): the runtime is offline or the ref does not exist. Check the connection and run "
        "this cell again, or open the notebook from the badges in the repository's README.")

if "google.colab" in sys.modules:
    install_utils("REPOSITORY", "REF")
    # the sliders' front end (utils.widgets), with its own dependencies; Colab's ipywidgets stays as it is
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "anywidget>=0.9"], check=True)
    import tensorflow as tf
    gpu = tf.config.list_physical_devices("GPU")
    print("TensorFlow device:", tf.config.experimental.get_device_details(gpu[0]).get("device_name", "GPU")
          if gpu else "CPU (GPU: 런타임 > 런타임 유형 변경 / Runtime > Change runtime type)")'''


def load_course(root: Path = ROOT) -> Course:
    """Read and check ``[tool.ch11]`` from ``pyproject.toml``."""
    path = root / "pyproject.toml"
    with open(path, "rb") as f:
        cfg = tomllib.load(f).get("tool", {}).get("ch11")
    if not isinstance(cfg, dict) or "repository" not in cfg or "ref" not in cfg:
        raise ValueError(f"{path} lacks [tool.ch11] with the keys 'repository' and 'ref'")
    return Course(cfg["repository"], cfg["ref"])


def notebooks(root: Path = ROOT) -> list[Path]:
    """The series' lessons, in teaching order (notebooks/NN_name.ipynb)."""
    return sorted(p for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def solution_notebooks(root: Path = ROOT) -> list[Path]:
    """The solution notebooks, in teaching order (notebooks/solutions/NN_name.ipynb)."""
    return sorted(p for p in (root / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))


def series(root: Path = ROOT) -> list[Path]:
    """Every notebook ``sync`` keeps in step: the lessons, then the solution notebooks."""
    return notebooks(root) + solution_notebooks(root)


def notebook_name(path: Path, root: Path = ROOT) -> str:
    """``path`` relative to ``notebooks/`` ("02_x.ipynb", "solutions/02_y.ipynb"): what the badges link."""
    try:
        return path.resolve().relative_to((root / "notebooks").resolve()).as_posix()
    except ValueError:
        return path.name


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _lines(text: str) -> list[str]:
    """Text as nbformat's list of lines (each but the last ends with a newline)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _set_src(cell: dict, text: str) -> None:
    cell["source"] = _lines(text)


def title_info(nb: dict, name: str) -> dict[str, str]:
    """Title, goal and run time from a notebook's first (markdown) cell."""
    if not nb.get("cells"):
        raise ValueError(f"{name}: the notebook has no cells; the first must be the markdown title cell")
    first = nb["cells"][0]
    if first.get("cell_type") != "markdown":
        raise ValueError(f"{name}: the first cell must be the markdown title cell")
    lines = _src(first).splitlines()
    fields = [m.group(1) for m in map(FIELD_LINE.match, lines) if m]
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), None)
    goal = next((f[len(GOAL_PREFIX):].strip() for f in fields if f.startswith(GOAL_PREFIX)), None)
    time = next((f[len(TIME_PREFIX):].strip() for f in fields if f.startswith(TIME_PREFIX)), None)
    missing = [k for k, v in {"'# title'": title, GOAL_PREFIX: goal, TIME_PREFIX: time}.items() if v is None]
    if missing:
        raise ValueError(f"{name}: the title cell lacks the line(s) {missing}")
    return {"title": title, "goal": goal, "time": time}


def title_cell(text: str, badge: str, name: str) -> str:
    """The title cell in the series' layout.

    The ``# title`` line, the badge line, a blank line, then the rest of the cell, where each
    field line (``**목표(goal):** ...``) is a list item and each list stands apart from the
    text around it by a blank line (Markdown joins lines that touch into one paragraph).
    """
    lines = text.split("\n")
    title_at = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), None)
    if title_at is None:
        raise ValueError(f"{name}: the title cell has no '# title' line")
    rest = [ln.rstrip() for i, ln in enumerate(lines) if i != title_at and COLAB_BADGE not in ln
            and BINDER_BADGE not in ln]
    out: list[str] = []
    for ln in rest:
        m = FIELD_LINE.match(ln)
        item = f"- {m.group(1)}" if m else ln
        prev_item = bool(out) and out[-1].startswith("- **")
        if out and out[-1] != "" and item != "" and (m is not None) != prev_item:
            out.append("")
        out.append(item)
    while out and out[0] == "":
        out.pop(0)
    while out and out[-1] == "":
        out.pop()
    collapsed = [ln for i, ln in enumerate(out) if not (ln == "" and i and out[i - 1] == "")]
    return "\n".join(lines[:title_at] + [lines[title_at], badge] + ([""] + collapsed if collapsed else []))


def _cell_id(name: str, index: int, taken: set[str]) -> str:
    base = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]
    cid, n = base, 1
    while cid in taken:
        cid, n = f"{base}-{n}", n + 1
    return cid


def sync_notebook(nb: dict, name: str, course: Course) -> list[str]:
    """Bring ``nb`` into the series' form in place; return what changed.

    The title cell's badge line and layout, the Colab setup cell, the text/plain fallback of
    stored widget outputs, and the nbformat version 4.5 with a cell id on every cell (kept
    when present, otherwise derived from the notebook's name and the cell's position).
    """
    changes = []
    if not nb.get("cells") or nb["cells"][0].get("cell_type") != "markdown":
        raise ValueError(f"{name}: the first cell must be the markdown title cell")
    first = nb["cells"][0]
    text = _src(first)
    new = title_cell(text, f"{course.colab_badge(name)} {course.binder_badge(name)}", name)
    if new != text:
        _set_src(first, new)
        changes.append("title cell")

    setup = [c for c in nb["cells"] if c["cell_type"] == "code" and _src(c).startswith(SETUP_MARKER)]
    if not setup:
        raise ValueError(f"{name}: no code cell starting with {SETUP_MARKER!r}; add one right after the title")
    if _src(setup[0]) != course.setup_cell():
        _set_src(setup[0], course.setup_cell())
        changes.append("setup cell")

    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            plain = data.get("text/plain")
            if WIDGET_VIEW in data and ("".join(plain) if isinstance(plain, list) else plain) != WIDGET_NOTE:
                data["text/plain"] = _lines(WIDGET_NOTE)
                if "widget note" not in changes:
                    changes.append("widget note")

    if (nb.get("nbformat"), nb.get("nbformat_minor")) != NBFORMAT:
        nb["nbformat"], nb["nbformat_minor"] = NBFORMAT
        changes.append("nbformat %d.%d" % NBFORMAT)
    taken = {c["id"] for c in nb["cells"] if isinstance(c.get("id"), str)}
    missing_ids = False
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell.get("id"), str):
            cell["id"] = _cell_id(name, i, taken)
            taken.add(cell["id"])
            missing_ids = True
    if missing_ids:
        changes.append("cell ids")
    return changes


def readme_table(course: Course, root: Path = ROOT, read=None) -> str:
    """README's table of lessons: title, goal and run time from each title cell, and the badges."""
    read = read or nbio.read_notebook
    rows = ["| 노트북 (notebook) | 목표 (goal) | 실행 시간 (run time, 2-core CPU) | 열기 (open) |",
            "|---|---|---|---|"]
    for p in notebooks(root):
        info = title_info(read(p), p.name)
        rows.append(f"| [{info['title']}](notebooks/{p.name}) | {info['goal']} | {info['time']} | "
                    f"{course.colab_badge(p.name)} {course.binder_badge(p.name)} |")
    return "\n".join(rows)


def exercise_headings(nb: dict, name: str) -> list[tuple[str, str, str]]:
    """``(number, kind, title)`` of each exercise, from the headings of the cells tagged ``exercises``.

    Raises
    ------
    ValueError
        For a heading that starts like an exercise (``### 연습문제``) but does not read
        ``### 연습문제 N (가): title``, or numbers that do not run 1, 2, 3, ...
    """
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "markdown" or EXERCISE_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for line in _src(cell).splitlines():
            if not re.match(r"###\s+연습문제", line):
                continue
            m = EXERCISE_HEADING.match(line)
            if not m:
                raise ValueError(f"{name}: cell {i}: the heading {line!r} does not read "
                                 "'### 연습문제 N (가): title'; fix the heading")
            found.append(m.groups())
    numbers = [int(n) for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{name}: the exercises are numbered {numbers}; expected 1, 2, 3, ... in order")
    return found


def exercise_table(root: Path = ROOT, read=None) -> str:
    """README's table of exercises: per lesson, each exercise's number, kind and title."""
    read = read or nbio.read_notebook
    rows = ["| 노트북 (notebook) | 연습문제 (exercises) |", "|---|---|"]
    for p in notebooks(root):
        nb = read(p)
        found = exercise_headings(nb, p.name)
        if not found:
            continue
        short = title_info(nb, p.name)["title"].split(":", 1)[0].strip()
        items = " · ".join(f"{n} ({kind}) {title}" for n, kind, title in found)
        rows.append(f"| [{short}](notebooks/{p.name}) | {items} |")
    return "\n".join(rows)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and os.replace.

    The file keeps its permission bits (a new file gets 0o644).
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = nbio.NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebook_json(nb: dict) -> str:
    """The notebook as the series stores it (:func:`tools.nbio.notebook_text`)."""
    return nbio.notebook_text(nb)


def _replace_between(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise ValueError(f"README.md lacks the markers {start} and {end} (in that order); put them back "
                         "around the generated table")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def sync(root: Path = ROOT, write: bool = True) -> list[str]:
    """Bring the notebooks and README's tables in step; return what was (or would be) changed.

    Every notebook is read (and checked) before anything is written, so a damaged notebook
    stops the sync with nothing changed.

    Raises
    ------
    tools.nbio.NotebookError
        For a damaged notebook (one line naming the file and the cell).
    ValueError
        For a notebook without title or setup cell, or README without its markers.
    """
    course = load_course(root)
    paths = series(root)
    read = {p: nbio.read_notebook(p) for p in paths}
    report, changed = [], []
    for p in paths:
        nb, name = read[p], notebook_name(p, root)
        changes = sync_notebook(nb, name, course)
        if changes:
            report.append(f"{name}: {', '.join(changes)}")
            changed.append(p)
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = _replace_between(text, TABLE_START, TABLE_END, readme_table(course, root, read.__getitem__))
    new = _replace_between(new, EXERCISES_START, EXERCISES_END, exercise_table(root, read.__getitem__))
    if new != text:
        what = [w for w, a, b in (("table of notebooks", TABLE_START, TABLE_END),
                                  ("table of exercises", EXERCISES_START, EXERCISES_END))
                if text.split(a, 1)[1].split(b, 1)[0] != new.split(a, 1)[1].split(b, 1)[0]]
        report.append(f"README.md: {', '.join(what)}")
    if write:
        for p in changed:
            nbio.write_notebook(read[p], p)
        if new != text:
            write_atomic(readme, new)
    return report


# --- release check -------------------------------------------------------------------------

NETWORK_ERRORS = ("could not resolve host", "failed to connect", "network is unreachable",
                  "connection timed out", "timed out", "temporary failure in name resolution",
                  "could not read from remote", "connection refused")


class ReleaseCheckError(Exception):
    """A release check that failed; ``offline`` when the public repository could not be reached."""

    def __init__(self, message: str, offline: bool = False, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.offline = offline
        self.problems = list(problems or [])


def _git(root: Path, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})


def remote_commit(course: Course, root: Path = ROOT, timeout: float = 30.0) -> str:
    """The commit ``course.ref`` names on the public repository (``git ls-remote``).

    Raises
    ------
    ReleaseCheckError
        If GitHub cannot be reached (``offline=True``) or the ref does not exist there.
    """
    url = f"https://github.com/{course.repository}"
    if re.fullmatch(r"[0-9a-f]{40}", course.ref):
        return course.ref  # a full commit id: the badge works once the commit is pushed
    try:
        done = _git(root, "ls-remote", url, course.ref, f"{course.ref}^{{}}", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ReleaseCheckError(f"git ls-remote {url} did not answer within {timeout:.0f} s", offline=True)
    if done.returncode != 0:
        err = done.stderr.strip()
        offline = any(s in err.lower() for s in NETWORK_ERRORS)
        raise ReleaseCheckError(f"git ls-remote {url} failed: {err}", offline=offline)
    refs = dict(reversed(line.split("\t", 1)) for line in done.stdout.splitlines() if "\t" in line)
    for name in (f"refs/tags/{course.ref}^{{}}", f"refs/tags/{course.ref}", f"refs/heads/{course.ref}"):
        if name in refs:
            return refs[name]
    raise ReleaseCheckError(f"the ref {course.ref!r} does not exist on {url}: push it first "
                            f"(git push origin {course.ref}) or correct [tool.ch11] ref in pyproject.toml")


def release_check(root: Path = ROOT, timeout: float = 30.0) -> list[str]:
    """Problems that stop a release (empty when none); ReleaseCheckError when GitHub is unreachable.

    1. ``sync`` would change nothing (every badge and setup cell names the ref);
    2. locally, the ref names the commit being released (HEAD);
    3. on the public repository, the ref exists and names the same commit.
    """
    course = load_course(root)
    problems = [f"out of step (run `python -m tools.course sync` and commit): {line}"
                for line in sync(root, write=False)]
    head = _git(root, "rev-parse", "HEAD").stdout.strip()
    local = _git(root, "rev-parse", "--verify", "--quiet", f"{course.ref}^{{commit}}").stdout.strip()
    if not local:
        problems.append(f"the ref {course.ref!r} does not exist in this clone: tag the release commit "
                        f"(git tag {course.ref}) or correct [tool.ch11] ref")
    elif local != head:
        problems.append(f"{course.ref} points at {local[:12]}, but the commit being released (HEAD) is "
                        f"{head[:12]}: move the tag or check out {course.ref}")
    try:
        remote = remote_commit(course, root, timeout)
    except ReleaseCheckError as exc:
        if exc.offline:
            raise ReleaseCheckError(
                f"{exc}\ncannot reach github.com, so the public repository was not checked "
                f"({len(problems)} local problem(s) found before that). Run `make release-check` again "
                "on a machine with internet access before you publish.", offline=True, problems=problems) from None
        problems.append(str(exc))
        return problems
    if local and remote != local:
        problems.append(f"{course.ref} is {remote[:12]} on github.com/{course.repository} but {local[:12]} "
                        f"here: push the tag that is here (git push origin {course.ref})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.course",
                                     description="Keep the notebooks and README in step with [tool.ch11].")
    parser.add_argument("command", choices=["sync", "check", "release-check"])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    root = args.root
    if args.command == "release-check":
        try:
            course = load_course(root)
        except (ValueError, OSError) as exc:
            print(f"release-check: {exc}", file=sys.stderr)
            return 2
        print(f"release-check: {course.repository} at {course.ref}")
        try:
            problems = release_check(root)
        except (nbio.NotebookError, ValueError) as exc:
            print(f"release-check: {exc}", file=sys.stderr)
            return 2
        except ReleaseCheckError as exc:
            for p in exc.problems:
                print(f"release-check: {p}", file=sys.stderr)
            print(f"release-check: NOT CHECKED\n{exc}", file=sys.stderr)
            return 2
        for p in problems:
            print(f"release-check: {p}", file=sys.stderr)
        print("release-check: " + (f"{len(problems)} problem(s)" if problems else
                                   "ok: the ref exists on GitHub, names HEAD, and every notebook names it"))
        return 1 if problems else 0
    try:
        report = sync(root, write=args.command == "sync")
    except (nbio.NotebookError, ValueError, OSError) as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2
    for line in report:
        print(("updated " if args.command == "sync" else "out of step: ") + line)
    return 1 if (report and args.command == "check") else 0


if __name__ == "__main__":
    sys.exit(main())

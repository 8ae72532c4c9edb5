"""What every exercise checker shares: the verdict, safe handling of answers, and running a student's function.

A checker takes the student's answer and returns a :class:`Verdict`; the public ``check_...``
functions (decorated with :func:`checker`) also print its one line. The rules every checker keeps:

- **Never a traceback.** Any exception inside a checker, whether from the answer (``10**400``, a
  huge broadcast view, a string) or from an argument of the checker itself, becomes a verdict that
  says what went wrong.
- **Never judged on changed data.** A student's function is called on deep copies of the test
  inputs, and the right result is computed from pristine copies, so a function that changes its
  inputs in place is judged on what it returns.
- **Never a hang.** The function runs under a time limit (``시간 초과``), where the platform can
  interrupt it (a POSIX main thread: Linux, macOS, Colab).
- **What comes back is looked at before it is compared:** nothing returned (a forgotten ``return``)
  has its own verdict; complex, object, text or bool results where a number is asked are named as such.
- **Numbers are judged to the precision the exercise states** ("소수 셋째 자리까지"): an answer right to
  that many decimals is right, one right only to fewer decimals is told "자릿수를 더 주십시오".
"""

from __future__ import annotations

import contextlib
import copy
import dis
import hashlib
import math
import numbers
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

__all__ = ["Verdict", "NOT_ANSWERED", "RIGHT", "WRONG", "TIMEOUT", "CANNOT_CHECK", "checker", "quiet",
           "right", "wrong", "unanswered", "cannot_check", "is_unanswered", "Outcome", "call_safely",
           "outcome_verdict", "answer_array", "answer_number", "judge_number", "Case", "FunctionExercise",
           "close", "Choice", "CHOICES", "choice_hash", "judge_choice", "check_choice", "ANSWER_LOG",
           "decimals_text", "fewer_digits", "more_digits", "GRADING", "deferred"]

NOT_ANSWERED = "아직 답하지 않았습니다 (not answered yet)"
RIGHT = "정답입니다 (correct)"
WRONG = "아직 아닙니다 (not yet)"
TIMEOUT = "시간 초과 (time limit)"
CANNOT_CHECK = "확인할 수 없습니다 (cannot check)"
MAX_ELEMENTS = 10_000_000          # larger answers are refused before numpy tries to copy them
DEFAULT_TIME_LIMIT = 10.0          # seconds for one call of a student's function

_HEADS = {"right": RIGHT, "wrong": WRONG, "unanswered": NOT_ANSWERED, "timeout": TIMEOUT, "error": CANNOT_CHECK}


@dataclass(frozen=True)
class Verdict:
    """What a checker concluded.

    ``status`` is "right", "wrong", "unanswered", "timeout" (the student's function did not finish in
    time) or "error" (the checker was given arguments it cannot judge with); ``code`` names the kind
    of mistake (tests and the grader use it); ``message`` is the printed line. A Verdict is truthy only
    when the answer is right. In a notebook it displays nothing: the checker has printed its line.
    """

    status: str
    code: str
    message: str

    def __bool__(self) -> bool:
        return self.status == "right"

    def _ipython_display_(self) -> None:  # the printed line is the whole output
        return None


def _verdict(status: str, code: str, label: str, text: str = "") -> Verdict:
    return Verdict(status, code, f"[{label}] {_HEADS[status]}" + (f": {text}" if text else ""))


def right(label: str, text: str = "") -> Verdict:
    return _verdict("right", "right", label, text)


def wrong(label: str, code: str, text: str) -> Verdict:
    return _verdict("wrong", code, label, text)


def unanswered(label: str) -> Verdict:
    return _verdict("unanswered", "unanswered", label)


def cannot_check(label: str, text: str) -> Verdict:
    return _verdict("error", "bad-argument", label, text)


def is_unanswered(answer: Any) -> bool:
    """True for the template's placeholders: ``None`` and ``...``."""
    return answer is None or answer is Ellipsis


# --------------------------------------------------------------------------- printing and the answer log
_state = threading.local()
# Callbacks ``f(label, args)`` told of every checker call (the batch grader uses this to find answers
# whose variable was renamed); a failing callback is ignored.
ANSWER_LOG: list[Callable[[str, tuple], None]] = []
# Set by the batch grader inside a submission's kernel: the experiment checkers then skip recomputing
# their reference (the grader recomputes it once and judges outside the kernel).
GRADING = {"active": False}


def deferred(label: str) -> Verdict:
    """The verdict of an experiment checker while the batch grader runs the notebook: judged later, outside."""
    return Verdict("unanswered", "deferred", f"[{label}] 채점기가 따로 확인합니다 (checked by the grader)")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Checkers called inside this block print nothing (they still return their Verdict)."""
    before = getattr(_state, "quiet", False)
    _state.quiet = True
    try:
        yield
    finally:
        _state.quiet = before


def checker(label: str | None = None) -> Callable:
    """Make ``fn`` a public checker: it prints its verdict's line, and no exception escapes it.

    ``label`` is the exercise's label ("01-3"); ``None`` means the first argument is the label
    (``check_choice``).
    """
    def wrap(fn: Callable) -> Callable:
        def public(*args, **kwargs):
            name = label if label is not None else (str(args[0]) if args else "?")
            for log in list(ANSWER_LOG):
                try:
                    log(name, args)
                except Exception:  # noqa: BLE001 -- a recorder never breaks a checker
                    pass
            try:
                verdict = fn(*args, **kwargs)
            except KeyboardInterrupt:
                raise
            except _TimeLimit:
                verdict = _verdict("timeout", "timeout", name, "확인이 시간 안에 끝나지 않았습니다")
            except BaseException as error:  # noqa: BLE001 -- every failure becomes a verdict
                verdict = _checker_failure(name, error)
            if not getattr(_state, "quiet", False):
                print(verdict.message)
            return verdict

        public.__name__, public.__qualname__ = fn.__name__, fn.__qualname__
        public.__doc__, public.__module__ = fn.__doc__, fn.__module__
        public.__wrapped__ = fn
        public.exercise_label = label
        return public
    return wrap


def _checker_failure(label: str, error: BaseException) -> Verdict:
    kind = type(error).__name__
    if isinstance(error, MemoryError):
        return wrong(label, "too-large", "답이 너무 커서 메모리에 담을 수 없습니다(MemoryError). 답의 모양을 확인하십시오")
    if isinstance(error, OverflowError):
        return wrong(label, "not-finite", f"답을 실수로 바꿀 수 없을 만큼 큽니다({kind}). 값을 확인하십시오")
    if isinstance(error, (SystemExit, GeneratorExit)):
        return wrong(label, "raised", f"답을 다루는 중에 {kind}가 일어났습니다")
    return _verdict("error", "checker-failed", label,
                    f"답을 확인하다 {kind} 오류가 났습니다({_short(error)}). 답과 체커에 넘긴 인자를 확인하십시오")


def _short(error: BaseException, limit: int = 120) -> str:
    text = str(error).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- answers given as values
def _describe_kind(kind: str) -> str:
    return {"c": "복소수(complex)", "O": "숫자가 아닌 객체(object)", "U": "글자(str)", "S": "바이트(bytes)",
            "b": "참/거짓(bool)", "M": "날짜(datetime)", "m": "시간 간격(timedelta)", "V": "구조체(void)"}.get(kind, kind)


def answer_array(answer: Any, label: str, allow_bool: bool = False) -> np.ndarray | Verdict:
    """The answer as a float64 array, or the Verdict that says why it is not a finite numeric one."""
    if isinstance(answer, (str, bytes)):
        return wrong(label, "not-numeric", f"글자 {answer!r}입니다. 숫자나 numpy 배열로 답하십시오")
    if callable(answer) and not hasattr(answer, "__array__"):
        return wrong(label, "not-numeric", f"함수({type(answer).__name__})입니다. 함수를 부른 결과(숫자나 배열)로 답하십시오")
    size = _size(answer)
    if size is not None and size > MAX_ELEMENTS:
        return wrong(label, "too-large", f"원소가 {size:,}개인 배열입니다. 물어본 모양을 확인하십시오")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(answer)
    except (ValueError, TypeError) as error:
        return wrong(label, "not-numeric", f"{type(answer).__name__} 값을 숫자 배열로 바꿀 수 없습니다({_short(error, 60)}). "
                     "모양이 고른 숫자의 리스트나 numpy 배열로 답하십시오")
    if raw.size > MAX_ELEMENTS:
        return wrong(label, "too-large", f"원소가 {raw.size:,}개인 배열입니다. 물어본 모양을 확인하십시오")
    kind = raw.dtype.kind
    if kind == "b" and not allow_bool:
        return wrong(label, "bool", "참/거짓(bool) 값입니다. 숫자로 답하십시오")
    if kind not in "biuf":
        if kind == "O":
            try:
                raw = np.asarray(answer, dtype=np.float64)
                kind = "f"
            except (ValueError, TypeError, OverflowError):
                pass
        if kind not in "biuf":
            return wrong(label, "complex" if kind == "c" else "not-numeric",
                         f"{_describe_kind(kind)} 값입니다. 실수(float)로 답하십시오")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = raw.astype(np.float64)
    except OverflowError:
        return wrong(label, "not-finite", "실수로 바꿀 수 없을 만큼 큰 값이 있습니다")
    if not np.all(np.isfinite(a)):
        return wrong(label, "not-finite", "NaN이나 무한대(inf)가 들어 있습니다")
    return a


def _size(answer: Any) -> int | None:
    shape = getattr(answer, "shape", None)
    if shape is not None:
        try:
            return int(np.prod([int(d) for d in shape], dtype=np.float64))
        except (TypeError, ValueError):
            return None
    return None


def answer_number(answer: Any, label: str) -> float | Verdict:
    """The answer as one finite float: unanswered, not a number, or not one number give a Verdict."""
    if is_unanswered(answer):
        return unanswered(label)
    if isinstance(answer, (bool, np.bool_)):
        return wrong(label, "bool", "참/거짓(bool) 값입니다. 숫자 하나로 답하십시오")
    if isinstance(answer, numbers.Integral) and not isinstance(answer, np.generic):
        if abs(answer) > 10 ** 300:
            return wrong(label, "not-finite", "실수로 바꿀 수 없을 만큼 큰 정수입니다")
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    if a.size != 1:
        return wrong(label, "not-scalar", f"숫자 하나를 답해야 하는데 모양(shape)이 {a.shape}인 배열입니다")
    return float(a.reshape(()))


_DECIMALS_KO = {0: "정수로", 1: "소수 첫째 자리까지", 2: "소수 둘째 자리까지", 3: "소수 셋째 자리까지",
                4: "소수 넷째 자리까지", 5: "소수 다섯째 자리까지", 6: "소수 여섯째 자리까지"}


def decimals_text(decimals: int) -> str:
    """"소수 셋째 자리까지" for 3: how the exercises state the precision asked."""
    return _DECIMALS_KO.get(decimals, f"소수 {decimals}자리까지")


def close(a: np.ndarray, b: Any, rtol: float, atol: float = 0.0) -> bool:
    """``a`` and ``b`` have the same shape and agree elementwise within ``atol + rtol |b|``."""
    b = np.asarray(b, dtype=np.float64)
    if np.shape(a) != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(np.asarray(a, dtype=np.float64) - b) <= atol + rtol * np.abs(b)))


def _is_short(value: float, decimals: int) -> bool:
    """``value`` is written with at most ``decimals`` decimals (a rounded number)."""
    return abs(value - round(value, decimals)) <= 1e-9 * max(1.0, abs(value))


def fewer_digits(answer: np.ndarray, truth: Any, decimals: int) -> int | None:
    """The number of decimals (``decimals - 1`` or ``- 2``, at least 1) to which a rounded ``answer`` matches ``truth``.

    None when the answer is not written with fewer decimals, or does not match even at that precision.
    """
    a = np.asarray(answer, dtype=np.float64)
    t = np.asarray(truth, dtype=np.float64)
    if a.shape != t.shape:
        return None
    for fewer in (decimals - 1, decimals - 2):
        if fewer >= 1 and all(_is_short(float(v), fewer) for v in a.ravel()) and close(a, t, 0.0, 10.0 ** -fewer + 1e-9):
            return fewer
    return None


def more_digits(label: str, decimals: int, fewer: int) -> Verdict:
    """The "자릿수를 더 주십시오" verdict."""
    return wrong(label, "more-digits", f"자릿수를 더 주십시오: {decimals_text(decimals)} 답하십시오 "
                 f"(이 답은 {decimals_text(fewer)}만 맞습니다)")


def judge_number(value: float, truth: float, label: str, decimals: int, mistakes: Sequence = (),
                 right_text: str = "") -> Verdict | None:
    """Right within one unit of the stated last decimal; "more digits" for a rounded near miss.

    ``mistakes`` is a sequence of ``(value, code, text)``: an answer within the same tolerance of
    a typical mistake's value gets that diagnosis. Returns None when nothing matches (the caller
    then gives its own hint).
    """
    unit = 10.0 ** -decimals
    slack = 1e-9 * max(1.0, abs(truth))
    if abs(value - truth) <= unit + slack:
        return right(label, right_text)
    fewer = fewer_digits(np.asarray(value), truth, decimals)
    if fewer is not None:
        return more_digits(label, decimals, fewer)
    tolerance = unit
    for fewer in (decimals - 2, decimals - 1):           # a rounded answer is compared at its own precision
        if fewer >= 1 and _is_short(value, fewer):
            tolerance = 10.0 ** -fewer
            break
    for target, code, text in mistakes:
        if target is not None and math.isfinite(target) and abs(value - target) <= tolerance + 1e-9 * max(1.0, abs(target)):
            return wrong(label, code, text)
    return None


# --------------------------------------------------------------------------- multiple choice
@dataclass(frozen=True)
class Choice:
    """A multiple-choice question: the options offered, the hash of the right one, a hint for a wrong one.

    The right option is stored only as a hash, so reading the lesson modules does not give it away.
    """

    options: tuple
    digest: str
    hint: str


CHOICES: dict[str, Choice] = {}   # question label -> Choice; each lesson module adds its own


def choice_hash(question: str, option: str) -> str:
    return hashlib.sha256(f"ch11:{question}:{option}".encode()).hexdigest()


def _as_option(answer: Any, options: tuple) -> str | None:
    """The option the answer names ("b", " (B) ", 7, 7.0 for digit options), or None."""
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, (numbers.Real, np.number)) and not isinstance(answer, (str, bytes)):
        value = float(answer)
        if math.isfinite(value) and value == int(value):
            text = str(int(value))
            return text if text in options else None
        return None
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower()
    if len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    return text if text in options else None


def judge_choice(question: str, answer: Any) -> Verdict:
    """The Verdict for ``answer`` to the multiple-choice ``question`` (see :func:`check_choice`)."""
    if not isinstance(question, str) or question not in CHOICES:
        return cannot_check(str(question), f"question {question!r}는 없는 문제입니다. "
                            f"{', '.join(sorted(CHOICES))} 가운데 하나를 쓰십시오")
    if is_unanswered(answer):
        return unanswered(question)
    choice = CHOICES[question]
    option = _as_option(answer, choice.options)
    if option is None:
        shown = repr(answer) if len(repr(answer)) <= 40 else repr(answer)[:37] + "..."
        return wrong(question, "not-a-choice", f"{shown}는 보기가 아닙니다. {', '.join(repr(o) for o in choice.options)} "
                     "가운데 하나를 적으십시오")
    if choice_hash(question, option) == choice.digest:
        return right(question, "잰 숫자로 그 까닭을 한두 문장으로 적어 보십시오")
    return wrong(question, "choice", "잰 값과 맞지 않습니다. " + choice.hint)


@checker(None)
def check_choice(question: str, answer: Any) -> Verdict:
    """Multiple-choice questions of the explorations: one of the offered letters (or digits)."""
    return judge_choice(question, answer)


# --------------------------------------------------------------------------- student functions
class _TimeLimit(BaseException):
    """Raised inside a student's function when its time is up (a BaseException: ``except Exception`` does not stop it)."""


@dataclass(frozen=True)
class Outcome:
    """What one call of a student's function gave.

    ``kind`` is "ok" (``value`` holds the result as a numpy array, its dtype as returned), "raised"
    (``detail``: "TypeError: ..."), "timeout", "no-return" (``None`` from a function with a body),
    "unanswered" (``None`` from the template's ``...`` body, ``...`` itself, or NotImplementedError),
    "not-numeric", "complex", "bool" or "too-large" (``detail`` says what came back).
    """

    kind: str
    value: Any = None
    detail: str = ""


_TEMPLATE_OPS = {"RESUME", "NOP", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE", "POP_TOP", "CACHE"}


def _is_template_body(fn: Callable) -> bool:
    """True when ``fn``'s body holds only a docstring and ``...`` (or ``pass``): the unanswered template."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    try:
        ops = {ins.opname for ins in dis.get_instructions(code)}
    except Exception:  # noqa: BLE001
        return False
    return ops <= _TEMPLATE_OPS


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeLimit in this thread after ``seconds`` (POSIX main thread only; elsewhere no limit).

    A timer that was already running (the batch grader limits whole cells the same way) is put
    back afterwards with the time it had left.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds is None or seconds <= 0:
        yield
        return

    def ring(signum, frame):
        raise _TimeLimit()

    start = time.monotonic()
    old_handler = signal.signal(signal.SIGALRM, ring)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            left = max(old_delay - (time.monotonic() - start), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def _result_outcome(out: Any, fn: Callable) -> Outcome:
    if out is Ellipsis:
        return Outcome("unanswered")
    if out is None:
        return Outcome("unanswered") if _is_template_body(fn) else Outcome("no-return")
    if isinstance(out, (str, bytes)):
        return Outcome("not-numeric", detail=f"글자 {str(out)[:40]!r}")
    if isinstance(out, dict):
        return Outcome("not-numeric", detail="사전(dict)")
    size = _size(out)
    if size is not None and size > MAX_ELEMENTS:
        return Outcome("too-large", detail=f"원소 {size:,}개")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(out)
    except Exception as error:  # noqa: BLE001 -- ragged lists, objects without __array__, ...
        return Outcome("not-numeric", detail=f"{type(out).__name__} ({_short(error, 60)})")
    if raw.size > MAX_ELEMENTS:
        return Outcome("too-large", detail=f"원소 {raw.size:,}개")
    kind = raw.dtype.kind
    if kind == "O":
        try:
            raw = np.asarray(out, dtype=np.float64)
            kind = "f"
        except (ValueError, TypeError, OverflowError):
            return Outcome("not-numeric", detail=f"{type(out).__name__} (객체 배열)")
    if kind == "c":
        return Outcome("complex", detail=str(raw.dtype))
    if kind == "b":
        return Outcome("bool", value=raw.copy(), detail=str(raw.dtype))
    if kind not in "iuf":
        return Outcome("not-numeric", detail=f"{_describe_kind(kind)} 배열")
    return Outcome("ok", value=np.array(raw, copy=True))


def call_safely(fn: Callable, args: tuple, time_limit: float = DEFAULT_TIME_LIMIT) -> Outcome:
    """Call ``fn(*deep copies of args)`` under a time limit and describe what came back."""
    try:
        copies = copy.deepcopy(args)
    except Exception:  # noqa: BLE001 -- arguments are plain arrays and numbers; this is a safeguard
        copies = args
    try:
        with _time_limit(time_limit), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*copies)
    except _TimeLimit:
        return Outcome("timeout", detail=f"{time_limit:g}초")
    except NotImplementedError:
        return Outcome("unanswered")
    except KeyboardInterrupt:
        raise
    except RecursionError:
        return Outcome("raised", detail="RecursionError: 재귀가 끝나지 않습니다")
    except BaseException as error:  # noqa: BLE001 -- the student's code may raise anything
        return Outcome("raised", detail=f"{type(error).__name__}: {_short(error)}")
    try:
        return _result_outcome(out, fn)
    except MemoryError:
        return Outcome("too-large", detail="MemoryError")


def outcome_verdict(outcome: Outcome, label: str, want: str = "number") -> Verdict | None:
    """The Verdict for an outcome that cannot be compared (None for "ok", and for "bool" when ``want`` is "bool")."""
    kind, detail = outcome.kind, outcome.detail
    if kind == "ok" or (kind == "bool" and want in ("bool", "count")):
        return None
    if kind == "unanswered":
        return unanswered(label)
    if kind == "timeout":
        return _verdict("timeout", "timeout", label, f"함수가 {detail} 안에 끝나지 않았습니다. 끝나지 않는 반복문이 "
                        "있는지, 필요 이상으로 큰 배열을 만드는지 보십시오")
    if kind == "no-return":
        return wrong(label, "no-return", "함수가 아무것도 돌려주지 않습니다(None). 계산한 값을 return 하십시오")
    if kind == "raised":
        return wrong(label, "raised", f"함수를 부르자 오류가 났습니다: {detail}")
    if kind == "complex":
        return wrong(label, "complex", f"복소수({detail})를 돌려줍니다. 실수가 나와야 합니다: 허수부가 생긴 곳(음수의 제곱근, "
                     "np.emath 등)을 찾으십시오")
    if kind == "bool":
        return wrong(label, "bool", "참/거짓(bool) 값을 돌려줍니다. 숫자를 돌려주십시오 (개수라면 참인 것의 수를 세십시오)")
    if kind == "too-large":
        return wrong(label, "too-large", f"너무 큰 결과를 돌려줍니다({detail}). 결과의 모양을 확인하십시오")
    return wrong(label, "not-numeric", f"숫자 배열이 아닌 값을 돌려줍니다: {detail}")


@dataclass(frozen=True)
class Case:
    """One call of a student's function: its arguments, the right result (from pristine copies) and more.

    ``truth`` is computed before the student's function ever sees the arguments; ``extra`` holds
    what a judge needs to name mistakes (the values typical wrong answers would give); ``note``
    describes the case in messages ("y (2, 3), 커널 (2, 2), 스트라이드 2").
    """

    args: tuple
    truth: Any
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionExercise:
    """An exercise whose answer is a function: the cases it is called on and how each result is judged.

    ``make_case(*args)`` builds a :class:`Case` (computing the right result from pristine copies);
    ``public_args()`` lists the arguments the public checker uses; ``judge(label, case, value)``
    returns None when the result ``value`` (a numpy array, as returned) is right for ``case``, or the
    Verdict naming the mistake. The batch grader calls the same function on other arguments
    (hidden cases) and judges them with the same ``judge``.
    """

    label: str
    signature: str
    make_case: Callable[..., Case]
    public_args: Callable[[], list]
    judge: Callable[[str, Case, np.ndarray], Verdict | None]
    right_text: str
    want: str = "number"
    time_limit: float = DEFAULT_TIME_LIMIT
    judge_all: Callable[[str, Sequence[Case], list], Verdict | None] | None = None

    def cases(self) -> list[Case]:
        return [self.make_case(*args) for args in self.public_args()]

    def judge_outcomes(self, cases: Sequence[Case], outcomes: Sequence[Outcome]) -> Verdict:
        """The Verdict over ``cases`` given what the function gave on each (the first failure wins).

        With ``judge_all`` set, a mistake is named only from all cases together (a typical mistake
        must explain every result), after each case's own check has failed somewhere.
        """
        failed = None
        for case, outcome in zip(cases, outcomes):
            verdict = outcome_verdict(outcome, self.label, self.want)
            if verdict is not None:
                return verdict
            found = self.judge(self.label, case, outcome.value)
            if found is not None and failed is None:
                failed = found
                if self.judge_all is None:
                    return found
        if failed is None:
            return right(self.label, self.right_text)
        named = self.judge_all(self.label, cases, [o.value for o in outcomes])
        return named if named is not None else failed

    def check(self, fn: Any) -> Verdict:
        """Call ``fn`` on every public case (copies, time limit) and judge; stop at the first failing case."""
        if is_unanswered(fn):
            return unanswered(self.label)
        if not callable(fn):
            return wrong(self.label, "not-callable", f"{type(fn).__name__} 값입니다. 함수 {self.signature}넘기십시오")
        cases = self.cases()
        outcomes = []
        for case in cases:
            outcome = call_safely(fn, case.args, self.time_limit)
            outcomes.append(outcome)
            if outcome_verdict(outcome, self.label, self.want) is not None:
                break
            if self.judge_all is None and self.judge(self.label, case, outcome.value) is not None:
                break
        return self.judge_outcomes(cases[: len(outcomes)], outcomes)

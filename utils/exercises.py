"""Checkers for the exercises at the end of notebooks 01-06 ("연습문제").

Each ``check_...`` function takes the student's answer (a number, an array, a
function or a letter), prints one line in Korean and returns a :class:`Verdict`:

- right: ``정답입니다 (correct)`` and, where useful, what the answer confirms;
- wrong: ``아직 아닙니다 (not yet)`` and what kind of mistake the answer looks
  like (wrong shape, off by a transpose, wrong sign, a mean instead of a sum, ...),
  never the answer itself;
- left as ``None`` or ``...``: ``아직 답하지 않았습니다 (not answered yet)``, without raising,
  so a lesson runs top to bottom with its exercises unsolved.

The right answers are computed here from first principles (or, for the
multiple-choice questions of the explorations, stored as hashes), so reading this
module does not hand out the numbers. The solution notebooks in
``notebooks/solutions/`` show the worked answers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from utils.transpose_conv import conv_matrix

NOT_ANSWERED = "아직 답하지 않았습니다 (not answered yet)"
RIGHT = "정답입니다 (correct)"
WRONG = "아직 아닙니다 (not yet)"


@dataclass(frozen=True)
class Verdict:
    """What a checker concluded: ``status`` is "right", "wrong" or "unanswered".

    ``code`` names the kind of mistake for a wrong answer (tests use it), ``message``
    is the line that was printed. A Verdict is truthy only when the answer is right.
    In a notebook it displays nothing (the checker has already printed its line).
    """

    status: str
    code: str
    message: str

    def __bool__(self) -> bool:
        return self.status == "right"

    def _ipython_display_(self) -> None:  # the printed line is the whole output
        return None


def _say(status: str, code: str, text: str, label: str) -> Verdict:
    head = {"right": RIGHT, "wrong": WRONG, "unanswered": NOT_ANSWERED}[status]
    message = f"[{label}] {head}" + (f": {text}" if text else "")
    print(message)
    return Verdict(status, code, message)


def _right(label: str, text: str = "") -> Verdict:
    return _say("right", "right", text, label)


def _wrong(label: str, code: str, text: str) -> Verdict:
    return _say("wrong", code, text, label)


def _unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def _not_answered(label: str) -> Verdict:
    return _say("unanswered", "unanswered", "", label)


def _as_array(answer, label: str):
    """The answer as a float array, or a Verdict explaining why it is not one."""
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _wrong(label, "not-numeric",
                      f"{type(answer).__name__} 값은 숫자 배열로 바꿀 수 없습니다. numpy 배열이나 숫자의 리스트로 답하십시오")
    if not np.all(np.isfinite(a)):
        return _wrong(label, "not-finite", "NaN이나 무한대(inf)가 들어 있습니다")
    return a


def _as_number(answer, label: str):
    a = _as_array(answer, label)
    if isinstance(a, Verdict):
        return a
    if a.size != 1:
        return _wrong(label, "not-scalar", f"숫자 하나를 답해야 하는데 모양(shape)이 {a.shape}인 배열입니다")
    return float(a.reshape(()))


def _function_answer(fn, label: str, signature: str) -> Verdict | None:
    """None when ``fn`` is a function; else the Verdict: unanswered, or not a function ``signature``."""
    if _unanswered(fn):
        return _not_answered(label)
    if not callable(fn):
        return _wrong(label, "not-callable", f"{type(fn).__name__} 값입니다. 함수 {signature}넘기십시오")
    return None


def _number_answer(answer, label: str):
    """The answer as one float, or the Verdict when it is unanswered or not one finite number."""
    if _unanswered(answer):
        return _not_answered(label)
    return _as_number(answer, label)


def _known_mistake(label: str, close: Callable[[object], bool], mistakes) -> Verdict | None:
    """The "wrong" Verdict of the first ``(target, code, text)`` in ``mistakes`` the answer is ``close`` to, else None."""
    for target, code, text in mistakes:
        if close(target):
            return _wrong(label, code, text)
    return None


def _close(a, b, rtol: float, atol: float = 0.0) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _call(fn: Callable, label: str, *args):
    """fn(*args), or a Verdict when it raises or returns nothing."""
    try:
        out = fn(*args)
    except NotImplementedError:
        return _not_answered(label)
    except Exception as error:  # noqa: BLE001 -- the student's code may raise anything
        return _wrong(label, "raised", f"함수를 부르자 {type(error).__name__} 오류가 났습니다: {error}")
    if _unanswered(out):
        return _not_answered(label)
    try:
        return np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return _wrong(label, "not-numeric", f"함수가 숫자 배열이 아닌 {type(out).__name__} 값을 돌려줍니다")


def _first_match(answer: np.ndarray, candidates: list[tuple[str, np.ndarray]], rtol: float = 1e-6,
                 atol: float = 1e-9) -> str | None:
    for code, value in candidates:
        if np.shape(value) == answer.shape and _close(answer, value, rtol, atol):
            return code
    return None


# --------------------------------------------------------------------------- notebook 01
EX01_KERNEL = np.arange(1, 10).reshape(3, 3)   # the kernel of exercises 01-1 and 01-2
EX01_INPUT_SHAPE = (4, 4)
EX01_STRIDE = 2
EX01_SMALL = np.array([[1, 2], [3, 4]])        # the 2x2 input of exercise 01-2


def _conv_matrix_offset(kernel: np.ndarray, in_shape: tuple, stride: int, out_shape: tuple,
                        top: int, left: int) -> np.ndarray:
    """Convolution matrix with the zero padding split as given (top/left rows before the input)."""
    kh, kw = kernel.shape
    (in_h, in_w), (out_h, out_w) = in_shape, out_shape
    C = np.zeros((out_h * out_w, in_h * in_w))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    r, c = i * stride - top + a, j * stride - left + b
                    if 0 <= r < in_h and 0 <= c < in_w:
                        C[i * out_w + j, r * in_w + c] = kernel[a, b]
    return C


def _column_major(C: np.ndarray, in_shape: tuple, out_shape: tuple) -> np.ndarray:
    """C with input and output pixels numbered column by column instead of row by row."""
    cols = np.arange(np.prod(in_shape)).reshape(in_shape).T.ravel()
    rows = np.arange(np.prod(out_shape)).reshape(out_shape).T.ravel()
    return C[np.ix_(rows, cols)]


def check_conv_matrix_same(C) -> Verdict:
    """Exercise 01-1: the 4x16 matrix of the 3x3-kernel, stride-2, padding="same" convolution of a 4x4 input."""
    label = "01-1"
    if _unanswered(C):
        return _not_answered(label)
    a = _as_array(C, label)
    if isinstance(a, Verdict):
        return a
    truth = conv_matrix(EX01_KERNEL, EX01_INPUT_SHAPE, strides=EX01_STRIDE, padding="same").astype(float)
    if a.shape != truth.shape:
        if a.shape == truth.T.shape:
            return _wrong(label, "transposed", f"모양이 {a.shape}입니다. C의 행은 출력 픽셀, 열은 입력 픽셀이므로 "
                          "(출력 픽셀 수) x (입력 픽셀 수)여야 합니다: 전치(transpose)한 것 같습니다")
        return _wrong(label, "shape", f"모양이 {a.shape}인데 (출력 픽셀 수) x (입력 픽셀 수) = {truth.shape}여야 합니다. "
                      "'same' 패딩, 스트라이드 2에서 출력 한 변의 길이는 ceil(n / s)입니다")
    if _close(a, truth, 0, 1e-9):
        return _right(label, "C @ vec(x)가 tf.nn.conv2d(..., padding='SAME')와 같은지 다음 셀에서 확인하십시오")
    out = (2, 2)
    candidates = [
        ("flipped-kernel", conv_matrix(EX01_KERNEL[::-1, ::-1], EX01_INPUT_SHAPE, EX01_STRIDE, "same")),
        ("padding-side", _conv_matrix_offset(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, out, 1, 1)),
        ("column-major", _column_major(truth, EX01_INPUT_SHAPE, out)),
        ("valid-window", _conv_matrix_offset(EX01_KERNEL, (5, 5), EX01_STRIDE, out, 0, 0)[
            :, [r * 5 + c for r in range(4) for c in range(4)]]),
    ]
    hints = {
        "flipped-kernel": "커널을 180도 뒤집어 놓았습니다. 케라스의 합성곱은 교차상관(cross-correlation)이라 커널을 뒤집지 않습니다",
        "padding-side": "0 패딩을 위/왼쪽에 붙였습니다. 패딩 총량이 홀수이면 TensorFlow는 남는 한 줄을 아래/오른쪽에 붙입니다",
        "column-major": "입력(또는 출력)을 열 우선(column-major)으로 펼쳤습니다. 행 우선(row-major, x.ravel())으로 번호를 매기십시오",
        "valid-window": "패딩 쪽으로 삐져나간 커널 원소는 0과 곱해지므로 행에서 빠져야 합니다",
    }
    code = _first_match(a, candidates)
    if code:
        return _wrong(label, code, hints[code])
    wrong_rows = int(np.sum(np.any(~np.isclose(a, truth), axis=1)))
    return _wrong(label, "values", f"{len(truth)}개 행 가운데 {wrong_rows}개가 다릅니다. 출력 픽셀 (i, j)의 창은 "
                  "입력의 (s*i - 위쪽 패딩, s*j - 왼쪽 패딩)에서 시작합니다")


def check_transposed_conv_output(up) -> Verdict:
    """Exercise 01-2: C^T of exercise 01-1 applied to the 2x2 input [[1, 2], [3, 4]], as a 4x4 array."""
    label = "01-2"
    if _unanswered(up):
        return _not_answered(label)
    a = _as_array(up, label)
    if isinstance(a, Verdict):
        return a
    C = conv_matrix(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, "same").astype(float)
    truth = (C.T @ EX01_SMALL.ravel()).reshape(EX01_INPUT_SHAPE)
    if a.shape != truth.shape:
        if a.size == truth.size:
            return _wrong(label, "shape", f"값은 {a.size}개로 맞지만 모양이 {a.shape}입니다. 4x4 격자로 reshape 하십시오")
        return _wrong(label, "shape", f"모양이 {a.shape}입니다. 전치 합성곱은 2x2를 4x4로 키우므로 C가 아니라 "
                      "C^T (16 x 4)를 곱해야 합니다")
    if _close(a, truth, 0, 1e-9):
        return _right(label, "Conv2DTranspose(1, 3, strides=2, padding='same')에 같은 커널을 넣어 비교해 보십시오")
    flipped_C = conv_matrix(EX01_KERNEL[::-1, ::-1], EX01_INPUT_SHAPE, EX01_STRIDE, "same").astype(float)
    wrong_side = _conv_matrix_offset(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, (2, 2), 1, 1)
    candidates = [
        ("transposed", truth.T),
        ("flipped-kernel", (flipped_C.T @ EX01_SMALL.ravel()).reshape(4, 4)),
        ("padding-side", (wrong_side.T @ EX01_SMALL.ravel()).reshape(4, 4)),
        ("transposed", (C.T @ EX01_SMALL.T.ravel()).reshape(4, 4)),
    ]
    hints = {
        "transposed": "행과 열이 뒤바뀐 결과입니다(전치). 2x2 입력과 결과를 모두 행 우선(x.ravel(), reshape)으로 펼치고 되돌리십시오",
        "flipped-kernel": "커널을 뒤집어 찍었습니다. C^T의 열은 C의 행, 곧 뒤집지 않은 커널입니다",
        "padding-side": "커널을 한 칸 위/왼쪽으로 밀어 찍었습니다. 'same' 패딩의 남는 한 줄은 아래/오른쪽입니다",
    }
    code = _first_match(a, candidates)
    if code:
        return _wrong(label, code, hints[code])
    return _wrong(label, "values", "값이 다릅니다. 입력값 y_ij마다 커널에 y_ij를 곱해 창 (i, j) 자리에 찍고 겹치는 곳은 더합니다")


_STAMP_CASES = [  # (y shape, kernel shape, stride) -- overlapping and non-overlapping windows
    ((2, 2), (3, 3), 2), ((3, 2), (2, 3), 1), ((2, 3), (2, 2), 2), ((3, 3), (4, 4), 3), ((1, 1), (2, 2), 2),
]


def _stamp_reference(y: np.ndarray, kernel: np.ndarray, stride: int, add: bool = True) -> np.ndarray:
    (h, w), (kh, kw) = y.shape, kernel.shape
    out = np.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw))
    for i in range(h):
        for j in range(w):
            window = (slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            out[window] = out[window] + y[i, j] * kernel if add else y[i, j] * kernel
    return out


def check_stamp_function(fn) -> Verdict:
    """Exercise 01-3: ``fn(y, kernel, stride)``, the 'valid' transposed convolution by stamping kernels."""
    label = "01-3"
    verdict = _function_answer(fn, label, "(y, kernel, stride) -> 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(14)
    for y_shape, k_shape, s in _STAMP_CASES:
        y = rng.integers(-3, 4, size=y_shape).astype(float)
        kernel = rng.integers(1, 6, size=k_shape).astype(float)
        out = _call(fn, label, y, kernel, s)
        if isinstance(out, Verdict):
            return out
        truth = conv_matrix(kernel, truth_shape := ((y_shape[0] - 1) * s + k_shape[0], (y_shape[1] - 1) * s + k_shape[1]),
                            strides=s).T @ y.ravel()
        truth = truth.reshape(truth_shape)
        if out.shape != truth.shape:
            return _wrong(label, "shape", f"y {y_shape}, 커널 {k_shape}, 스트라이드 {s}에서 결과의 모양이 {out.shape}입니다. "
                          "'valid' 전치 합성곱의 출력 길이는 (n - 1) s + m입니다")
        if _close(out, truth, 1e-9, 1e-9):
            continue
        candidates = [("overwrite", _stamp_reference(y, kernel, s, add=False)),
                      ("flipped-kernel", _stamp_reference(y, kernel[::-1, ::-1], s)),
                      ("transposed", _stamp_reference(y.T, kernel.T, s).T if out.shape == truth.shape else truth)]
        hints = {"overwrite": "겹치는 창에서 값을 덮어썼습니다. 찍은 커널들은 겹치는 곳에서 더해져야 합니다 (+=)",
                 "flipped-kernel": "커널을 뒤집어 찍었습니다. C^T의 열은 뒤집지 않은 커널입니다",
                 "transposed": "y의 행과 열을 바꿔 찍은 것 같습니다 (y[i, j]의 창은 행 i*s, 열 j*s에서 시작합니다)"}
        code = _first_match(out, candidates[:2]) or (
            "transposed" if y_shape[0] != y_shape[1] and _close(out, candidates[2][1], 1e-9, 1e-9) else None)
        if code:
            return _wrong(label, code, hints[code])
        return _wrong(label, "values", f"y {y_shape}, 커널 {k_shape}, 스트라이드 {s}에서 값이 C^T @ vec(y)와 다릅니다")
    return _right(label, f"{len(_STAMP_CASES)}가지 경우 모두 C^T @ vec(y)와 같습니다")


def check_nonzero_count(count) -> Verdict:
    """Exercise 01-4: nonzero entries of the 196x784 matrix C of a 3x3, stride-2, 'same' convolution on 28x28."""
    label = "01-4"
    value = _number_answer(count, label)
    if isinstance(value, Verdict):
        return value
    truth = int(np.count_nonzero(conv_matrix(np.ones((3, 3), dtype=int), (28, 28), strides=2, padding="same")))
    if value == truth:
        return _right(label, "np.count_nonzero(conv_matrix(...))로도 확인해 보십시오")
    if value != round(value):
        return _wrong(label, "not-integer", "0이 아닌 원소의 개수는 정수입니다")
    hints = {14 * 14 * 9: ("padding-ignored", "출력 픽셀마다 커널 9개가 모두 들어간다고 셌습니다. 가장자리 창은 "
                           "0 패딩에 걸쳐 원소가 빠집니다"),
             28 * 28 * 9: ("input-pixels", "입력 픽셀 수(784)로 셌습니다. C의 행은 출력 픽셀(14 x 14)입니다"),
             13 * 13 * 9: ("valid-only", "패딩에 전혀 걸치지 않는 창만 셌습니다. 걸친 창도 남은 원소가 있습니다"),
             14 * 14 * 784: ("size", "행렬의 크기 전체입니다. 0이 아닌 원소만 세십시오")}
    if int(value) in hints:
        code, text = hints[int(value)]
        return _wrong(label, code, text)
    side = round(math.sqrt(value)) if value > 0 else 0
    if side * side == value:
        return _wrong(label, "per-axis", "한 축에서 센 수의 제곱이라는 생각은 맞습니다. 한 축에서 마지막 창이 패딩에 몇 칸 걸치는지 다시 세십시오")
    return _wrong(label, "values", "한 축에서 (출력 위치마다 입력 안에 들어가는 커널 칸 수)를 더하고, 두 축이 독립이므로 곱하십시오")


def check_flat_kernel_sizes(sizes, stride: int = 3, candidates: tuple = tuple(range(2, 10))) -> Verdict:
    """Exercise 01-5: the kernel sizes m in 2..9 whose stride-``stride`` transposed convolution has no checkerboard."""
    label = "01-5"
    if _unanswered(sizes):
        return _not_answered(label)
    try:
        chosen = {int(m) for m in np.atleast_1d(np.asarray(sizes)).ravel()}
    except (TypeError, ValueError):
        return _wrong(label, "not-numeric", "커널 크기들을 정수의 리스트로 답하십시오, 예: [2, 5]")
    truth = {m for m in candidates if m % stride == 0}
    if chosen == truth:
        return _right(label, "겹침 횟수가 고른 커널 크기의 공통점을 스트라이드와 연결해 한 문장으로 적어 보십시오")
    odd = chosen - set(candidates)
    if odd:
        return _wrong(label, "range", f"{sorted(odd)}는 물어본 범위(2~9) 밖입니다")
    if chosen and not chosen & truth:
        return _wrong(label, "reversed", "고른 크기들은 모두 무늬가 생기는 쪽입니다. 안쪽의 최솟값과 최댓값이 같은 경우를 고르십시오")
    missing, extra = len(truth - chosen), len(chosen - truth)
    return _wrong(label, "partial", f"{missing}개가 빠졌고 {extra}개가 잘못 들어갔습니다. 2부터 9까지 모두 재 보았습니까?")


# --------------------------------------------------------------------------- notebook 02
def _discarded_variance(images, k: int) -> tuple[float, float]:
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    centred = x - x.mean(axis=0)
    eig = np.linalg.eigvalsh(centred.T @ centred / len(x))[::-1]
    eig = np.clip(eig, 0.0, None)
    return float(eig[k:].sum()), float(eig[:k].sum())


def check_pca_error(answer, images, k: int) -> Verdict:
    """Exercise 02-1: the mean SSE per image of PCA with k components on ``images`` (the data it was fitted to)."""
    label = "02-1"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    discarded, kept = _discarded_variance(images, k)
    n, d = len(images), int(np.prod(np.shape(images)[1:]))
    if math.isclose(value, discarded, rel_tol=2e-3):
        return _right(label, "버린 고윳값의 합이 곧 이미지 하나당 제곱오차 합의 평균입니다. 실제 재생으로 잰 값과 비교해 보십시오")
    checks = [
        (kept, "kept", "남긴 성분의 고윳값을 더했습니다. 재생 오차는 버린 방향의 분산입니다"),
        (discarded / d, "mean-not-sum", f"픽셀당 평균(/{d})입니다. 강의의 l(x, x~)는 {d}개 픽셀의 합입니다"),
        (discarded * n, "total", f"이미지 {n}장 전체의 합입니다. 이미지 하나당 평균으로 답하십시오"),
        (kept + discarded, "total-variance", "전체 분산(모든 고윳값의 합)입니다. k개 성분으로 설명하고 남는 부분만 더하십시오"),
    ]
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=2e-3), checks)
    if mistake is not None:
        return mistake
    if value < 0:
        return _wrong(label, "sign", "제곱오차의 합은 음수일 수 없습니다")
    return _wrong(label, "values", "공분산 행렬(분모 n)의 고윳값을 큰 순서로 놓고, k번째 다음부터 더해 보십시오")


def check_sse_function(fn) -> Verdict:
    """Exercise 02-2: ``fn(x, x_tilde)`` returns l(x, x~) = sum of squared errors, one value per image."""
    label = "02-2"
    verdict = _function_answer(fn, label, "(x, x_tilde) -> 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(2)
    x = rng.random((5, 28, 28, 1)).astype(np.float32)
    x_tilde = np.clip(x + 0.2 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    out = _call(fn, label, x, x_tilde)
    if isinstance(out, Verdict):
        return out
    diff = (x.astype(np.float64) - x_tilde) ** 2
    truth = diff.reshape(5, -1).sum(axis=1)
    if out.shape == truth.shape and _close(out, truth, 1e-4):
        return _right(label, "이미지마다 784개 픽셀의 제곱오차를 더한 값입니다")
    if out.size == 1:
        scalar = float(out.reshape(()))
        mistake = _known_mistake(label, lambda target: math.isclose(scalar, target, rel_tol=1e-4), [
            (truth.mean(), "batch-mean", "배치 평균 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)으로 돌려주십시오"),
            (truth.sum(), "batch-sum", "배치 전체의 합 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)으로 돌려주십시오"),
            (diff.mean(), "batch-mean", "모든 픽셀의 평균 하나입니다. 이미지마다 합을 내어 모양 (n,)으로 돌려주십시오")])
        if mistake is not None:
            return mistake
        return _wrong(label, "shape", "숫자 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)이어야 합니다")
    if out.shape != truth.shape:
        if out.size == diff[0].size:
            return _wrong(label, "axis", f"모양이 {out.shape}입니다. 이미지 축(axis 0)이 아니라 픽셀 축들로 더하십시오")
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. 이미지가 n장이면 (n,)이어야 합니다")
    mistake = _known_mistake(label, lambda target: _close(out, target, 1e-4), [
        (truth / 784, "mean-not-sum", "픽셀당 평균입니다. 강의의 l(x, x~)는 784개 픽셀의 합입니다(평균이 아님)"),
        (np.sqrt(truth), "norm", "제곱하지 않은 거리(노름)입니다. 제곱오차의 합은 제곱근을 씌우지 않습니다"),
        (-truth, "sign", "부호가 반대입니다. 제곱오차의 합은 0 이상입니다")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "값이 다릅니다. (x - x_tilde)**2를 이미지마다 모든 픽셀에 대해 더하십시오")


def _principal_cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    qa, _ = np.linalg.qr(A)
    qb, _ = np.linalg.qr(B)
    return np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0.0, 1.0)


def check_principal_cosines(fn) -> Verdict:
    """Exercise 02-3: ``fn(A, B)``: cosines of the principal angles between the column spaces of A and B."""
    label = "02-3"
    verdict = _function_answer(fn, label, "(A, B) -> 코사인 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 4)) * np.array([5.0, 1.0, 0.3, 2.0])   # columns neither unit nor orthogonal
    B = A @ rng.standard_normal((4, 4)) + 0.3 * rng.standard_normal((30, 4))
    out = _call(fn, label, A, B)
    if isinstance(out, Verdict):
        return out
    truth = _principal_cosines(A, B)
    if out.ndim == 2:
        return _wrong(label, "matrix", f"모양이 {out.shape}인 행렬입니다. 그 행렬의 특이값(singular values)이 코사인입니다")
    if out.shape != truth.shape:
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. 두 부분공간이 p차원이면 코사인도 p개입니다")
    got = np.sort(out)
    if _close(got, np.sort(truth), 1e-6, 1e-8):
        return _right(label, "코사인이 1에 가까울수록 두 부분공간이 그 방향에서 겹칩니다")
    raw = np.sort(np.linalg.svd(A.T @ B, compute_uv=False))
    mistake = _known_mistake(label, lambda target: _close(got, target, 1e-6, 1e-8), [
        (raw, "not-orthonormal", "A^T B의 특이값을 그대로 썼습니다. 먼저 열들을 정규직교화(np.linalg.qr)하십시오"),
        (np.sort(np.arccos(truth)), "angles", "각도(라디안)를 돌려줍니다. 각도가 아니라 그 코사인을 답하십시오"),
        (np.sort(np.degrees(np.arccos(truth))), "angles", "각도(도)를 돌려줍니다. 각도가 아니라 그 코사인을 답하십시오")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "값이 다릅니다. 정규직교 기저 Q_A, Q_B를 만들고 Q_A^T Q_B의 특이값을 구하십시오")


# ------------------------------------------------------------------ multiple-choice questions
# Answers are stored as hashes so that reading this module does not give them away.
_ANSWERS = {  # question: (the letters offered, hash of the right letter)
    "02-4": ("abc", "3107568e067485a3cec9ec0ad434290173a352d720bd4d0444a53b61221acbd7"),
    "03-4": ("ab", "df010685ea0dfc6bf86c6900f7a5e9a3d04344a3d47165e49a299d5e70f56ed2"),
    "04-3a": ("abc", "b3b6999089ea49a89cd411db7ae0c1d3e74b8050c29f0b7fa4a1b30610621287"),
    "04-3b": ("abc", "fa4e3f1cd0742c010bf9c41cb8299cfe4d8b0e16ec4aa812060f471041cbe311"),
    "04-4": ("abc", "4728b058430f6136d1cedc2137fc2f390dba73bbd77ab06575163d2e2f6193f1"),
    "05-5": ("abc", "4f810bdc4275efb7f62b2f589b88f93593b36d15463b216d8ef8d3122610e549"),
    "06-4": ("abc", "23479657b237f722db927b01006547a50cdd8c58cd2c97fa73c7cfd5178d6d18"),
    "06-5": ("0123456789", "251a432f6ef2920d7fbeebacf02e3e94741dc48e8d63346d44d3449eb9815d72"),
}


def _choice_hash(question: str, letter: str) -> str:
    return hashlib.sha256(f"ch11:{question}:{letter}".encode()).hexdigest()


_CHOICE_HINTS = {
    "02-4": "주각(principal angle)의 코사인과, 디코더 열 하나하나와 고유벡터 하나하나의 |내적|을 함께 보십시오",
    "03-4": "sigma마다 두 DAE의 PSNR을 나란히 놓고, 어느 쪽이 큰지가 바뀌는 곳이 있는지 보십시오",
    "04-3a": "K마다 여러 번 뽑은 추정값의 평균을 비교하십시오",
    "04-3b": "K마다 여러 번 뽑은 추정값의 표준편차를 비교하십시오",
    "04-4": "추론 손실을 끈 모형과 켠 모형의 mu(x) 표준편차와 sigma(x)의 크기를 비교하십시오",
    "05-5": "측정값은 이 모형 하나의 것입니다. 모든 모형에서 성립하는 하한은 KL_j >= Var_x(mu_j) / 2에서 나옵니다",
    "06-4": "문턱값을 정한 절반과 다른 절반에서 잰 오경보율을 5 %와 비교하십시오",
    "06-5": "숫자마다 따로 PCA를 적합하고, 그 숫자를 이상으로 둔 AUC를 열 개 모두 비교하십시오",
}


def check_choice(question: str, answer) -> Verdict:
    """Multiple-choice questions of the explorations (02-4, ..., 06-5): one letter (or one digit for 06-5)."""
    if question not in _ANSWERS:
        raise ValueError(f"question is {question!r}; expected one of {sorted(_ANSWERS)}")
    label = question
    if _unanswered(answer):
        return _not_answered(label)
    letters, digest = _ANSWERS[question]
    letter = str(answer).strip().lower().strip("()")
    if letter not in letters:
        return _wrong(label, "not-a-choice", f"{answer!r}는 보기가 아닙니다. {', '.join(letters)} 가운데 하나를 적으십시오")
    if _choice_hash(question, letter) == digest:
        return _right(label, "잰 숫자로 그 까닭을 한두 문장으로 적어 보십시오")
    return _wrong(label, "choice", "잰 값과 맞지 않습니다. " + _CHOICE_HINTS[question])


# --------------------------------------------------------------------------- notebook 03
def _phi(t: float) -> float:
    return math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)


def _Phi(t: float) -> float:
    return 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))


def clipped_black_pixel_mean(sigma: float) -> float:
    """E[clip(sigma * eps, 0, 1)], eps ~ N(0, 1): the mean of a corrupted black pixel (used by the tests)."""
    return sigma * (_phi(0.0) - _phi(1.0 / sigma)) + 1.0 - _Phi(1.0 / sigma)


def check_clipped_noise_mean(answer, sigma: float) -> Verdict:
    """Exercise 03-1: the mean of a black pixel (x = 0) after Gaussian corruption with ``sigma`` and clipping to [0, 1]."""
    label = "03-1"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    if not (isinstance(sigma, (int, float)) and sigma > 0):
        raise ValueError(f"sigma is {sigma!r}; expected a positive number, e.g. 0.5")
    truth = clipped_black_pixel_mean(sigma)
    if math.isclose(value, truth, rel_tol=2e-3):
        return _right(label, "검은 배경이 평균적으로 밝아집니다: 오염된 입력의 평균은 깨끗한 이미지의 평균이 아닙니다")
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=2e-3, abs_tol=1e-9), [
        (0.0, "no-clip", "자르기(clip) 전의 평균입니다. [0, 1]로 자르면 음수 쪽이 0으로 올라오므로 평균이 0보다 커집니다"),
        (sigma * _phi(0.0), "upper-clip", "0에서 자르는 것만 계산했습니다. 1보다 큰 값을 1로 자르는 부분도 넣으십시오"),
        (sigma * _phi(0.0) * 2, "half-normal", "|sigma * eps|의 평균입니다. 음수 쪽은 뒤집히는 것이 아니라 0이 됩니다"),
        (0.5, "half", "값의 절반이 0보다 크다는 것(확률 1/2)과 평균을 혼동했습니다")])
    if mistake is not None:
        return mistake
    if value < 0 or value > 1:
        return _wrong(label, "range", "[0, 1]로 자른 값의 평균은 0과 1 사이입니다")
    return _wrong(label, "values", "E[clip(sigma eps, 0, 1)] = integral_0^(1/sigma) sigma e phi(e) de + P(sigma eps > 1)를 "
                  "계산하고, 몬테카를로 평균과 비교해 보십시오")


def check_psnr_function(fn) -> Verdict:
    """Exercise 03-2: ``fn(clean, estimate)``: mean over images of 10 log10(1 / MSE per image), peak 1."""
    label = "03-2"
    verdict = _function_answer(fn, label, "(clean, estimate) -> 숫자를 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(3)
    clean = rng.random((6, 28, 28, 1)).astype(np.float32)
    scale = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.4]).reshape(6, 1, 1, 1)
    estimate = np.clip(clean + scale * rng.standard_normal(clean.shape), 0, 1).astype(np.float32)
    out = _call(fn, label, clean, estimate)
    if isinstance(out, Verdict):
        return out
    mse = ((clean.astype(np.float64) - estimate) ** 2).reshape(6, -1).mean(axis=1)
    per_image = 10 * np.log10(1.0 / mse)
    if out.size == 6 and _close(out.ravel(), per_image, 1e-4):
        return _wrong(label, "per-image", "이미지마다의 PSNR입니다. 시험 이미지들에 대해 평균한 숫자 하나를 돌려주십시오")
    if out.size != 1:
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. 숫자 하나(평균 PSNR, dB)를 돌려주십시오")
    value = float(out.reshape(()))
    if math.isclose(value, per_image.mean(), rel_tol=1e-4):
        return _right(label, "utils.metrics.psnr와 같은 값인지도 확인해 보십시오")
    mistake = _known_mistake(label, lambda target: math.isclose(value, float(target), rel_tol=1e-4), [
        (10 * np.log10(1.0 / mse.mean()), "mse-first", "MSE를 먼저 평균한 뒤 PSNR로 바꿨습니다. 이미지마다 PSNR을 구한 뒤 평균하십시오"),
        (20 * np.log10(1.0 / mse).mean(), "factor-20", "20 log10을 썼습니다. 제곱오차(MSE)에는 10 log10, 진폭(RMSE)에는 20 log10입니다"),
        (np.log(1.0 / mse).mean() * 10, "natural-log", "자연로그를 썼습니다. 데시벨은 log10입니다"),
        (10 * np.log10(mse).mean(), "sign", "부호가 반대입니다. PSNR은 오차가 작을수록 큽니다: 10 log10(peak^2 / MSE)"),
        (10 * np.log10(1.0 / (mse * 784)).mean(), "sum-not-mean", "픽셀 합(SSE)을 썼습니다. PSNR은 픽셀당 평균(MSE)으로 정의합니다")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "값이 다릅니다. 이미지마다 MSE = 픽셀 제곱오차의 평균, PSNR = 10 log10(1 / MSE)")


EX03_SIGMA, EX03_OBSERVED = 0.5, 0.7   # exercise 03-3: noise sd and the observed corrupted value


def check_posterior_mean(answer) -> Verdict:
    """Exercise 03-3: E[x | x_check = 0.7] for x in {0, 1} with probability 1/2 each and x_check = x + 0.5 eps."""
    label = "03-3"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value

    def sigmoid(t: float) -> float:
        return 1.0 / (1.0 + math.exp(-t))

    shift = EX03_OBSERVED - 0.5
    truth = sigmoid(shift / EX03_SIGMA ** 2)
    if math.isclose(value, truth, rel_tol=2e-3):
        return _right(label, "제곱오차 아래 최선의 오염제거는 사후평균 E[x | 오염된 입력]입니다: DAE가 근사하는 것이 이것입니다")
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=2e-3), [
        (EX03_OBSERVED, "observation", "오염된 관측값 그대로입니다. x는 0 또는 1이므로 두 값의 사후확률로 평균을 내십시오"),
        (1.0, "map", "가장 그럴듯한 값(MAP)입니다. 제곱오차를 최소로 하는 것은 사후분포의 최빈값이 아니라 평균입니다"),
        (sigmoid(shift / EX03_SIGMA), "sd-not-variance", "로그 우도비에서 sigma^2 대신 sigma로 나눴습니다"),
        (sigmoid(-shift / EX03_SIGMA ** 2), "sign", "부호가 반대입니다: x = 0과 x = 1의 역할이 바뀌었습니다"),
        (1.0 - truth, "sign", "부호가 반대입니다: P(x = 0 | 관측)을 답했습니다")])
    if mistake is not None:
        return mistake
    if not 0 <= value <= 1:
        return _wrong(label, "range", "x가 0 또는 1이므로 조건부 평균은 0과 1 사이입니다")
    return _wrong(label, "values", "P(x = 1 | 관측) = p(관측 | 1) / (p(관측 | 0) + p(관측 | 1))을 정규밀도로 계산하십시오")


# --------------------------------------------------------------------------- notebook 04
EX04_Q, EX04_P = (1.0, 0.5), (-1.0, 2.0)   # exercise 04-1: q = N(1, 0.5^2), p = N(-1, 2^2)


def _kl_normal(m_q: float, s_q: float, m_p: float, s_p: float) -> float:
    return math.log(s_p / s_q) + (s_q ** 2 + (m_q - m_p) ** 2) / (2 * s_p ** 2) - 0.5


def check_kl_number(answer) -> Verdict:
    """Exercise 04-1a: KL(N(1, 0.5^2) || N(-1, 2^2)), derived on paper."""
    label = "04-1a"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    (m_q, s_q), (m_p, s_p) = EX04_Q, EX04_P
    truth = _kl_normal(m_q, s_q, m_p, s_p)
    if math.isclose(value, truth, rel_tol=1e-3):
        return _right(label, "q에서 뽑은 표본으로 log q - log p를 평균한 몬테카를로 값과 비교해 보십시오")
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-3), [
        (_kl_normal(m_p, s_p, m_q, s_q), "swapped", "KL(p || q)를 계산했습니다. KL은 대칭이 아니므로 기댓값을 q로 취하십시오"),
        (truth + 0.5, "missing-half", "마지막의 -1/2를 빠뜨렸습니다 (E_q[(z - m_q)^2] / (2 s_q^2) = 1/2에서 나옵니다)"),
        (math.log(s_p ** 2 / s_q ** 2) + (s_q ** 2 + (m_q - m_p) ** 2) / (2 * s_p ** 2) - 0.5, "log-variance",
         "로그 항에 분산의 비를 썼습니다. log(s_p / s_q)는 표준편차의 비입니다 (분산이면 1/2 log)"),
        (math.log(s_p / s_q) + (s_q + (m_q - m_p) ** 2) / (2 * s_p) - 0.5, "sd-for-variance",
         "둘째 항에 분산 대신 표준편차를 넣었습니다"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다")])
    if mistake is not None:
        return mistake
    if value < 0:
        return _wrong(label, "negative", "KL은 0 이상입니다 (젠센 부등식)")
    return _wrong(label, "values", "E_q[log q(z) - log p(z)]를 정규밀도의 로그로 풀어 E_q[z] = m_q, E_q[(z - m)^2] = s_q^2 + (m_q - m)^2를 쓰십시오")


def _kl_diag(mu_q, log_var_q, mu_p, log_var_p) -> np.ndarray:
    return 0.5 * np.sum(log_var_p - log_var_q + (np.exp(log_var_q) + (mu_q - mu_p) ** 2) / np.exp(log_var_p) - 1.0,
                        axis=-1)


def check_kl_diag_function(fn) -> Verdict:
    """Exercise 04-1b: ``fn(mu_q, log_var_q, mu_p, log_var_p)`` = KL between diagonal normals, one value per row."""
    label = "04-1b"
    verdict = _function_answer(fn, label, "(mu_q, log_var_q, mu_p, log_var_p) -> 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(4)
    args = [rng.normal(size=(5, 3)), rng.normal(0.0, 0.7, size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(0.0, 0.7, size=(5, 3))]
    out = _call(fn, label, *args)
    if isinstance(out, Verdict):
        return out
    mu_q, lv_q, mu_p, lv_p = args
    truth = _kl_diag(*args)
    if out.shape == truth.shape and _close(out, truth, 1e-5, 1e-8):
        standard = _kl_diag(mu_q, lv_q, np.zeros_like(mu_p), np.zeros_like(lv_p))
        out_standard = _call(fn, label, mu_q, lv_q, np.zeros_like(mu_p), np.zeros_like(lv_p))
        if isinstance(out_standard, np.ndarray) and _close(out_standard, standard, 1e-5, 1e-8):
            return _right(label, "사전분포가 N(0, I)이면 노트북의 추론 손실(kl_term)과 같아집니다")
    per_coordinate = 0.5 * (lv_p - lv_q + (np.exp(lv_q) + (mu_q - mu_p) ** 2) / np.exp(lv_p) - 1.0)
    if out.shape == per_coordinate.shape:
        return _wrong(label, "per-coordinate", f"모양이 {out.shape}: 좌표별 KL입니다. 독립인 p개 좌표의 KL을 더해 행마다 하나로 만드십시오")
    if out.shape != truth.shape:
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. 입력이 (n, p)이면 결과는 (n,)입니다")
    mistake = _known_mistake(label, lambda target: _close(out, target, 1e-5, 1e-8), [
        (_kl_diag(mu_p, lv_p, mu_q, lv_q), "swapped", "q와 p가 바뀌었습니다 (KL(p || q)). 기댓값은 q에 대해 취합니다"),
        (per_coordinate.mean(axis=-1), "mean-not-sum", "좌표에 대해 평균을 냈습니다. 독립인 좌표의 KL은 더해집니다(합)"),
        (truth + 0.5 * mu_q.shape[1], "missing-half", "좌표마다의 -1/2(모두 -p/2)를 빠뜨렸습니다"),
        (_kl_diag(mu_q, 2 * lv_q, mu_p, 2 * lv_p), "log-sd", "log_var를 로그 표준편차로 읽었습니다. log_var = log sigma^2이므로 sigma^2 = exp(log_var)입니다"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "좌표 하나의 KL = 1/2 [log s_p^2 - log s_q^2 + (s_q^2 + (m_q - m_p)^2) / s_p^2 - 1]을 더하십시오")


def check_elbo_gap(answer, W, s: float) -> Verdict:
    """Exercise 04-2: log p(x) - ELBO for the best diagonal q in the linear-Gaussian model z ~ N(0, I), x|z ~ N(Wz + b, s^2 I)."""
    label = "04-2"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W has shape {W.shape}; expected the (k, p) matrix of the model")
    precision = np.eye(W.shape[1]) + W.T @ W / s ** 2
    truth = 0.5 * (np.sum(np.log(np.diag(precision))) - np.linalg.slogdet(precision)[1])
    if math.isclose(value, truth, rel_tol=1e-3):
        return _right(label, "간격은 x에 의존하지 않고, 참 사후분포의 상관이 0이 될 때만 0입니다")
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-3, abs_tol=1e-12), [
        (-truth, "sign", "부호가 반대입니다. 간격 log p(x) - ELBO = KL(q || p(z|x))는 0 이상입니다"),
        (2 * truth, "missing-half", "1/2를 빠뜨렸습니다 (정규분포 KL의 앞에 붙는 1/2)"),
        (0.0, "zero", "대각 q로는 간격이 0이 되지 않습니다: 참 사후분포의 공분산이 대각이 아닙니다")])
    if mistake is not None:
        return mistake
    if value < 0:
        return _wrong(label, "negative", "음수입니다. log p(x)나 ELBO 자체가 아니라 둘의 차이(0 이상)를 답하십시오")
    return _wrong(label, "values", "가장 좋은 대각 q = N(m_post, diag(1 / Lambda_jj))를 KL(q || N(m_post, Lambda^-1))에 넣어 "
                  "정리하십시오 (Lambda = I + W^T W / s^2)")


def check_logmeanexp(fn) -> Verdict:
    """Exercise 04-3: ``fn(a, axis)`` = log(mean(exp(a), axis)) without overflow or underflow."""
    label = "04-3"
    verdict = _function_answer(fn, label, "(a, axis) -> 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(5)
    a = rng.normal(-800.0, 3.0, size=(50, 4))   # log-weights of the size of log p(x) for MNIST: exp underflows
    m = a.max(axis=0)
    truth = m + np.log(np.mean(np.exp(a - m), axis=0))
    with np.errstate(all="ignore"):
        out = _call(fn, label, a, 0)
    if isinstance(out, Verdict):
        return out
    if out.shape != truth.shape:
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. axis=0으로 줄이면 (50, 4)에서 (4,)가 되어야 합니다")
    if not np.all(np.isfinite(out)):
        return _wrong(label, "underflow", "-inf나 NaN이 나옵니다: exp(-800)은 0으로 사라집니다. 최댓값을 빼고 exp를 취한 뒤 되더하십시오")
    if _close(out, truth, 1e-9, 1e-9):
        small = rng.normal(size=(7, 3))
        out_small = _call(fn, label, small, 1)
        expected_small = np.log(np.mean(np.exp(small), axis=1))
        if isinstance(out_small, Verdict):
            return out_small
        if out_small.shape == expected_small.shape and _close(out_small, expected_small, 1e-9, 1e-9):
            return _right(label, "이 함수로 K개의 가중치에서 log p(x)를 추정합니다")
        return _wrong(label, "axis", "axis 인자를 따르지 않습니다. axis=1에서도 맞게 줄이십시오")
    mistake = _known_mistake(label, lambda target: _close(out, target, 1e-9, 1e-9), [
        (a.mean(axis=0), "mean-of-logs", "로그의 평균입니다(ELBO 쪽). 평균의 로그는 젠센 부등식에 의해 그보다 큽니다"),
        (truth + np.log(len(a)), "missing-1/K", "1/K를 빠뜨렸습니다: log-sum-exp이지 log-mean-exp이 아닙니다"),
        (m, "max-only", "최댓값만 남았습니다. 나머지 항의 exp(a - max)도 더하십시오")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "값이 다릅니다. log mean exp(a) = max + log mean exp(a - max)")


# --------------------------------------------------------------------------- notebook 05
EX05_MU = (1.5, -0.5, 0.0, 0.0)          # exercise 05-1: mu(x, y) of one image, p = 4
EX05_LOG_VAR = (-2.0, -0.5, 0.4, 0.0)    # and its log sigma^2(x, y)
EX05_W, EX05_S, EX05_BETA = 3.0, 1.0, 4.0   # exercise 05-2: x|z ~ N(w z, s^2), loss D + beta R


def _unit_kl(mu, log_var) -> np.ndarray:
    """1/2 (mu^2 + sigma^2 - 1 - log sigma^2) elementwise: the inference loss of each unit."""
    return 0.5 * (mu ** 2 + np.exp(log_var) - 1.0 - log_var)


def check_rate_number(answer) -> Verdict:
    """Exercise 05-1: the rate R = KL(q(z|x, y) || N(0, I)) in nats for the mu and log_var of EX05_MU, EX05_LOG_VAR."""
    label = "05-1"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    mu, log_var = np.array(EX05_MU), np.array(EX05_LOG_VAR)
    truth = float(_unit_kl(mu, log_var).sum())
    if math.isclose(value, truth, rel_tol=1e-3):
        return _right(label, "마지막 좌표(mu = 0, log sigma^2 = 0)는 q = N(0, 1)이라 0을 보탭니다: 붕괴한 좌표입니다")
    p = len(mu)
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-3, abs_tol=1e-9), [
        (truth / math.log(2.0), "log2", "비트(log2) 단위입니다. 추론 손실은 자연로그, 곧 나트(nats)로 잽니다"),
        (2 * truth, "missing-half", "앞의 1/2을 빠뜨렸습니다"),
        (truth / p, "mean-not-sum", "좌표에 대해 평균을 냈습니다. 독립인 좌표의 KL은 더해집니다(합)"),
        (float(_unit_kl(mu, 2 * log_var).sum()), "log-sd", "log_var를 로그 표준편차로 읽었습니다. sigma^2 = exp(log_var)입니다"),
        (truth + p / 2, "missing-one", "좌표마다의 -1을 빠뜨렸습니다 (mu = 0, sigma = 1이면 KL이 0이어야 합니다)"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다"),
        (float(_unit_kl(mu, log_var)[0]), "one-unit", "첫 좌표 하나의 KL입니다. p = 4개 좌표를 모두 더하십시오")])
    if mistake is not None:
        return mistake
    if value < 0:
        return _wrong(label, "negative", "KL은 0 이상입니다 (젠센 부등식)")
    return _wrong(label, "values", "좌표마다 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)를 계산해 더하십시오")


def check_beta_variance(answer) -> Verdict:
    """Exercise 05-2: the variance v of the best q(z|x) = N(m, v) under D + beta R in the model x|z ~ N(w z, s^2)."""
    label = "05-2"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    w, s, beta = EX05_W, EX05_S, EX05_BETA
    truth = beta * s ** 2 / (beta * s ** 2 + w ** 2)
    if math.isclose(value, truth, rel_tol=1e-3):
        return _right(label, "beta = 1이면 참 사후분산이고, beta가 커질수록 사전분포의 분산 1에 다가갑니다")
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-3), [
        (s ** 2 / (s ** 2 + w ** 2), "beta-ignored", "beta = 1일 때의 값(참 사후분산)입니다. 추론 손실에 곱한 beta를 넣으십시오"),
        (s ** 2 / (s ** 2 + beta * w ** 2), "beta-on-distortion", "beta를 재생 손실 쪽에 곱했습니다. beta는 추론 손실의 가중치입니다"),
        (math.sqrt(truth), "sd-not-variance", "표준편차입니다. 분산 v를 답하십시오"),
        (1.0 - truth, "complement", "1 - v입니다. v에 대한 미분을 0으로 놓은 식을 다시 풀어 보십시오"),
        (beta * s ** 2 / w ** 2, "missing-one", "KL의 v 항(v - log v)에서 나오는 1을 빠뜨렸습니다: 1/v = 1 + w^2 / (beta s^2)"),
        (1.0 / truth, "precision", "정밀도(1/v)입니다. 분산 v를 답하십시오")])
    if mistake is not None:
        return mistake
    if not 0 < value <= 1:
        return _wrong(label, "range", "이 모형에서 가장 좋은 v는 0과 1(사전분포의 분산) 사이입니다")
    return _wrong(label, "values", "목적함수를 v로 미분하면 -w^2 / (2 s^2) - beta/2 (1 - 1/v) = 0입니다")


def check_kl_per_unit_function(fn) -> Verdict:
    """Exercise 05-3: ``fn(mu, log_var)`` with (n, p) inputs = the mean over images of each unit's KL, shape (p,)."""
    label = "05-3"
    verdict = _function_answer(fn, label, "(mu, log_var) -> 배열을 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(5)
    n, p = 50, 6
    mu = rng.normal(0.0, 1.0, size=(n, p)) * np.array([1.5, 1.0, 0.5, 0.1, 0.0, 0.0])
    log_var = rng.normal(-1.0, 0.5, size=(n, p)) * np.array([1.0, 1.0, 1.0, 0.3, 0.1, 0.0])
    out = _call(fn, label, mu, log_var)
    if isinstance(out, Verdict):
        return out
    units = _unit_kl(mu, log_var)
    truth = units.mean(axis=0)
    if out.shape == truth.shape and _close(out, truth, 1e-6, 1e-9):
        return _right(label, "p개 값을 더하면 평균 전송률 R입니다. 0에 가까운 좌표가 사후분포 붕괴입니다")
    if out.shape == units.shape:
        return _wrong(label, "not-averaged", f"모양이 {out.shape}: 이미지마다의 값입니다. 이미지 축(axis 0)으로 평균하십시오")
    if out.shape == (n,):
        if _close(out, units.sum(axis=1), 1e-6, 1e-9):
            return _wrong(label, "per-image", "이미지마다의 전송률(좌표 합)입니다. 좌표마다 하나씩, 이미지에 대해 평균하십시오")
        return _wrong(label, "axis", "좌표 축(axis 1)으로 줄였습니다(전치). 이미지 축(axis 0)으로 평균하십시오")
    if out.size == 1:
        return _wrong(label, "scalar", "숫자 하나입니다. 좌표마다 하나씩, 모양 (p,)으로 돌려주십시오")
    if out.shape != truth.shape:
        return _wrong(label, "shape", f"모양이 {out.shape}입니다. 입력이 (n, p)이면 결과는 (p,)입니다")
    mistake = _known_mistake(label, lambda target: _close(out, target, 1e-6, 1e-9), [
        (units.sum(axis=0), "sum-not-mean", "이미지에 대해 더했습니다. 이미지 하나당 값이 되도록 평균하십시오"),
        (2 * truth, "missing-half", "앞의 1/2을 빠뜨렸습니다"),
        (truth / math.log(2.0), "log2", "비트(log2) 단위입니다. 나트(자연로그)로 계산하십시오"),
        (_unit_kl(mu, 2 * log_var).mean(axis=0), "log-sd", "log_var를 로그 표준편차로 읽었습니다. sigma^2 = exp(log_var)입니다"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "좌표 j마다 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)를 이미지들에 대해 평균하십시오")


def _active_test_means() -> np.ndarray:
    """(400, 8) encoder means whose unit variances (ddof 0) are exactly 1, 0.25, 0.04, 0.0064, 0.0025, 0.0004, 0, 0."""
    rng = np.random.default_rng(6)
    noise = rng.standard_normal((400, 8))
    noise = (noise - noise.mean(axis=0)) / noise.std(axis=0)
    sd = np.array([1.0, 0.5, 0.2, 0.08, 0.05, 0.02, 0.0, 0.0])
    offset = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0])   # a constant unit that is not 0
    return noise * sd + offset


def check_active_count_function(fn) -> Verdict:
    """Exercise 05-4: ``fn(mu, threshold)`` = the number of units j with Var_x(mu_j(x)) > threshold (mu is (n, p))."""
    label = "05-4"
    verdict = _function_answer(fn, label, "(mu, threshold) -> 정수를 ")
    if verdict is not None:
        return verdict
    mu = _active_test_means()
    for threshold in (0.01, 0.05, 0.001):
        out = _call(fn, label, mu, threshold)
        if isinstance(out, Verdict):
            return out
        if out.size != 1:
            if out.shape == (mu.shape[1],):
                return _wrong(label, "not-counted", f"모양이 {out.shape}: 좌표마다의 값(분산이나 참/거짓)입니다. 활성 좌표의 개수 하나를 돌려주십시오")
            return _wrong(label, "shape", f"모양이 {out.shape}입니다. 활성 좌표의 개수(정수 하나)를 돌려주십시오")
        count = float(out.reshape(()))
        variances = mu.var(axis=0)
        truth = int(np.sum(variances > threshold))
        if count == truth:
            continue
        mistake = _known_mistake(label, lambda target: count == target, [
            (int(np.sum(mu.var(axis=1) > threshold)), "transposed", "이미지마다 좌표들에 걸친 분산을 썼습니다(축이 바뀜). "
             "좌표 j마다 이미지들에 걸친 분산 Var_x(mu_j)를 구하십시오 (axis=0)"),
            (int(np.sum(mu.std(axis=0) > threshold)), "std-not-variance", "표준편차를 문턱값과 비교했습니다. 분산과 비교하십시오"),
            (int(np.sum(np.mean(mu ** 2, axis=0) > threshold)), "not-centred", "평균을 빼지 않은 E[mu_j^2]를 썼습니다. "
             "모든 이미지에서 같은 값(0이 아니어도)을 내는 좌표는 정보가 없습니다: 분산을 쓰십시오"),
            (mu.shape[1] - truth, "inactive", "문턱값 이하인 좌표, 곧 붕괴한 좌표를 셌습니다")])
        if mistake is not None:
            return mistake
        return _wrong(label, "values", f"threshold = {threshold}에서 개수가 다릅니다. np.var(mu, axis=0) > threshold인 좌표를 세십시오")
    return _right(label, "세 문턱값에서 모두 맞습니다. 이제 노트북의 모형에서 문턱값을 바꿔 가며 세어 보십시오")


# --------------------------------------------------------------------------- notebook 06
def check_gray_psnr(answer, image) -> Verdict:
    """Exercise 06-1: the PSNR (dB, peak 1) of the zero-chroma (grey) version of the RGB ``image`` against it."""
    label = "06-1"
    value = _number_answer(answer, label)
    if isinstance(value, Verdict):
        return value
    from utils.colorize import gray_version

    rgb = np.asarray(image, dtype=np.float64)
    if rgb.ndim != 3 or rgb.shape[-1] != 3 or rgb.min() < 0 or rgb.max() > 1:
        raise ValueError(f"image has shape {rgb.shape}; expected one RGB photo (height, width, 3) with values in [0, 1]")
    grey = gray_version([rgb])[0]
    mse = float(np.mean((rgb - grey) ** 2))
    truth = 10 * math.log10(1.0 / mse)
    if math.isclose(value, truth, rel_tol=1e-3):
        return _right(label, "L을 그대로 두었으니 이 오차는 모두 색도(a, b)를 0으로 둔 탓입니다")
    sse = float(np.sum((rgb - grey) ** 2))
    mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-3, abs_tol=1e-9), [
        (mse, "mse", "MSE 자체입니다. PSNR = 10 log10(1 / MSE) dB로 바꾸십시오"),
        (2 * truth, "factor-20", "MSE에 20 log10을 썼습니다. 제곱오차(MSE)에는 10 log10입니다"),
        (10 * math.log(1.0 / mse), "natural-log", "자연로그를 썼습니다. 데시벨은 log10입니다"),
        (-truth, "sign", "부호가 반대입니다. PSNR은 오차가 작을수록 큽니다: 10 log10(1 / MSE)"),
        (10 * math.log10(1.0 / sse), "sum-not-mean", "제곱오차를 픽셀과 채널에 대해 더했습니다. MSE는 평균입니다"),
        (10 * math.log10(1.0 / (mse * 255.0 ** 2)), "scale-255", "MSE를 0-255 척도로 쟀습니다. 최댓값이 1이면 픽셀도 0-1 척도여야 합니다"),
        (truth / 2, "rmse", "RMSE에 10 log10을 썼습니다. 10 log10(1 / MSE) = 20 log10(1 / RMSE)입니다")])
    if mistake is not None:
        return mistake
    return _wrong(label, "values", "RGB(0-1)에서 원본과 흑백 버전의 제곱오차를 모든 픽셀과 세 채널에 대해 평균한 뒤 10 log10(1 / MSE)")


def _pair_auc(inl: np.ndarray, out: np.ndarray, tie: float = 0.5) -> float:
    diff = out[:, None] - inl[None, :]
    return float(np.mean(diff > 0) + tie * np.mean(diff == 0))


def check_auc_function(fn) -> Verdict:
    """Exercise 06-2: ``fn(inlier_scores, outlier_scores)`` = P(S_out > S_in) + P(S_out = S_in) / 2, by counting pairs."""
    label = "06-2"
    verdict = _function_answer(fn, label, "(inlier_scores, outlier_scores) -> 숫자를 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(7)
    cases = [(rng.integers(0, 10, 300).astype(float), rng.integers(3, 14, 120).astype(float)),   # many ties
             (rng.gamma(2.0, 1.0, 250), rng.gamma(2.0, 1.6, 90))]                               # none
    for inl, out_scores in cases:
        out = _call(fn, label, inl, out_scores)
        if isinstance(out, Verdict):
            return out
        if out.size != 1:
            return _wrong(label, "shape", f"모양이 {out.shape}입니다. AUC는 숫자 하나입니다")
        value = float(out.reshape(()))
        truth = _pair_auc(inl, out_scores)
        if math.isclose(value, truth, rel_tol=1e-9, abs_tol=1e-12):
            continue
        pairs = len(inl) * len(out_scores)
        mistake = _known_mistake(label, lambda target: math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-12), [
            (1.0 - truth, "swapped", "정상과 이상이 바뀌었습니다: P(S_in > S_out)입니다. 이상의 점수가 더 클 확률을 세십시오"),
            (_pair_auc(inl, out_scores, tie=0.0), "ties-dropped", "점수가 같은 쌍을 0으로 셌습니다. 같은 쌍은 1/2로 셉니다"),
            (_pair_auc(inl, out_scores, tie=1.0), "ties-as-wins", "점수가 같은 쌍을 1로 셌습니다(>=). 같은 쌍은 1/2로 셉니다"),
            (truth * pairs, "not-normalized", f"쌍의 개수(여기서는 {pairs})로 나누지 않았습니다: 맨-휘트니 U 통계량 그 자체입니다")])
        if mistake is not None:
            return mistake
        if not 0 <= value <= 1:
            return _wrong(label, "range", "확률이므로 0과 1 사이여야 합니다")
        return _wrong(label, "values", "모든 (정상, 이상) 쌍에서 이상의 점수가 크면 1, 같으면 1/2, 작으면 0을 세어 평균하십시오")
    return _right(label, "점수가 같은 쌍이 많은 경우와 없는 경우 모두 맞습니다. 사다리꼴로 잰 ROC 곡선 아래 넓이와 비교해 보십시오")


def check_threshold_function(fn) -> Verdict:
    """Exercise 06-3: ``fn(inlier_scores, alpha)`` = a threshold above which about ``alpha`` of the inliers lie."""
    label = "06-3"
    verdict = _function_answer(fn, label, "(inlier_scores, alpha) -> 숫자를 ")
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(8)
    scores = rng.gamma(1.5, 10.0, 2000)      # skewed to the right, like reconstruction errors
    for alpha in (0.05, 0.1, 0.01):
        out = _call(fn, label, scores, alpha)
        if isinstance(out, Verdict):
            return out
        if out.size != 1:
            return _wrong(label, "shape", f"모양이 {out.shape}입니다. 문턱값은 숫자 하나입니다")
        t = float(out.reshape(()))
        share = float(np.mean(scores > t))
        if abs(share - alpha) <= 2.0 / len(scores):
            continue
        if abs(share - (1 - alpha)) <= 2.0 / len(scores):
            return _wrong(label, "low-quantile", f"alpha = {alpha}에서 정상의 {share:.0%}가 문턱값 위에 있습니다. "
                          "alpha 분위수가 아니라 (1 - alpha) 분위수를 쓰십시오")
        mistake = _known_mistake(label, lambda target: math.isclose(t, target, rel_tol=1e-6), [
            (scores.mean() + 1.6448536 * scores.std(), "normal", "정규분포를 가정한 평균 + 1.645 표준편차입니다. 점수 분포는 "
             "오른쪽으로 치우쳐 있으니 경험 분위수(np.quantile)를 쓰십시오"),
            (scores.mean() + 1.6448536 * scores.std(ddof=1), "normal", "정규분포를 가정한 평균 + 1.645 표준편차입니다. 점수 분포는 "
             "오른쪽으로 치우쳐 있으니 경험 분위수(np.quantile)를 쓰십시오"),
            (float(scores.max()), "max", "가장 큰 정상 점수입니다. 그러면 오경보율이 0이 되어 탐지율을 잃습니다")])
        if mistake is not None and alpha == 0.05:
            return mistake
        return _wrong(label, "values", f"alpha = {alpha}에서 정상의 {share:.1%}가 문턱값 위에 있습니다. 정상 점수의 (1 - alpha) 분위수를 쓰십시오")
    return _right(label, "alpha = 0.05, 0.1, 0.01에서 모두 정상의 그 비율만 문턱값 위에 있습니다")

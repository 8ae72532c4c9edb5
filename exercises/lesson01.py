"""Checkers of notebook 01's exercises (transposed convolution): 01-1 .. 01-5."""

from __future__ import annotations

import math
import numbers

import numpy as np

from exercises.verdicts import (Case, FunctionExercise, Verdict, answer_array, answer_number, cannot_check,
                                      checker, close, is_unanswered, right, unanswered, wrong)
from utils.transpose_conv import conv_matrix

EX01_KERNEL = np.arange(1, 10).reshape(3, 3)   # the kernel of exercises 01-1 and 01-2
EX01_INPUT_SHAPE = (4, 4)
EX01_STRIDE = 2
EX01_SMALL = np.array([[1, 2], [3, 4]])        # the 2x2 input of exercise 01-2


def _conv_matrix_offset(kernel: np.ndarray, in_shape: tuple, stride: int, out_shape: tuple,
                        top: int, left: int, clamp: bool = False) -> np.ndarray:
    """Convolution matrix with the zero padding split as given (top/left rows before the input).

    ``clamp=True`` is a typical mistake: each window is pulled back inside the input instead of
    hanging over the padding.
    """
    kh, kw = kernel.shape
    (in_h, in_w), (out_h, out_w) = in_shape, out_shape
    C = np.zeros((out_h * out_w, in_h * in_w))
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * stride - top, j * stride - left
            if clamp:
                r0, c0 = min(max(r0, 0), in_h - kh), min(max(c0, 0), in_w - kw)
            for a in range(kh):
                for b in range(kw):
                    r, c = r0 + a, c0 + b
                    if 0 <= r < in_h and 0 <= c < in_w:
                        C[i * out_w + j, r * in_w + c] = kernel[a, b]
    return C


def _column_major_order(shape: tuple) -> np.ndarray:
    return np.arange(int(np.prod(shape))).reshape(shape).T.ravel()


def _first_match(a: np.ndarray, candidates: list) -> str | None:
    for code, value in candidates:
        if close(a, value, 0.0, 1e-6):
            return code
    return None


@checker("01-1")
def check_conv_matrix_same(C) -> Verdict:
    """Exercise 01-1: the 4x16 matrix of the 3x3-kernel, stride-2, padding="same" convolution of a 4x4 input."""
    label = "01-1"
    if is_unanswered(C):
        return unanswered(label)
    a = answer_array(C, label)
    if isinstance(a, Verdict):
        return a
    truth = conv_matrix(EX01_KERNEL, EX01_INPUT_SHAPE, strides=EX01_STRIDE, padding="same").astype(float)
    out = (2, 2)
    if a.shape != truth.shape:
        if a.shape == truth.T.shape:
            return wrong(label, "transposed", f"모양이 {a.shape}입니다. C의 행은 출력 픽셀, 열은 입력 픽셀이므로 "
                         "(출력 픽셀 수) x (입력 픽셀 수)여야 합니다: 전치(transpose)한 것 같습니다")
        return wrong(label, "shape", f"모양이 {a.shape}인데 (출력 픽셀 수) x (입력 픽셀 수) = {truth.shape}여야 합니다. "
                     "'same' 패딩, 스트라이드 2에서 출력 한 변의 길이는 ceil(n / s)입니다")
    if close(a, truth, 0.0, 1e-6):
        return right(label, "C @ vec(x)가 tf.nn.conv2d(..., padding='SAME')와 같은지 다음 셀에서 확인하십시오")
    in_cols, out_rows = _column_major_order(EX01_INPUT_SHAPE), _column_major_order(out)
    candidates = [
        ("flipped-kernel", conv_matrix(EX01_KERNEL[::-1, ::-1], EX01_INPUT_SHAPE, EX01_STRIDE, "same")),
        ("transposed-kernel", conv_matrix(EX01_KERNEL.T, EX01_INPUT_SHAPE, EX01_STRIDE, "same")),
        ("padding-side", _conv_matrix_offset(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, out, 1, 1)),
        ("column-major-input", truth[:, in_cols]),
        ("column-major-output", truth[out_rows, :]),
        ("valid-window", _conv_matrix_offset(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, out, 0, 0, clamp=True)),
    ]
    hints = {
        "flipped-kernel": "커널을 180도 뒤집어 놓았습니다. 케라스의 합성곱은 교차상관(cross-correlation)이라 커널을 뒤집지 않습니다",
        "transposed-kernel": "커널의 행과 열이 바뀌었습니다: 커널을 전치했거나(K^T), 입력과 출력을 모두 열 우선(column-major)으로 "
                             "펼친 결과입니다. 커널 K[a, b]는 창의 a번째 행, b번째 열에 놓이고, 픽셀은 행 우선(x.ravel())으로 셉니다",
        "padding-side": "0 패딩을 위/왼쪽에 붙였습니다. 패딩 총량이 홀수이면 TensorFlow는 남는 한 줄을 아래/오른쪽에 붙입니다",
        "column-major-input": "입력을 열 우선(column-major)으로 펼쳤습니다. 열 번호는 입력 픽셀 (r, c)의 행 우선 번호 4r + c입니다",
        "column-major-output": "출력을 열 우선(column-major)으로 펼쳤습니다. 행 번호는 출력 픽셀 (i, j)의 행 우선 번호 2i + j입니다",
        "valid-window": "패딩에 걸친 창을 입력 안쪽으로 당겨 놓았습니다. 창은 (s*i - 위쪽 패딩, s*j - 왼쪽 패딩)에서 시작하고, "
                        "패딩에 걸친 커널 원소는 0과 곱해지므로 그 행에서 빠집니다",
    }
    code = _first_match(a, candidates)
    if code:
        return wrong(label, code, hints[code])
    wrong_rows = int(np.sum(np.any(~np.isclose(a, truth), axis=1)))
    return wrong(label, "values", f"{len(truth)}개 행 가운데 {wrong_rows}개가 다릅니다. 출력 픽셀 (i, j)의 창은 "
                 "입력의 (s*i - 위쪽 패딩, s*j - 왼쪽 패딩)에서 시작합니다")


def _stamp_full(y: np.ndarray, kernel: np.ndarray, stride: int, add: bool = True) -> np.ndarray:
    (h, w), (kh, kw) = y.shape, kernel.shape
    out = np.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw))
    for i in range(h):
        for j in range(w):
            window = (slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            out[window] = out[window] + y[i, j] * kernel if add else y[i, j] * kernel
    return out


@checker("01-2")
def check_transposed_conv_output(up) -> Verdict:
    """Exercise 01-2: C^T of exercise 01-1 applied to the 2x2 input [[1, 2], [3, 4]], as a 4x4 array."""
    label = "01-2"
    if is_unanswered(up):
        return unanswered(label)
    a = answer_array(up, label)
    if isinstance(a, Verdict):
        return a
    C = conv_matrix(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, "same").astype(float)
    truth = (C.T @ EX01_SMALL.ravel()).reshape(EX01_INPUT_SHAPE)
    full = _stamp_full(EX01_SMALL.astype(float), EX01_KERNEL.astype(float), EX01_STRIDE)   # 5 x 5, 'valid'
    if a.shape != truth.shape:
        if a.shape == full.shape and close(a, full, 0.0, 1e-6):
            return wrong(label, "uncropped", f"모양이 {a.shape}: 'valid' 전치 합성곱의 결과 그대로입니다. 'same'에서는 "
                         "합성곱 때 붙였던 패딩 자리(여기서는 아래쪽 한 줄과 오른쪽 한 열)를 잘라 4x4가 됩니다")
        if a.shape == full.shape:
            return wrong(label, "uncropped-values", f"모양이 {a.shape}입니다. 'same'의 결과는 입력 크기 4x4입니다: "
                         "패딩 자리를 잘라내십시오(그 전에 5x5 값도 다시 확인하십시오)")
        if a.size == truth.size:
            return wrong(label, "shape", f"값은 {a.size}개로 맞지만 모양이 {a.shape}입니다. 4x4 격자로 reshape 하십시오")
        return wrong(label, "shape", f"모양이 {a.shape}입니다. 전치 합성곱은 2x2를 4x4로 키우므로 C가 아니라 "
                     "C^T (16 x 4)를 곱해야 합니다")
    if close(a, truth, 0.0, 1e-6):
        return right(label, "Conv2DTranspose(1, 3, strides=2, padding='same')에 같은 커널을 넣어 비교해 보십시오")
    flipped_C = conv_matrix(EX01_KERNEL[::-1, ::-1], EX01_INPUT_SHAPE, EX01_STRIDE, "same").astype(float)
    wrong_side = _conv_matrix_offset(EX01_KERNEL, EX01_INPUT_SHAPE, EX01_STRIDE, (2, 2), 1, 1)
    candidates = [
        ("transposed", truth.T),
        ("flipped-kernel", (flipped_C.T @ EX01_SMALL.ravel()).reshape(4, 4)),
        ("padding-side", (wrong_side.T @ EX01_SMALL.ravel()).reshape(4, 4)),
        ("padding-side", full[1:, 1:]),
        ("transposed", (C.T @ EX01_SMALL.T.ravel()).reshape(4, 4)),
    ]
    hints = {
        "transposed": "행과 열이 뒤바뀐 결과입니다(전치). 2x2 입력과 결과를 모두 행 우선(x.ravel(), reshape)으로 펼치고 되돌리십시오",
        "flipped-kernel": "커널을 뒤집어 찍었습니다. C^T의 열은 C의 행, 곧 뒤집지 않은 커널입니다",
        "padding-side": "5x5에서 위쪽 한 줄과 왼쪽 한 열을 잘랐습니다. 'same' 패딩의 남는 한 줄은 아래/오른쪽이므로 그쪽을 자릅니다",
    }
    code = _first_match(a, candidates)
    if code:
        return wrong(label, code, hints[code])
    return wrong(label, "values", "값이 다릅니다. 입력값 y_ij마다 커널에 y_ij를 곱해 창 (i, j) 자리에 찍고 겹치는 곳은 더합니다")


# --------------------------------------------------------------------------- 01-3: a function
STAMP_CASES = [  # (y shape, kernel shape, stride) -- overlapping and non-overlapping windows
    ((2, 2), (3, 3), 2), ((3, 2), (2, 3), 1), ((2, 3), (2, 2), 2), ((3, 3), (4, 4), 3), ((1, 1), (2, 2), 2),
]


def stamp_case(y, kernel, stride) -> Case:
    """A Case of exercise 01-3: the right result is C^T vec(y) with C the 'valid' convolution's matrix."""
    y, kernel = np.array(y, dtype=float), np.array(kernel, dtype=float)
    shape = ((y.shape[0] - 1) * stride + kernel.shape[0], (y.shape[1] - 1) * stride + kernel.shape[1])
    truth = (conv_matrix(kernel, shape, strides=stride).T @ y.ravel()).reshape(shape)
    extra = {"overwrite": _stamp_full(y, kernel, stride, add=False),
             "flipped-kernel": _stamp_full(y, kernel[::-1, ::-1], stride)}
    if y.shape[0] != y.shape[1]:
        extra["transposed"] = _stamp_full(y.T, kernel.T, stride).T
    return Case((y, kernel, int(stride)), truth, f"y {y.shape}, 커널 {kernel.shape}, 스트라이드 {stride}", extra)


def _stamp_public() -> list:
    rng = np.random.default_rng(14)
    return [(rng.integers(-3, 4, size=ys).astype(float), rng.integers(1, 6, size=ks).astype(float), s)
            for ys, ks, s in STAMP_CASES]


_STAMP_HINTS = {"overwrite": "겹치는 창에서 값을 덮어썼습니다. 찍은 커널들은 겹치는 곳에서 더해져야 합니다 (+=)",
                "flipped-kernel": "커널을 뒤집어 찍었습니다. C^T의 열은 뒤집지 않은 커널입니다",
                "transposed": "y의 행과 열을 바꿔 찍은 것 같습니다 (y[i, j]의 창은 행 i*s, 열 j*s에서 시작합니다)"}


def _judge_stamp(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    if out.shape != case.truth.shape:
        return wrong(label, "shape", f"{case.note}에서 결과의 모양이 {out.shape}입니다. "
                     "'valid' 전치 합성곱의 출력 길이는 (n - 1) s + m입니다")
    if close(out, case.truth, 1e-6, 1e-6):
        return None
    for code, value in case.extra.items():
        if close(out, value, 1e-6, 1e-6):
            return wrong(label, code, _STAMP_HINTS[code])
    return wrong(label, "values", f"{case.note}에서 값이 C^T @ vec(y)와 다릅니다")


STAMP = FunctionExercise("01-3", "(y, kernel, stride) -> 배열을 ", stamp_case, _stamp_public, _judge_stamp,
                         f"{len(STAMP_CASES)}가지 경우 모두 C^T @ vec(y)와 같습니다")


@checker("01-3")
def check_stamp_function(fn) -> Verdict:
    """Exercise 01-3: ``fn(y, kernel, stride)``, the 'valid' transposed convolution by stamping kernels."""
    return STAMP.check(fn)


# --------------------------------------------------------------------------- 01-4, 01-5
@checker("01-4")
def check_nonzero_count(count) -> Verdict:
    """Exercise 01-4: nonzero entries of the 196x784 matrix C of a 3x3, stride-2, 'same' convolution on 28x28."""
    label = "01-4"
    value = answer_number(count, label)
    if isinstance(value, Verdict):
        return value
    truth = int(np.count_nonzero(conv_matrix(np.ones((3, 3), dtype=int), (28, 28), strides=2, padding="same")))
    if value == truth:
        return right(label, "np.count_nonzero(conv_matrix(...))로도 확인해 보십시오")
    if value != round(value):
        return wrong(label, "not-integer", "0이 아닌 원소의 개수는 정수입니다")
    hints = {14 * 14 * 9: ("padding-ignored", "출력 픽셀마다 커널 9개가 모두 들어간다고 셌습니다. 가장자리 창은 "
                           "0 패딩에 걸쳐 원소가 빠집니다"),
             28 * 28 * 9: ("input-pixels", "입력 픽셀 수(784)로 셌습니다. C의 행은 출력 픽셀(14 x 14)입니다"),
             13 * 13 * 9: ("valid-only", "패딩에 전혀 걸치지 않는 창만 셌습니다. 걸친 창도 남은 원소가 있습니다"),
             14 * 14 * 784: ("size", "행렬의 크기 전체입니다. 0이 아닌 원소만 세십시오")}
    if int(value) in hints:
        code, text = hints[int(value)]
        return wrong(label, code, text)
    if value < 0:
        return wrong(label, "negative", "개수는 0 이상입니다")
    side = round(math.sqrt(value))
    if side * side == value and 28 <= side <= 56:   # a square in the range a per-axis count gives
        return wrong(label, "per-axis", "한 축에서 센 수의 제곱이라는 생각은 맞습니다. 한 축에서 마지막 창이 패딩에 몇 칸 "
                     "걸치는지 다시 세십시오")
    return wrong(label, "values", "한 축에서 (출력 위치마다 입력 안에 들어가는 커널 칸 수)를 더하고, 두 축이 독립이므로 곱하십시오")


def _whole(value) -> int | None:
    """``value`` as an int when it is a whole number (3, 3.0, np.int64(3)); None otherwise (3.5, True, "3")."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        return None
    number = float(value)
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


@checker("01-5")
def check_flat_kernel_sizes(sizes, stride: int = 3, candidates: tuple = tuple(range(2, 10))) -> Verdict:
    """Exercise 01-5: the kernel sizes m in 2..9 whose stride-``stride`` transposed convolution has no checkerboard."""
    label = "01-5"
    s = _whole(stride)
    if s is None or s < 1:
        return cannot_check(label, f"stride는 {stride!r}입니다. 1 이상의 정수를 주십시오 (이 문제는 stride=3)")
    if is_unanswered(sizes):
        return unanswered(label)
    if isinstance(sizes, (str, bytes)):
        return wrong(label, "not-numeric", "커널 크기들을 정수의 리스트로 답하십시오, 예: [2, 5]")
    a = answer_array(sizes, label)
    if isinstance(a, Verdict):
        return wrong(label, a.code, "커널 크기들을 정수의 리스트로 답하십시오, 예: [2, 5]")
    values = list(np.atleast_1d(a).ravel())
    whole = [_whole(v) for v in values]
    if any(w is None for w in whole):
        odd = [float(v) for v, w in zip(values, whole) if w is None]
        return wrong(label, "not-integer", f"{odd[:3]}는 정수가 아닙니다. 커널 크기는 정수입니다")
    chosen = set(whole)
    truth = {m for m in candidates if m % s == 0}
    if chosen == truth:
        return right(label, "겹침 횟수가 고른 커널 크기의 공통점을 스트라이드와 연결해 한 문장으로 적어 보십시오")
    odd = chosen - set(candidates)
    if odd:
        return wrong(label, "range", f"{sorted(odd)}는 물어본 범위({min(candidates)}~{max(candidates)}) 밖입니다")
    if chosen and not chosen & truth:
        return wrong(label, "reversed", "고른 크기들은 모두 무늬가 생기는 쪽입니다. 안쪽의 최솟값과 최댓값이 같은 경우를 고르십시오")
    missing, extra = len(truth - chosen), len(chosen - truth)
    return wrong(label, "partial", f"{missing}개가 빠졌고 {extra}개가 잘못 들어갔습니다. 2부터 9까지 모두 재 보았습니까?")

"""Checkers of notebook 06's exercises (colorization and anomaly detection): 06-1 .. 06-5."""

from __future__ import annotations

import math

import numpy as np

from exercises.verdicts import (CHOICES, Case, Choice, FunctionExercise, Verdict, answer_array, answer_number,
                                      cannot_check, checker, close, fewer_digits, is_unanswered, judge_number,
                                      more_digits, right, unanswered, wrong)

GRAY_DECIMALS = 2            # 06-1: "소수 둘째 자리까지" (dB)
RATE_DECIMALS = 3            # 06-4: "소수 셋째 자리까지"
SPLIT_SEEDS = tuple(range(20))   # 06-4: twenty random halvings
ALPHA = 0.05


@checker("06-1")
def check_gray_psnr(answer, image) -> Verdict:
    """Exercise 06-1: the PSNR (dB, peak 1) of the zero-chroma (grey) version of the RGB ``image`` against it."""
    label = "06-1"
    try:
        rgb = np.asarray(image, dtype=np.float64)
    except (TypeError, ValueError):
        return cannot_check(label, f"image가 {type(image).__name__}입니다. RGB 사진 한 장(높이, 너비, 3)을 넘기십시오")
    if rgb.ndim != 3 or rgb.shape[-1] != 3 or rgb.size == 0:
        return cannot_check(label, f"image의 모양이 {rgb.shape}입니다. RGB 사진 한 장(높이, 너비, 3)을 넘기십시오, "
                            "예: photos.test[0]")
    if not np.all(np.isfinite(rgb)) or rgb.min() < 0 or rgb.max() > 1:
        return cannot_check(label, "image의 값이 [0, 1] 밖이거나 NaN이 있습니다. 0-1 척도의 RGB 사진을 넘기십시오")
    from utils.colorize import gray_version

    grey = gray_version([rgb])[0]
    mse = float(np.mean((rgb - grey) ** 2))
    if mse <= 0:
        return cannot_check(label, "이 사진은 흑백 버전과 똑같습니다(MSE = 0, PSNR은 무한대): 색이 없는 사진입니다. "
                            "색이 있는 사진을 넘기십시오")
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    truth = 10 * math.log10(1.0 / mse)
    sse = float(np.sum((rgb - grey) ** 2))
    verdict = judge_number(value, truth, label, GRAY_DECIMALS, [
        (mse, "mse", "MSE 자체입니다. PSNR = 10 log10(1 / MSE) dB로 바꾸십시오"),
        (2 * truth, "factor-20", "MSE에 20 log10을 썼습니다. 제곱오차(MSE)에는 10 log10입니다"),
        (10 * math.log(1.0 / mse), "natural-log", "자연로그를 썼습니다. 데시벨은 log10입니다"),
        (-truth, "sign", "부호가 반대입니다. PSNR은 오차가 작을수록 큽니다: 10 log10(1 / MSE)"),
        (10 * math.log10(1.0 / sse), "sum-not-mean", "제곱오차를 픽셀과 채널에 대해 더했습니다. MSE는 평균입니다"),
        (10 * math.log10(1.0 / (mse * 255.0 ** 2)), "scale-255", "MSE를 0-255 척도로 쟀습니다. 최댓값이 1이면 픽셀도 0-1 척도여야 합니다"),
        (truth / 2, "rmse", "RMSE에 10 log10을 썼습니다. 10 log10(1 / MSE) = 20 log10(1 / RMSE)입니다")],
        right_text="L을 그대로 두었으니 이 오차는 모두 색 좌표 (a, b)를 0으로 둔 탓입니다")
    if verdict is not None:
        return verdict
    return wrong(label, "values", "RGB(0-1)에서 원본과 흑백 버전의 제곱오차를 모든 픽셀과 세 채널에 대해 평균한 뒤 10 log10(1 / MSE)")


# --------------------------------------------------------------------------- 06-2
def _pair_auc(inl: np.ndarray, out: np.ndarray, tie: float = 0.5) -> float:
    diff = out[:, None] - inl[None, :]
    return float(np.mean(diff > 0) + tie * np.mean(diff == 0))


def auc_case(inlier_scores, outlier_scores) -> Case:
    """A Case of exercise 06-2: P(S_out > S_in) + P(S_out = S_in) / 2 over every pair."""
    inl, out = np.array(inlier_scores, dtype=np.float64), np.array(outlier_scores, dtype=np.float64)
    truth = _pair_auc(inl, out)
    extra = {"swapped": 1.0 - truth, "ties-dropped": _pair_auc(inl, out, 0.0), "ties-as-wins": _pair_auc(inl, out, 1.0),
             "not-normalized": truth * len(inl) * len(out), "pairs": len(inl) * len(out)}
    return Case((inl, out), truth, f"정상 {len(inl)}개, 이상 {len(out)}개", extra)


def _auc_public() -> list:
    rng = np.random.default_rng(7)
    return [(rng.integers(0, 10, 300).astype(float), rng.integers(3, 14, 120).astype(float)),   # many ties
            (rng.gamma(2.0, 1.0, 250), rng.gamma(2.0, 1.6, 90))]                               # none


def _judge_auc(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    if out.size != 1:
        return wrong(label, "shape", f"모양이 {out.shape}입니다. AUC는 숫자 하나입니다")
    value = float(out.reshape(()))
    if not math.isfinite(value):
        return wrong(label, "not-finite", "NaN이나 inf를 돌려줍니다. 쌍의 개수로 나누었는지 보십시오")
    if abs(value - case.truth) <= 1e-6:             # float32 counts are accepted
        return None
    if abs(value - case.extra["swapped"]) <= 1e-6:
        return wrong(label, "swapped", "정상과 이상이 바뀌었습니다: P(S_in > S_out)입니다. 이상의 점수가 더 클 확률을 세십시오")
    if abs(value - case.extra["ties-dropped"]) <= 1e-6 and case.extra["ties-dropped"] != case.truth:
        return wrong(label, "ties-dropped", "점수가 같은 쌍을 0으로 셌습니다. 같은 쌍은 1/2로 셉니다")
    if abs(value - case.extra["ties-as-wins"]) <= 1e-6 and case.extra["ties-as-wins"] != case.truth:
        return wrong(label, "ties-as-wins", "점수가 같은 쌍을 1로 셌습니다(>=). 같은 쌍은 1/2로 셉니다")
    if math.isclose(value, case.extra["not-normalized"], rel_tol=1e-6):
        return wrong(label, "not-normalized", f"쌍의 개수(여기서는 {case.extra['pairs']})로 나누지 않았습니다: "
                     "맨-휘트니 U 통계량 그 자체입니다")
    if not 0 <= value <= 1:
        return wrong(label, "range", "확률이므로 0과 1 사이여야 합니다")
    return wrong(label, "values", "모든 (정상, 이상) 쌍에서 이상의 점수가 크면 1, 같으면 1/2, 작으면 0을 세어 평균하십시오")


AUC = FunctionExercise("06-2", "(inlier_scores, outlier_scores) -> 숫자를 ", auc_case, _auc_public, _judge_auc,
                       "점수가 같은 쌍이 많은 경우와 없는 경우 모두 맞습니다. 사다리꼴로 잰 ROC 곡선 아래 넓이와 비교해 보십시오")


@checker("06-2")
def check_auc_function(fn) -> Verdict:
    """Exercise 06-2: ``fn(inlier_scores, outlier_scores)`` = P(S_out > S_in) + P(S_out = S_in) / 2, by counting pairs."""
    return AUC.check(fn)


# --------------------------------------------------------------------------- 06-3
def threshold_case(scores, alpha) -> Case:
    """A Case of exercise 06-3: any threshold with a share ``alpha`` (within 2/n) of the inlier scores above it."""
    scores = np.array(scores, dtype=np.float64)
    alpha = float(alpha)
    extra = {"normal": (scores.mean() + 1.6448536 * scores.std(), scores.mean() + 1.6448536 * scores.std(ddof=1)),
             "max": float(scores.max())}
    return Case((scores, alpha), alpha, f"alpha = {alpha:g}", extra)


def _threshold_public() -> list:
    rng = np.random.default_rng(8)
    scores = rng.gamma(1.5, 10.0, 2000)      # a long right tail, like reconstruction errors
    return [(scores, a) for a in (0.05, 0.1, 0.01)]


def _judge_threshold(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    scores, alpha = case.args
    if out.size != 1:
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 문턱값은 숫자 하나입니다")
    t = float(out.reshape(()))
    if not math.isfinite(t):
        return wrong(label, "not-finite", f"{case.note}에서 문턱값이 {t}입니다. NaN이나 무한대가 아닌 점수 척도의 값을 "
                     "돌려주십시오 (alpha를 0-100의 백분율로 넘기지 않았는지 보십시오)")
    share = float(np.mean(scores > t))
    tolerance = 2.0 / len(scores)
    if abs(share - alpha) <= tolerance:
        return None
    if abs(share - (1 - alpha)) <= tolerance:
        return wrong(label, "low-quantile", f"{case.note}에서 정상의 {share:.1%}가 문턱값 위에 있습니다. "
                     "alpha 분위수가 아니라 (1 - alpha) 분위수를 쓰십시오")
    if any(math.isclose(t, v, rel_tol=1e-6) for v in case.extra["normal"]):
        return wrong(label, "normal", "정규분포를 가정한 평균 + 1.645 표준편차입니다. 점수 분포는 오른쪽 꼬리가 길어 "
                     "경험 분위수(np.quantile)를 쓰십시오")
    if math.isclose(t, case.extra["max"], rel_tol=1e-9):
        return wrong(label, "max", "가장 큰 정상 점수입니다. 그러면 오경보율이 0이 되어 탐지율을 잃습니다")
    return wrong(label, "values", f"{case.note}에서 정상의 {share:.1%}가 문턱값 위에 있습니다. 정상 점수의 (1 - alpha) 분위수를 쓰십시오")


THRESHOLD = FunctionExercise("06-3", "(inlier_scores, alpha) -> 숫자를 ", threshold_case, _threshold_public,
                             _judge_threshold, "alpha = 0.05, 0.1, 0.01에서 모두 정상의 그 비율만 문턱값 위에 있습니다")


@checker("06-3")
def check_threshold_function(fn) -> Verdict:
    """Exercise 06-3: ``fn(inlier_scores, alpha)`` = a threshold above which about ``alpha`` of the inliers lie."""
    return THRESHOLD.check(fn)


# --------------------------------------------------------------------------- 06-4: calibration, by order and at random
EX06_HOLDOUT = 4             # notebook 06's held-out digit: the inliers of exercise 06-4 are the other nine


def inlier_ink(holdout: int = EX06_HOLDOUT) -> np.ndarray:
    """Ink (sum of pixel values) of every MNIST test image whose digit is not ``holdout``, in file order.

    All 10,000 test images, in quick mode too, so exercise 06-4 has the same answer in every mode.
    """
    from utils.data import load_dataset

    _, (x_test, y_test) = load_dataset("mnist")
    keep = np.asarray(y_test) != holdout
    return np.asarray(x_test, dtype=np.float64)[keep].reshape(int(keep.sum()), -1).sum(axis=1)


def calibration_reference(ink) -> dict:
    """What exercise 06-4 should find from the inliers' ink scores in file order.

    The threshold is the 95th percentile (``np.quantile(..., 0.95)``) of the second half in file
    order; the false-alarm rate is the share of the first half above it, with its Wilson interval.
    Then twenty random halvings (``np.random.default_rng(s).permutation(n)``, first half calibrates,
    second is measured) give the rate's mean and standard deviation over the seeds.
    """
    from utils.stats import binomial_interval, seed_summary

    ink = np.asarray(ink, dtype=np.float64).ravel()
    first, second = np.array_split(np.arange(len(ink)), 2)
    t = float(np.quantile(ink[second], 1 - ALPHA))
    flagged = int(np.sum(ink[first] > t))
    ordered = binomial_interval(flagged, len(first))
    rates = []
    for seed in SPLIT_SEEDS:
        calib, check = np.array_split(np.random.default_rng(seed).permutation(len(ink)), 2)
        rates.append(float(np.mean(ink[check] > np.quantile(ink[calib], 1 - ALPHA))))
    spread = seed_summary(rates)
    p = ordered.estimate
    wald = (p - 1.96 * math.sqrt(p * (1 - p) / len(first)), p + 1.96 * math.sqrt(p * (1 - p) / len(first)))
    reversed_rate = float(np.mean(ink[second] > np.quantile(ink[first], 1 - ALPHA)))
    return {"ordered": np.array([ordered.estimate, ordered.low, ordered.high]), "wald": np.array(wald),
            "random": np.array([spread.mean, spread.sd]), "reversed": np.array(reversed_rate)}


def judge_ordered_rate(answer, reference: dict, label: str = "06-4a") -> Verdict:
    """Exercise 06-4a: the first half's false-alarm rate with its Wilson interval: (rate, low, high)."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["ordered"], dtype=np.float64)
    unit = 10.0 ** -RATE_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (비율, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "구간이 5 %를 덮는지 보십시오. 덮지 않는다면 두 절반이 같은 분포에서 왔다는 가정을 의심할 차례입니다")
    fewer = fewer_digits(a, truth, RATE_DECIMALS)
    if fewer is not None:
        return more_digits(label, RATE_DECIMALS, fewer)
    if close(a, 100 * truth, 0.0, 100 * unit + 1e-9):
        return wrong(label, "percent", "퍼센트로 답했습니다. 0과 1 사이의 비율로 답하십시오")
    if abs(a[0] - float(reference["reversed"])) <= unit + 1e-9:
        return wrong(label, "halves-swapped", "두 절반의 역할이 바뀌었습니다. 문턱값은 뒤 절반에서 정하고, 오경보율은 앞 절반에서 잽니다")
    if abs(a[0] - truth[0]) <= unit + 1e-9:
        if close(a[1:], reference["wald"], 0.0, unit + 1e-9):
            return wrong(label, "wald", "p ± 1.96 sqrt(p(1-p)/n) (왈드 구간)입니다. 윌슨 구간(utils.stats.binomial_interval)을 쓰십시오")
        return wrong(label, "interval", "비율은 맞고 구간이 다릅니다. binomial_interval(문턱값 위의 수, 앞 절반의 수)를 쓰십시오")
    return wrong(label, "values", "정상 이미지의 잉크 양을 파일 순서로 반씩 나눠(np.array_split), 뒤 절반의 95번째 백분위수를 "
                 "문턱값으로 하고 앞 절반에서 그 위에 있는 비율을 재십시오")


def judge_random_rates(answer, reference: dict, label: str = "06-4b") -> Verdict:
    """Exercise 06-4b: mean and standard deviation of the false-alarm rate over twenty random halvings."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["random"], dtype=np.float64)
    unit = 10.0 ** -RATE_DECIMALS
    if a.shape != (2,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (평균, 표준편차) 두 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "무작위로 나눈 절반들은 같은 분포에서 온 두 표본입니다: 오경보율이 5 % 둘레에서 흔들리는 폭을 보십시오")
    fewer = fewer_digits(a, truth, RATE_DECIMALS)
    if fewer is not None:
        return more_digits(label, RATE_DECIMALS, fewer)
    if abs(a[0] - truth[0]) <= unit + 1e-9:
        return wrong(label, "sd", "평균은 맞고 표준편차가 다릅니다. 시드 20개의 오경보율에 seed_summary(분모 n - 1)를 쓰십시오")
    if close(a, 100 * truth, 0.0, 100 * unit + 1e-9):
        return wrong(label, "percent", "퍼센트로 답했습니다. 0과 1 사이의 비율로 답하십시오")
    return wrong(label, "values", "시드 s = 0..19마다 np.random.default_rng(s).permutation(n)을 반으로 나눠(앞: 문턱값, 뒤: "
                 "오경보율) 오경보율 20개를 구하고 seed_summary로 요약하십시오")


@checker("06-4a")
def check_ordered_false_alarm(answer, ink=None) -> Verdict:
    """Exercise 06-4a: the false-alarm rate on the first half, threshold from the second half, with a Wilson interval.

    ``ink`` defaults to :func:`inlier_ink` (the exercise's scores); tests give their own.
    """
    reference = {} if is_unanswered(answer) else calibration_reference(inlier_ink() if ink is None else ink)
    return judge_ordered_rate(answer, reference)


@checker("06-4b")
def check_random_false_alarm(answer, ink=None) -> Verdict:
    """Exercise 06-4b: mean and sd of the false-alarm rate over twenty random halvings (``ink`` as 06-4a)."""
    reference = {} if is_unanswered(answer) else calibration_reference(inlier_ink() if ink is None else ink)
    return judge_random_rates(answer, reference)


CHOICES["06-4c"] = Choice(("a", "b", "c"), "9caf7adc21b587d07e761aaea750334c1b0e50ff1687ad3ffffb37426ba80fe6", "파일 순서로 나눈 오경보율의 구간을 5 %, 그리고 무작위 분할 20번의 흔들림과 비교하십시오")
CHOICES["06-5"] = Choice(tuple("0123456789"), "251a432f6ef2920d7fbeebacf02e3e94741dc48e8d63346d44d3449eb9815d72",
                         "숫자마다 따로 PCA를 적합하고, 그 숫자를 이상으로 둔 AUC를 열 개 모두 비교하십시오")

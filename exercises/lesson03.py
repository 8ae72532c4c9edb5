"""Checkers of notebook 03's exercises (denoising autoencoder): 03-1 .. 03-4."""

from __future__ import annotations

import math
import numbers

import numpy as np

from exercises.verdicts import (CHOICES, Case, Choice, FunctionExercise, GRADING, Verdict, answer_array,
                                      answer_number, cannot_check, checker, close, deferred, fewer_digits,
                                      is_unanswered, judge_number, more_digits, right, unanswered, wrong)

CLIPPED_DECIMALS = 4         # 03-1: "소수 넷째 자리까지"
POSTERIOR_DECIMALS = 4       # 03-3: "소수 넷째 자리까지"
GAIN_DECIMALS = 3            # 03-4: "소수 셋째 자리까지" (dB)
NOISE_SEEDS = (0, 1, 2, 3, 4)
EX03_SIGMA, EX03_OBSERVED = 0.5, 0.7   # exercise 03-3: noise sd and the observed corrupted value


def _phi(t: float) -> float:
    return math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)


def _Phi(t: float) -> float:
    return 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))


def clipped_black_pixel_mean(sigma: float) -> float:
    """E[clip(sigma * eps, 0, 1)], eps ~ N(0, 1): the mean of a corrupted black pixel (used by the tests)."""
    return sigma * (_phi(0.0) - _phi(1.0 / sigma)) + 1.0 - _Phi(1.0 / sigma)


def _positive_number(value) -> float | None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        if not (isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf"):
            return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


@checker("03-1")
def check_clipped_noise_mean(answer, sigma: float) -> Verdict:
    """Exercise 03-1: the mean of a black pixel (x = 0) after Gaussian corruption with ``sigma`` and clipping to [0, 1]."""
    label = "03-1"
    s = _positive_number(sigma)
    if s is None:
        return cannot_check(label, f"sigma는 {sigma!r}입니다. 양의 실수를 주십시오, 예: sigma=0.5")
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    truth = clipped_black_pixel_mean(s)
    verdict = judge_number(value, truth, label, CLIPPED_DECIMALS, [
        (0.0, "no-clip", "자르기(clip) 전의 평균입니다. [0, 1]로 자르면 음수 쪽이 0으로 올라오므로 평균이 0보다 커집니다"),
        (s * _phi(0.0), "upper-clip", "0에서 자르는 것만 계산했습니다. 1보다 큰 값을 1로 자르는 부분도 넣으십시오"),
        (s * _phi(0.0) * 2, "half-normal", "|sigma * eps|의 평균입니다. 음수 쪽은 뒤집히는 것이 아니라 0이 됩니다"),
        (0.5, "half", "값의 절반이 0보다 크다는 것(확률 1/2)과 평균을 혼동했습니다"),
        (s * (_phi(0.0) - _phi(1.0 / s)), "missing-top", "0과 1 사이 구간만 적분했습니다. 1보다 큰 값이 1로 잘리는 몫 "
         "P(sigma eps > 1)도 더하십시오")],
        right_text="검은 배경이 평균적으로 밝아집니다: 오염된 입력의 평균은 깨끗한 이미지의 평균이 아닙니다")
    if verdict is not None:
        return verdict
    if value < 0 or value > 1:
        return wrong(label, "range", "[0, 1]로 자른 값의 평균은 0과 1 사이입니다")
    return wrong(label, "values", "x = 0이면 오염값은 sigma eps를 [0, 1]로 자른 것입니다. eps의 범위를 세 구간(0 아래, 0과 "
                 "1/sigma 사이, 1/sigma 위)으로 나눠 각 구간의 기댓값을 더하고, 몬테카를로 평균과 비교해 보십시오")


# --------------------------------------------------------------------------- 03-2
def psnr_case(clean, estimate) -> Case:
    """A Case of exercise 03-2: the mean over images of each image's PSNR (peak 1), in float64."""
    clean, estimate = np.array(clean), np.array(estimate)
    mse = ((clean.astype(np.float64) - estimate.astype(np.float64)) ** 2).reshape(len(clean), -1).mean(axis=1)
    per_image = 10 * np.log10(1.0 / mse)
    extra = {"per-image": per_image, "mse-first": 10 * np.log10(1.0 / mse.mean()), "factor-20": 2 * per_image.mean(),
             "natural-log": 10 * np.log(1.0 / mse).mean(), "sign": -per_image.mean(),
             "sum-not-mean": 10 * np.log10(1.0 / (mse * clean[0].size)).mean()}
    return Case((clean, estimate), float(per_image.mean()), f"이미지 {len(clean)}장", extra)


def _psnr_public() -> list:
    rng = np.random.default_rng(3)
    clean = rng.random((6, 28, 28, 1)).astype(np.float32)
    scale = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.4]).reshape(6, 1, 1, 1)
    estimate = np.clip(clean + scale * rng.standard_normal(clean.shape), 0, 1).astype(np.float32)
    return [(clean, estimate)]


_PSNR_HINTS = {
    "mse-first": "MSE를 먼저 평균한 뒤 PSNR로 바꿨습니다. 이미지마다 PSNR을 구한 뒤 평균하십시오",
    "factor-20": "20 log10을 썼습니다. 제곱오차(MSE)에는 10 log10, 진폭(RMSE)에는 20 log10입니다",
    "natural-log": "자연로그를 썼습니다. 데시벨은 log10입니다",
    "sign": "부호가 반대입니다. PSNR은 오차가 작을수록 큽니다: 10 log10(peak^2 / MSE)",
    "sum-not-mean": "픽셀 합(SSE)을 썼습니다. PSNR은 픽셀당 평균(MSE)으로 정의합니다"}


def _judge_psnr(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    per_image = case.extra["per-image"]
    if out.size == per_image.size and out.size > 1 and close(out.ravel(), per_image, 1e-4, 1e-6):
        return wrong(label, "per-image", "이미지마다의 PSNR입니다. 시험 이미지들에 대해 평균한 숫자 하나를 돌려주십시오")
    if out.size != 1:
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 숫자 하나(평균 PSNR, dB)를 돌려주십시오")
    value = float(out.reshape(()))
    if math.isclose(value, case.truth, rel_tol=1e-4, abs_tol=1e-4):
        return None
    for code, hint in _PSNR_HINTS.items():
        if math.isclose(value, float(case.extra[code]), rel_tol=1e-4):
            return wrong(label, code, hint)
    return wrong(label, "values", "값이 다릅니다. 이미지마다 MSE = 픽셀 제곱오차의 평균, PSNR = 10 log10(1 / MSE)")


PSNR = FunctionExercise("03-2", "(clean, estimate) -> 숫자를 ", psnr_case, _psnr_public, _judge_psnr,
                        "utils.metrics.psnr와 같은 값인지도 확인해 보십시오")


@checker("03-2")
def check_psnr_function(fn) -> Verdict:
    """Exercise 03-2: ``fn(clean, estimate)``: mean over images of 10 log10(1 / MSE per image), peak 1."""
    return PSNR.check(fn)


# --------------------------------------------------------------------------- 03-3
@checker("03-3")
def check_posterior_mean(answer) -> Verdict:
    """Exercise 03-3: E[x | x_check = 0.7] for x in {0, 1} with probability 1/2 each and x_check = x + 0.5 eps."""
    label = "03-3"
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value

    def sigmoid(t: float) -> float:
        return 1.0 / (1.0 + math.exp(-t))

    shift = EX03_OBSERVED - 0.5
    truth = sigmoid(shift / EX03_SIGMA ** 2)
    verdict = judge_number(value, truth, label, POSTERIOR_DECIMALS, [
        (EX03_OBSERVED, "observation", "오염된 관측값 그대로입니다. x는 0 또는 1이므로 두 값의 사후확률로 평균을 내십시오"),
        (1.0, "map", "가장 그럴듯한 값(MAP)입니다. 제곱오차를 최소로 하는 것은 사후분포의 최빈값이 아니라 평균입니다"),
        (sigmoid(shift / EX03_SIGMA), "sd-not-variance", "로그 우도비에서 sigma^2 대신 sigma로 나눴습니다"),
        (sigmoid(-shift / EX03_SIGMA ** 2), "sign", "부호가 반대입니다: x = 0과 x = 1의 역할이 바뀌었습니다")],
        right_text="제곱오차 아래 최선의 오염제거는 사후평균 E[x | 오염된 입력]입니다: DAE가 근사하는 것이 이것입니다")
    if verdict is not None:
        return verdict
    if not 0 <= value <= 1:
        return wrong(label, "range", "x가 0 또는 1이므로 조건부 평균은 0과 1 사이입니다")
    return wrong(label, "values", "P(x = 1 | 관측) = p(관측 | 1) / (p(관측 | 0) + p(관측 | 1))을 정규밀도로 계산하십시오")


# --------------------------------------------------------------------------- 03-4: noise seeds and a paired interval
def denoising_gain_reference(dae_model, blur: float, clean, sigma: float) -> dict:
    """What exercise 03-4 should find: per noise seed, the mean PSNR gain of the DAE over the Gaussian filter.

    For each seed s in NOISE_SEEDS the images ``clean`` are corrupted with
    ``gaussian_noise(clean, sigma, seed=s)``; each image's PSNR of the DAE's clipped output minus
    that of ``gaussian_filter(noisy, blur)`` is one paired difference. Returns the five mean gains,
    seed 0's (estimate, low, high) from ``paired_difference`` and values of typical mistakes.
    """
    from utils.autoencoder import predict_in_batches
    from utils.metrics import psnr
    from utils.noise import gaussian_filter, gaussian_noise
    from utils.stats import mean_interval, paired_difference

    clean = np.asarray(clean)
    means, first = [], None
    for seed in NOISE_SEEDS:
        noisy = gaussian_noise(clean, sigma, seed=seed)
        dae = psnr(clean, np.clip(predict_in_batches(dae_model, noisy), 0, 1), per_image=True)
        blurred = psnr(clean, gaussian_filter(noisy, blur), per_image=True)
        means.append(float(np.mean(dae - blurred)))
        if first is None:
            first = (dae, blurred)
    diff = paired_difference(*first)
    a, b = first
    one_dae, one_blur = mean_interval(a), mean_interval(b)
    return {"by_seed": np.array(means), "gain": np.array([diff.estimate, diff.low, diff.high]),
            "gain_se": np.array(diff.se),
            "half_width": np.array(diff.high - diff.estimate),
            "unpaired": np.array([diff.estimate, diff.estimate - 1.96 * math.hypot(one_dae.se, one_blur.se),
                                  diff.estimate + 1.96 * math.hypot(one_dae.se, one_blur.se)])}


def judge_gain_by_seed(answer, reference: dict, label: str = "03-4a") -> Verdict:
    """Exercise 03-4a: the mean PSNR gain (DAE minus Gaussian filter, dB) for noise seeds 0..4."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["by_seed"], dtype=np.float64)
    unit = 10.0 ** -GAIN_DECIMALS
    if a.shape != truth.shape:
        return wrong(label, "shape", f"모양이 {a.shape}입니다. 시드 {len(NOISE_SEEDS)}개마다 평균 하나, 모양 {truth.shape}로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "시드마다 다른 것은 오염의 무작위성뿐입니다: 같은 시험 이미지, 같은 모형입니다")
    fewer = fewer_digits(a, truth, GAIN_DECIMALS)
    if fewer is not None:
        return more_digits(label, GAIN_DECIMALS, fewer)
    if close(a, -truth, 0.0, unit + 1e-9):
        return wrong(label, "sign", "필터 - DAE입니다. DAE의 PSNR에서 가우스 필터의 PSNR을 빼십시오")
    if np.allclose(a, a[0]) and len(a) > 1:
        return wrong(label, "same-noise", "다섯 값이 모두 같습니다. 시드마다 gaussian_noise(subset, SIGMA, seed=s)로 오염을 새로 뽑으십시오")
    return wrong(label, "values", "시드 s마다 오염을 새로 뽑아, 이미지마다 PSNR(DAE) - PSNR(가우스 필터)을 구하고 평균하십시오 "
                 "(PSNR은 이미지마다: psnr(..., per_image=True))")


def judge_gain_interval(answer, reference: dict, label: str = "03-4b") -> Verdict:
    """Exercise 03-4b: seed 0's paired difference DAE minus filter: (estimate, low, high) of the 95 % interval, in dB."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["gain"], dtype=np.float64)
    unit = 10.0 ** -GAIN_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (추정값, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "이 구간은 시험 이미지의 표집만 반영합니다. 모형을 다시 학습하면 달라지는 몫은 들어 있지 않습니다")
    fewer = fewer_digits(a, truth, GAIN_DECIMALS)
    if fewer is not None:
        return more_digits(label, GAIN_DECIMALS, fewer)
    if close(a, -truth[[0, 2, 1]], 0.0, unit + 1e-9):
        return wrong(label, "sign", "필터 - DAE입니다. DAE의 PSNR에서 가우스 필터의 PSNR을 빼십시오")
    se = float(reference["gain_se"])
    if close(a, [truth[0], truth[0] - se, truth[0] + se], 0.0, unit + 1e-9):
        return wrong(label, "one-se", "추정값 ± 표준오차 하나입니다. 95 % 구간은 t 분위수(약 1.96)만큼 넓습니다")
    if close(a, reference["unpaired"], 0.0, unit + 1e-9):
        return wrong(label, "unpaired", "두 방법의 구간을 따로 구해 합친(짝짓지 않은) 구간입니다. 같은 이미지의 두 PSNR을 짝지어 "
                     "차이의 구간을 구하십시오(paired_difference)")
    return wrong(label, "values", "시드 0의 오염에서 이미지마다 PSNR(DAE)과 PSNR(가우스 필터)을 구해 "
                 "paired_difference(dae, filter)로 구하십시오")


@checker("03-4a")
def check_gain_by_seed(answer, dae_model, blur, clean, sigma) -> Verdict:
    """Exercise 03-4a: the mean PSNR gain of the DAE over the Gaussian filter for each noise seed 0..4."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("03-4a")
    reference = {} if is_unanswered(answer) else denoising_gain_reference(dae_model, blur, clean, sigma)
    return judge_gain_by_seed(answer, reference)


@checker("03-4b")
def check_gain_interval(answer, dae_model, blur, clean, sigma) -> Verdict:
    """Exercise 03-4b: seed 0's 95 % interval of the paired PSNR difference DAE minus Gaussian filter."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("03-4b")
    reference = {} if is_unanswered(answer) else denoising_gain_reference(dae_model, blur, clean, sigma)
    return judge_gain_interval(answer, reference)


CHOICES["03-4c"] = Choice(("a", "b"), "ca9eb208edc5673ab96d866efa11b33b1209dabe4f526695c3b914966ac87d91", "다섯 시드의 평균들의 표준편차와, (나)의 구간 반폭(상한 - 추정값)을 숫자로 나란히 놓으십시오")

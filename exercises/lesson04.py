"""Checkers of notebook 04's exercises (variational autoencoder): 04-1 .. 04-5."""

from __future__ import annotations

import math
import numbers

import numpy as np

from exercises.verdicts import (CHOICES, Case, Choice, FunctionExercise, GRADING, Verdict, answer_array,
                                      answer_number, cannot_check, checker, close, deferred, fewer_digits,
                                      is_unanswered, judge_number, more_digits, right, unanswered, wrong)

KL_DECIMALS = 3              # 04-1a: "소수 셋째 자리까지"
GAP_DECIMALS = 4             # 04-2: "소수 넷째 자리까지"
IS_GAP_DECIMALS = 2          # 04-5: "소수 둘째 자리까지"
EX04_Q, EX04_P = (1.0, 0.5), (-1.0, 2.0)   # exercise 04-1a: q = N(1, 0.5^2), p = N(-1, 2^2)
EX04_MODEL_SEED, EX04_P_DIM, EX04_K_DIM, EX04_S = 7, 3, 6, 0.8   # exercise 04-2's linear-Gaussian model
IS_IMAGES, IS_K = 500, 100   # exercise 04-5: the first 500 test images, K = 100 draws per image


def exercise_model() -> tuple[np.ndarray, np.ndarray, float]:
    """(W, b, s) of exercise 04-2: ``rng = default_rng(7)``, W = rng.normal(size=(6, 3)), b = rng.normal(size=6), s = 0.8."""
    rng = np.random.default_rng(EX04_MODEL_SEED)
    W = rng.normal(size=(EX04_K_DIM, EX04_P_DIM))
    b = rng.normal(size=EX04_K_DIM)
    return W, b, EX04_S


def _kl_normal(m_q: float, s_q: float, m_p: float, s_p: float) -> float:
    return math.log(s_p / s_q) + (s_q ** 2 + (m_q - m_p) ** 2) / (2 * s_p ** 2) - 0.5


@checker("04-1a")
def check_kl_number(answer) -> Verdict:
    """Exercise 04-1a: KL(N(1, 0.5^2) || N(-1, 2^2)), derived on paper."""
    label = "04-1a"
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    (m_q, s_q), (m_p, s_p) = EX04_Q, EX04_P
    truth = _kl_normal(m_q, s_q, m_p, s_p)
    verdict = judge_number(value, truth, label, KL_DECIMALS, [
        (_kl_normal(m_p, s_p, m_q, s_q), "swapped", "KL(p || q)를 계산했습니다. KL은 대칭이 아니므로 기댓값을 q로 취하십시오"),
        (truth + 0.5, "missing-half", "마지막의 -1/2를 빠뜨렸습니다 (E_q[(z - m_q)^2] / (2 s_q^2) = 1/2에서 나옵니다)"),
        (math.log(s_p ** 2 / s_q ** 2) + (s_q ** 2 + (m_q - m_p) ** 2) / (2 * s_p ** 2) - 0.5, "log-variance",
         "로그 항에 분산의 비를 썼습니다. log(s_p / s_q)는 표준편차의 비입니다 (분산이면 1/2 log)"),
        (math.log(s_p / s_q) + (s_q + (m_q - m_p) ** 2) / (2 * s_p) - 0.5, "sd-for-variance",
         "둘째 항에 분산 대신 표준편차를 넣었습니다"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다")],
        right_text="q에서 뽑은 표본으로 log q - log p를 평균한 몬테카를로 값과 비교해 보십시오")
    if verdict is not None:
        return verdict
    if value < 0:
        return wrong(label, "negative", "KL은 0 이상입니다 (젠센 부등식)")
    return wrong(label, "values", "E_q[log q(z) - log p(z)]를 정규밀도의 로그로 풀어 E_q[z] = m_q, "
                 "E_q[(z - m)^2] = s_q^2 + (m_q - m)^2를 쓰십시오")


def _kl_diag(mu_q, log_var_q, mu_p, log_var_p) -> np.ndarray:
    return 0.5 * np.sum(log_var_p - log_var_q + (np.exp(log_var_q) + (mu_q - mu_p) ** 2) / np.exp(log_var_p) - 1.0,
                        axis=-1)


def kl_diag_case(mu_q, log_var_q, mu_p, log_var_p) -> Case:
    """A Case of exercise 04-1b: the KL between diagonal normals, one value per row."""
    args = tuple(np.array(a, dtype=np.float64) for a in (mu_q, log_var_q, mu_p, log_var_p))
    mq, lq, mp, lp = args
    per_coordinate = 0.5 * (lp - lq + (np.exp(lq) + (mq - mp) ** 2) / np.exp(lp) - 1.0)
    extra = {"per-coordinate": per_coordinate, "swapped": _kl_diag(mp, lp, mq, lq),
             "mean-not-sum": per_coordinate.mean(axis=-1), "missing-half": _kl_diag(*args) + 0.5 * mq.shape[-1],
             "log-sd": _kl_diag(mq, 2 * lq, mp, 2 * lp), "sign": -_kl_diag(*args)}
    return Case(args, _kl_diag(*args), f"모양 {mq.shape}", extra)


def _kl_diag_public() -> list:
    rng = np.random.default_rng(4)
    general = [rng.normal(size=(5, 3)), rng.normal(0.0, 0.7, size=(5, 3)), rng.normal(size=(5, 3)),
               rng.normal(0.0, 0.7, size=(5, 3))]
    standard = [general[0], general[1], np.zeros((5, 3)), np.zeros((5, 3))]   # prior N(0, I): the lesson's loss
    return [tuple(general), tuple(standard)]


_KL_HINTS = {"swapped": "q와 p가 바뀌었습니다 (KL(p || q)). 기댓값은 q에 대해 취합니다",
             "mean-not-sum": "좌표에 대해 평균을 냈습니다. 독립인 좌표의 KL은 더해집니다(합)",
             "missing-half": "좌표마다의 -1/2(모두 -p/2)를 빠뜨렸습니다",
             "log-sd": "log_var를 로그 표준편차로 읽었습니다. log_var = log sigma^2이므로 sigma^2 = exp(log_var)입니다",
             "sign": "부호가 반대입니다. KL은 0 이상입니다"}


def _judge_kl_diag(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    if out.shape == case.truth.shape and close(out, case.truth, 1e-5, 1e-6):
        return None
    if out.shape == case.extra["per-coordinate"].shape:
        return wrong(label, "per-coordinate", f"모양이 {out.shape}: 좌표별 KL입니다. 독립인 p개 좌표의 KL을 더해 행마다 하나로 만드십시오")
    if out.shape != case.truth.shape:
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 입력이 (n, p)이면 결과는 (n,)입니다")
    for code, hint in _KL_HINTS.items():
        if close(out, case.extra[code], 1e-5, 1e-6):
            return wrong(label, code, hint)
    return wrong(label, "values", "좌표 하나의 KL = 1/2 [log s_p^2 - log s_q^2 + (s_q^2 + (m_q - m_p)^2) / s_p^2 - 1]을 더하십시오")


KL_DIAG = FunctionExercise("04-1b", "(mu_q, log_var_q, mu_p, log_var_p) -> 배열을 ", kl_diag_case, _kl_diag_public,
                           _judge_kl_diag, "사전분포가 N(0, I)이면 노트북의 추론 손실(kl_term)과 같아집니다")


@checker("04-1b")
def check_kl_diag_function(fn) -> Verdict:
    """Exercise 04-1b: ``fn(mu_q, log_var_q, mu_p, log_var_p)`` = KL between diagonal normals, one value per row."""
    return KL_DIAG.check(fn)


# --------------------------------------------------------------------------- 04-2
@checker("04-2")
def check_elbo_gap(answer, W=None, s=None) -> Verdict:
    """Exercise 04-2: log p(x) - ELBO for the best diagonal q in the model z ~ N(0, I), x|z ~ N(Wz + b, s^2 I).

    ``W`` and ``s`` default to the exercise's model (:func:`exercise_model`).
    """
    label = "04-2"
    default_W, _, default_s = exercise_model()
    W = default_W if W is None else W
    s = default_s if s is None else s
    try:
        W = np.asarray(W, dtype=np.float64)
    except (TypeError, ValueError):
        return cannot_check(label, f"W가 {type(W).__name__}입니다. 모형의 (k, p) 행렬을 넘기십시오")
    if W.ndim != 2 or W.size == 0:
        return cannot_check(label, f"W의 모양이 {W.shape}입니다. 모형의 (k, p) 행렬을 넘기십시오")
    if not np.all(np.isfinite(W)):
        return cannot_check(label, "W에 NaN이나 inf가 있습니다. 연습문제 셀이 만든 W_ex를 넘기십시오")
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (numbers.Real, np.number)) or not (
            math.isfinite(float(s)) and float(s) > 0):
        return cannot_check(label, f"s는 {s!r}입니다. 관측 잡음의 표준편차, 양의 실수를 넘기십시오")
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    precision = np.eye(W.shape[1]) + W.T @ W / float(s) ** 2
    truth = 0.5 * (float(np.sum(np.log(np.diag(precision)))) - float(np.linalg.slogdet(precision)[1]))
    verdict = judge_number(value, truth, label, GAP_DECIMALS, [
        (-truth, "sign", "부호가 반대입니다. 간격 log p(x) - ELBO = KL(q || p(z|x))는 0 이상입니다"),
        (2 * truth, "missing-half", "1/2를 빠뜨렸습니다 (정규분포 KL의 앞에 붙는 1/2)"),
        (0.0, "zero", "대각 q로는 간격이 0이 되지 않습니다: 참 사후분포의 공분산이 대각이 아닙니다")],
        right_text="간격은 x에 의존하지 않고, 참 사후분포의 공분산이 대각일 때만 0입니다")
    if verdict is not None:
        return verdict
    if value < 0:
        return wrong(label, "negative", "음수입니다. log p(x)나 ELBO 자체가 아니라 둘의 차이(0 이상)를 답하십시오")
    return wrong(label, "values", "가장 좋은 대각 q = N(m_post, diag(1 / Lambda_jj))를 KL(q || N(m_post, Lambda^-1))에 넣어 "
                 "정리하십시오 (Lambda = I + W^T W / s^2)")


# --------------------------------------------------------------------------- 04-3: log-mean-exp
def _logmeanexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.mean(np.exp(a - top), axis=axis))


def logmeanexp_case(a, axis) -> Case:
    """A Case of exercise 04-3: log(mean(exp(a), axis)) in float64 with the largest value shifted out."""
    a = np.array(a, dtype=np.float64)
    axis = int(axis)
    truth = _logmeanexp(a, axis)
    with np.errstate(all="ignore"):
        low = np.min(a, axis=axis, keepdims=True)
        extra = {"underflow": np.log(np.mean(np.exp(a), axis=axis)),
                 "overflow": np.squeeze(low, axis=axis) + np.log(np.mean(np.exp(a - low), axis=axis)),
                 "global-max": a.max() + np.log(np.mean(np.exp(a - a.max()), axis=axis)),
                 "mean-of-logs": a.mean(axis=axis), "missing-1/K": truth + np.log(a.shape[axis]),
                 "max-only": a.max(axis=axis)}
    return Case((a, axis), truth, f"a {a.shape}, axis={axis}", extra)


def _logmeanexp_public() -> list:
    rng = np.random.default_rng(5)
    columns = np.stack([rng.normal(-800.0, 3.0, 50),           # log-weights of MNIST's size: exp underflows
                        rng.normal(0.0, 3.0, 50),              # a column on another scale than the first
                        np.linspace(-1000.0, 0.0, 50),         # spread over 1,000 nats
                        np.full(50, -3.0)], axis=1)            # all equal
    return [(columns, 0), (rng.normal(size=(7, 3)), 1), (rng.normal(-1e4, 50.0, size=(4, 30, 2)), 1)]


_LOGMEANEXP_HINTS = {
    "underflow": "-inf나 NaN이 나옵니다: exp(-800)은 0으로 사라집니다. 최댓값을 빼고 exp를 취한 뒤 되더하십시오",
    "overflow": "inf나 NaN이 나옵니다: 가장 작은 값을 빼면 값들이 709 나트 넘게 흩어진 열에서 exp가 넘칩니다. 가장 큰 값을 빼십시오",
    "global-max": "배열 전체의 최댓값 하나를 뺐습니다. 척도가 다른 열에서는 exp가 0으로 사라지니, axis를 따라 각자의 최댓값을 빼십시오",
    "mean-of-logs": "로그의 평균입니다(ELBO 쪽). 평균의 로그는 젠센 부등식에 의해 그보다 큽니다",
    "missing-1/K": "1/K를 빠뜨렸습니다: log-sum-exp이지 log-mean-exp이 아닙니다",
    "max-only": "최댓값만 남았습니다. 나머지 항의 exp(a - max)도 더하십시오",
}


def _same(values: np.ndarray, target: np.ndarray) -> bool:
    """Equal shapes, non-finite in the same places, and close where finite."""
    target = np.asarray(target, dtype=np.float64)
    if values.shape != target.shape:
        return False
    finite = np.isfinite(values)
    if not np.array_equal(finite, np.isfinite(target)):
        return False
    return close(values[finite], target[finite], 1e-6, 1e-4)


def _judge_logmeanexp(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    truth = case.truth
    if out.shape != truth.shape:
        return wrong(label, "shape", f"{case.note}에서 모양이 {out.shape}입니다. 줄인 축이 빠진 {truth.shape}여야 합니다")
    values = out.astype(np.float64)
    if not np.all(np.isfinite(values)):
        return wrong(label, "not-finite", f"{case.note}에서 inf나 NaN이 나옵니다. exp가 넘치거나 0으로 사라지지 않도록 "
                     "axis를 따라 최댓값을 빼고 exp를 취한 뒤 되더하십시오")
    if close(values, truth, 1e-6, 1e-4):
        return None
    if close(values, truth, 1e-3, 1e-2):
        worst = float(np.max(np.abs(values - truth)))
        return wrong(label, "precision", f"{case.note}에서 값이 조금 다릅니다(가장 큰 차이 {worst:.2g}). float16처럼 정밀도가 "
                     "낮은 계산이나 근사를 쓰지 않았는지 보십시오 (float32면 충분합니다)")
    return wrong(label, "values", f"{case.note}에서 값이 다릅니다. log mean exp(a) = max + log mean exp(a - max), max는 axis를 따라")


def _judge_logmeanexp_all(label: str, cases, values) -> Verdict | None:
    """Name the mistake whose values explain every case (inf and NaN in the same places included)."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    for code, hint in _LOGMEANEXP_HINTS.items():
        if all(_same(v, case.extra[code]) for v, case in zip(arrays, cases)):
            return wrong(label, code, hint)
    return None


LOGMEANEXP = FunctionExercise("04-3", "(a, axis) -> 배열을 ", logmeanexp_case, _logmeanexp_public, _judge_logmeanexp,
                              "척도가 다른 열, 1,000 나트에 걸친 열, axis=1에서 모두 맞습니다. 이 함수로 K개의 가중치에서 "
                              "log p(x)를 추정합니다", judge_all=_judge_logmeanexp_all)


@checker("04-3")
def check_logmeanexp(fn) -> Verdict:
    """Exercise 04-3: ``fn(a, axis)`` = log(mean(exp(a), axis)) without overflow or underflow."""
    return LOGMEANEXP.check(fn)


CHOICES["04-3a"] = Choice(("a", "b", "c"), "b3b6999089ea49a89cd411db7ae0c1d3e74b8050c29f0b7fa4a1b30610621287",
                          "K마다 여러 번 뽑은 추정값의 평균을 비교하십시오")
CHOICES["04-3b"] = Choice(("a", "b", "c"), "fa4e3f1cd0742c010bf9c41cb8299cfe4d8b0e16ec4aa812060f471041cbe311",
                          "K마다 여러 번 뽑은 추정값의 표준편차를 비교하십시오")
CHOICES["04-4"] = Choice(("a", "b", "c"), "4728b058430f6136d1cedc2137fc2f390dba73bbd77ab06575163d2e2f6193f1",
                         "추론 손실을 끈 모형과 켠 모형의 mu(x) 표준편차와 sigma(x)의 크기를 비교하십시오")


# --------------------------------------------------------------------------- 04-5: the gap of two models, paired
def gap_reference(model_2, model_16, x_test, seed: int) -> dict:
    """What exercise 04-5 should find: per-image gaps log p(x) - ELBO of two VAEs and their paired difference.

    Both are importance-sampling estimates from ``importance_sampled_log_likelihood(encoder,
    decoder, x_test[:500], k=100, batch_size=100, seed=seed)``: its first result is the estimate of
    log p(x), its second the K-sample ELBO.
    """
    from utils.stats import paired_difference
    from utils.vae import importance_sampled_log_likelihood

    x = np.asarray(x_test)[:IS_IMAGES]
    gaps = []
    for model in (model_2, model_16):
        log_px, elbo = importance_sampled_log_likelihood(model.encoder, model.decoder, x, k=IS_K, batch_size=100,
                                                         seed=seed)
        gaps.append(np.asarray(log_px, dtype=np.float64) - np.asarray(elbo, dtype=np.float64))
    diff = paired_difference(gaps[1], gaps[0])
    return {"means": np.array([gaps[0].mean(), gaps[1].mean()]), "diff": np.array([diff.estimate, diff.low, diff.high]),
            "diff_se": np.array(diff.se)}


def judge_gap_means(answer, reference: dict, label: str = "04-5a") -> Verdict:
    """Exercise 04-5a: the mean gaps (p = 2, p = 16) in nats."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["means"], dtype=np.float64)
    unit = 10.0 ** -IS_GAP_DECIMALS
    if a.shape != (2,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (p = 2의 평균 간격, p = 16의 평균 간격) 두 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "간격은 대각 q가 참 사후분포를 얼마나 못 따라가는지의 평균입니다")
    fewer = fewer_digits(a, truth, IS_GAP_DECIMALS)
    if fewer is not None:
        return more_digits(label, IS_GAP_DECIMALS, fewer)
    if close(a, truth[::-1], 0.0, unit + 1e-9):
        return wrong(label, "order", "순서가 바뀌었습니다: (p = 2, p = 16)입니다")
    if close(a, -truth, 0.0, unit + 1e-9):
        return wrong(label, "sign", "ELBO - log p(x)입니다. 간격은 log p(x) - ELBO (0 이상)입니다")
    return wrong(label, "values", f"두 모형마다 importance_sampled_log_likelihood(..., x_test[:{IS_IMAGES}], k={IS_K}, "
                 "batch_size=100, seed=SEED)가 돌려주는 두 배열의 차이를 이미지마다 구해 평균하십시오")


def judge_gap_difference(answer, reference: dict, label: str = "04-5b") -> Verdict:
    """Exercise 04-5b: the paired difference gap(p = 16) - gap(p = 2): (estimate, low, high) of the 95 % interval."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["diff"], dtype=np.float64)
    unit = 10.0 ** -IS_GAP_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (추정값, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "같은 이미지의 두 간격을 짝지었으니, 이미지마다 다른 어려움이 차이에서 빠집니다")
    fewer = fewer_digits(a, truth, IS_GAP_DECIMALS)
    if fewer is not None:
        return more_digits(label, IS_GAP_DECIMALS, fewer)
    if close(a, -truth[[0, 2, 1]], 0.0, unit + 1e-9):
        return wrong(label, "sign", "p = 2에서 p = 16을 뺐습니다. gap(p = 16) - gap(p = 2)입니다")
    se = float(reference["diff_se"])
    if close(a, [truth[0], truth[0] - se, truth[0] + se], 0.0, unit + 1e-9):
        return wrong(label, "one-se", "추정값 ± 표준오차 하나입니다. 95 % 구간은 t 분위수(약 1.96)만큼 넓습니다")
    if abs(a[0] - truth[0]) <= unit + 1e-9:
        return wrong(label, "interval", "추정값은 맞고 구간이 다릅니다. 이미지마다의 두 간격을 paired_difference로 짝지으십시오")
    return wrong(label, "values", "이미지마다 gap(p = 16) - gap(p = 2)를 구해 paired_difference(gap_16, gap_2)로 구하십시오")


@checker("04-5a")
def check_gap_means(answer, model_2, model_16, x_test, seed) -> Verdict:
    """Exercise 04-5a: the mean gap log p(x) - ELBO on the first 500 test images, for p = 2 and p = 16."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("04-5a")
    reference = {} if is_unanswered(answer) else gap_reference(model_2, model_16, x_test, seed)
    return judge_gap_means(answer, reference)


@checker("04-5b")
def check_gap_difference(answer, model_2, model_16, x_test, seed) -> Verdict:
    """Exercise 04-5b: the 95 % interval of the paired difference of the two models' gaps."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("04-5b")
    reference = {} if is_unanswered(answer) else gap_reference(model_2, model_16, x_test, seed)
    return judge_gap_difference(answer, reference)

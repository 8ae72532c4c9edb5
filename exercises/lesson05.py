"""Checkers of notebook 05's exercises (conditional VAE and beta-VAE): 05-1 .. 05-5."""

from __future__ import annotations

import math

import numpy as np

from exercises.verdicts import (CHOICES, Case, Choice, FunctionExercise, GRADING, Verdict, answer_array,
                                      answer_number, checker, close, deferred, fewer_digits, is_unanswered,
                                      judge_number, more_digits, right, unanswered, wrong)

RATE_DECIMALS = 3            # 05-1: "소수 셋째 자리까지"
VARIANCE_DECIMALS = 3        # 05-2: "소수 셋째 자리까지"
LABEL_DECIMALS = 3           # 05-5: "소수 셋째 자리까지"
LABEL_IMAGES = 2000          # 05-5 uses the first 2,000 test images
EX05_MU = (1.5, -0.5, 0.0, 0.0)          # exercise 05-1: mu(x, y) of one image, p = 4
EX05_LOG_VAR = (-2.0, -0.5, 0.4, 0.0)    # and its log sigma^2(x, y)
EX05_W, EX05_S, EX05_BETA = 3.0, 1.0, 4.0   # exercise 05-2: x|z ~ N(w z, s^2), loss D + beta R


def _unit_kl(mu, log_var) -> np.ndarray:
    """1/2 (mu^2 + sigma^2 - 1 - log sigma^2) elementwise: the inference loss of each unit."""
    return 0.5 * (mu ** 2 + np.exp(log_var) - 1.0 - log_var)


@checker("05-1")
def check_rate_number(answer) -> Verdict:
    """Exercise 05-1: the rate R = KL(q(z|x, y) || N(0, I)) in nats for the mu and log_var of EX05_MU, EX05_LOG_VAR."""
    label = "05-1"
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    mu, log_var = np.array(EX05_MU), np.array(EX05_LOG_VAR)
    units = _unit_kl(mu, log_var)
    truth = float(units.sum())
    p = len(mu)
    verdict = judge_number(value, truth, label, RATE_DECIMALS, [
        (truth / math.log(2.0), "log2", "비트(log2) 단위입니다. 추론 손실은 자연로그, 곧 나트(nats)로 잽니다"),
        (2 * truth, "missing-half", "앞의 1/2을 빠뜨렸습니다"),
        (truth / p, "mean-not-sum", "좌표에 대해 평균을 냈습니다. 독립인 좌표의 KL은 더해집니다(합)"),
        (float(_unit_kl(mu, 2 * log_var).sum()), "log-sd", "log_var를 로그 표준편차로 읽었습니다. sigma^2 = exp(log_var)입니다"),
        (truth + p / 2, "missing-one", "좌표마다의 -1을 빠뜨렸습니다 (mu = 0, sigma = 1이면 KL이 0이어야 합니다)"),
        (-truth, "sign", "부호가 반대입니다. KL은 0 이상입니다"),
        (float(units[0]), "one-unit", "첫 좌표 하나의 KL입니다. p = 4개 좌표를 모두 더하십시오")],
        right_text="마지막 좌표(mu = 0, log sigma^2 = 0)는 이 이미지에서 q = N(0, 1)이라 R에 0을 보탭니다. 좌표가 붕괴했다고 "
                   "하려면 한 이미지가 아니라 모든 x에서 그 좌표의 KL이 0이어야 합니다")
    if verdict is not None:
        return verdict
    if value < 0:
        return wrong(label, "negative", "KL은 0 이상입니다 (젠센 부등식)")
    return wrong(label, "values", "좌표마다 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)를 계산해 더하십시오")


@checker("05-2")
def check_beta_variance(answer) -> Verdict:
    """Exercise 05-2: the variance v of the best q(z|x) = N(m, v) under D + beta R in the model x|z ~ N(w z, s^2)."""
    label = "05-2"
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    w, s, beta = EX05_W, EX05_S, EX05_BETA
    truth = beta * s ** 2 / (beta * s ** 2 + w ** 2)
    verdict = judge_number(value, truth, label, VARIANCE_DECIMALS, [
        (s ** 2 / (s ** 2 + w ** 2), "beta-ignored", "beta = 1일 때의 값(참 사후분산)입니다. 추론 손실에 곱한 beta를 넣으십시오"),
        (s ** 2 / (s ** 2 + beta * w ** 2), "beta-on-distortion", "beta를 재생 손실 쪽에 곱했습니다. beta는 추론 손실의 가중치입니다"),
        (math.sqrt(truth), "sd-not-variance", "표준편차입니다. 분산 v를 답하십시오"),
        (1.0 - truth, "complement", "1 - v입니다. v에 대한 미분을 0으로 놓은 식을 다시 풀어 보십시오"),
        (beta * s ** 2 / w ** 2, "missing-one", "KL의 v 항(v - log v)에서 나오는 1을 빠뜨렸습니다: 1/v = 1 + w^2 / (beta s^2)"),
        (1.0 / truth, "precision", "정밀도(1/v)입니다. 분산 v를 답하십시오")],
        right_text="beta = 1이면 참 사후분산이고, beta가 커질수록 사전분포의 분산 1에 다가갑니다")
    if verdict is not None:
        return verdict
    if not 0 < value <= 1:
        return wrong(label, "range", "이 모형에서 가장 좋은 v는 0과 1(사전분포의 분산) 사이입니다")
    return wrong(label, "values", "L_beta에서 v가 들어간 항만 모아 v로 미분하고 0으로 놓으십시오")


# --------------------------------------------------------------------------- 05-3a: KL of each unit
def kl_units_case(mu, log_var) -> Case:
    """A Case of exercise 05-3a: the mean over images of each unit's KL to N(0, 1), shape (p,)."""
    mu, log_var = np.array(mu, dtype=np.float64), np.array(log_var, dtype=np.float64)
    units = _unit_kl(mu, log_var)
    truth = units.mean(axis=0)
    extra = {"per-image": units.sum(axis=1), "axis": units.mean(axis=1), "sum-not-mean": units.sum(axis=0),
             "missing-half": 2 * truth, "log2": truth / math.log(2.0),
             "log-sd": _unit_kl(mu, 2 * log_var).mean(axis=0), "sign": -truth}
    return Case((mu, log_var), truth, f"mu {mu.shape}", extra)


def _kl_units_public() -> list:
    rng = np.random.default_rng(5)
    n, p = 50, 6
    mu = rng.normal(0.0, 1.0, size=(n, p)) * np.array([1.5, 1.0, 0.5, 0.1, 0.0, 0.0])
    log_var = rng.normal(-1.0, 0.5, size=(n, p)) * np.array([1.0, 1.0, 1.0, 0.3, 0.1, 0.0])
    return [(mu, log_var)]


_KL_UNIT_HINTS = {"sum-not-mean": "이미지에 대해 더했습니다. 이미지 하나당 값이 되도록 평균하십시오",
                  "missing-half": "앞의 1/2을 빠뜨렸습니다",
                  "log2": "비트(log2) 단위입니다. 나트(자연로그)로 계산하십시오",
                  "log-sd": "log_var를 로그 표준편차로 읽었습니다. sigma^2 = exp(log_var)입니다",
                  "sign": "부호가 반대입니다. KL은 0 이상입니다"}


def _judge_kl_units(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    truth = case.truth
    n, p = case.args[0].shape
    if out.shape == truth.shape and close(out, truth, 1e-5, 1e-7):
        return None
    if out.shape == (n, p):
        return wrong(label, "not-averaged", f"모양이 {out.shape}: 이미지마다의 값입니다. 이미지 축(axis 0)으로 평균하십시오")
    if out.shape == (n,):
        if close(out, case.extra["per-image"], 1e-5, 1e-7):
            return wrong(label, "per-image", "이미지마다의 전송률(좌표 합)입니다. 좌표마다 하나씩, 이미지에 대해 평균하십시오")
        return wrong(label, "axis", "좌표 축(axis 1)으로 줄였습니다. 이미지 축(axis 0)으로 평균하십시오")
    if out.size == 1:
        return wrong(label, "scalar", "숫자 하나입니다. 좌표마다 하나씩, 모양 (p,)으로 돌려주십시오")
    if out.shape != truth.shape:
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 입력이 (n, p)이면 결과는 (p,)입니다")
    for code, hint in _KL_UNIT_HINTS.items():
        if close(out, case.extra[code], 1e-5, 1e-7):
            return wrong(label, code, hint)
    return wrong(label, "values", "좌표 j마다 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)를 이미지들에 대해 평균하십시오")


KL_UNITS = FunctionExercise("05-3a", "(mu, log_var) -> 배열을 ", kl_units_case, _kl_units_public, _judge_kl_units,
                            "p개 값을 더하면 평균 전송률 R입니다. 0에 가까운 좌표가 사후분포 붕괴입니다")


@checker("05-3a")
def check_kl_per_unit_function(fn) -> Verdict:
    """Exercise 05-3a: ``fn(mu, log_var)`` with (n, p) inputs = the mean over images of each unit's KL, shape (p,)."""
    return KL_UNITS.check(fn)


# --------------------------------------------------------------------------- 05-3b: counting active units
def active_test_means(variances, offsets, n: int = 400, seed: int = 6) -> np.ndarray:
    """(n, p) encoder means whose units have exactly these variances (ddof 0) and these means."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n, len(variances)))
    noise = (noise - noise.mean(axis=0)) / noise.std(axis=0)
    return noise * np.sqrt(np.asarray(variances, dtype=np.float64)) + np.asarray(offsets, dtype=np.float64)


# Unit variances well away from every threshold asked (so ddof 0 or 1 both count the same), two
# constant units that are not 0 (their E[mu^2] is not their variance) and one that is.
_ACTIVE_VARIANCES = (1.0, 0.2, 0.03, 0.004, 0.0015, 0.0, 0.0, 0.0)
_ACTIVE_OFFSETS = (0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.05, 0.0)
ACTIVE_THRESHOLDS = (0.01, 0.05, 0.001)
_FIXED_THRESHOLD = 0.01


def active_case(mu, threshold) -> Case:
    """A Case of exercise 05-3b: the number of units whose variance over the images exceeds ``threshold``."""
    mu = np.array(mu, dtype=np.float64)
    t = float(threshold)
    variances = mu.var(axis=0)
    truth = int(np.sum(variances > t))
    extra = {"transposed": int(np.sum(mu.var(axis=1) > t)), "std-not-variance": int(np.sum(mu.std(axis=0) > t)),
             "not-centred": int(np.sum(np.mean(mu ** 2, axis=0) > t)), "inactive": int(np.sum(variances <= t)),
             "threshold-ignored": int(np.sum(variances > _FIXED_THRESHOLD)),
             "half-threshold": int(np.sum(variances > t / 2))}
    return Case((mu, t), truth, f"threshold = {t:g}", extra)


def _active_public() -> list:
    mu = active_test_means(_ACTIVE_VARIANCES, _ACTIVE_OFFSETS)
    return [(mu, t) for t in ACTIVE_THRESHOLDS]


_ACTIVE_HINTS = {
    "transposed": "이미지마다 좌표들에 걸친 분산을 썼습니다(축이 바뀜). 좌표 j마다 이미지들에 걸친 분산 Var_x(mu_j)를 구하십시오",
    "std-not-variance": "표준편차를 문턱값과 비교했습니다. 분산과 비교하십시오",
    "not-centred": "평균을 빼지 않은 E[mu_j^2]를 썼습니다. 모든 이미지에서 같은 값(0이 아니어도)을 내는 좌표는 정보가 없습니다: "
                   "분산을 쓰십시오",
    "inactive": "문턱값 이하인 좌표, 곧 붕괴한 좌표를 셌습니다",
    "threshold-ignored": "threshold 인자와 상관없이 같은 문턱값으로 셉니다. 넘겨받은 threshold를 쓰십시오",
    "half-threshold": "threshold의 절반과 비교했습니다. 분산을 threshold 그대로와 비교하십시오",
}


def _judge_active(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    n, p = case.args[0].shape
    if out.dtype.kind == "b" and out.size == 1:
        return wrong(label, "bool", "참/거짓(bool) 하나를 돌려줍니다. 활성 좌표의 개수(정수)를 돌려주십시오")
    if out.size != 1:
        if out.shape == (p,):
            return wrong(label, "not-counted", f"모양이 {out.shape}: 좌표마다의 값(분산이나 참/거짓)입니다. "
                         "활성 좌표의 개수 하나를 돌려주십시오")
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 활성 좌표의 개수(정수 하나)를 돌려주십시오")
    count = float(out.reshape(()))
    if count == case.truth:
        return None
    if count != round(count):
        return wrong(label, "not-integer", f"{case.note}에서 {count:g}: 개수는 정수입니다")
    return wrong(label, "values", f"{case.note}에서 센 개수가 다릅니다. 좌표 하나를 골라 그 분산을 직접 계산해 보고, "
                 "어느 축으로 줄였는지, threshold와 무엇을 비교했는지 확인하십시오")


def _judge_active_all(label: str, cases, values) -> Verdict | None:
    counts = [float(np.asarray(v).reshape(())) if np.size(v) == 1 else None for v in values]
    if any(c is None for c in counts):
        return None
    for code, hint in _ACTIVE_HINTS.items():
        if all(c == case.extra[code] for c, case in zip(counts, cases)):
            return wrong(label, code, hint)
    return None


ACTIVE = FunctionExercise("05-3b", "(mu, threshold) -> 정수를 ", active_case, _active_public, _judge_active,
                          "세 문턱값에서 모두 맞습니다. 이제 노트북의 beta = 4 모형에서 문턱값을 바꿔 가며 세어 보십시오",
                          want="count", judge_all=_judge_active_all)


@checker("05-3b")
def check_active_count_function(fn) -> Verdict:
    """Exercise 05-3b: ``fn(mu, threshold)`` = the number of units j with Var_x(mu_j(x)) > threshold (mu is (n, p))."""
    return ACTIVE.check(fn)


CHOICES["05-4"] = Choice(("a", "b", "c"), "3f82b460828061cc8726eef1121d0c109e3bf7a3e94108048c4b5d461839490b",
                         "측정값은 이 모형 하나의 것입니다. 모든 모형에서 성립하는 하한은 KL_j >= Var_x(mu_j) / 2에서 나옵니다")


# --------------------------------------------------------------------------- 05-5: the label is not free
def label_bound_reference(model, x_test, y_test, log_p_y, seed: int) -> dict:
    """What exercise 05-5 should find, from the conditional VAE ``model`` on the first 2,000 test images.

    For every digit c the conditional ELBO(x, c) is measured with
    ``evaluate_conditional_elbo(encoder, decoder, x, [c] * n, seed=seed)``. With the true label y,
    B = ELBO(x, y) + log p(y) bounds log p(x); without it, L = log sum_c p(c) exp(ELBO(x, c)) does,
    and L >= B. Returns the paired interval of L - B and the share of images whose
    argmax_c [ELBO(x, c) + log p(c)] is y, with its Wilson interval.
    """
    from utils.cvae import evaluate_conditional_elbo
    from utils.stats import binomial_interval, paired_difference

    x = np.asarray(x_test)[:LABEL_IMAGES]
    y = np.asarray(y_test).ravel()[:LABEL_IMAGES].astype(int)
    log_prior = np.asarray(log_p_y, dtype=np.float64).ravel()
    elbo = np.stack([np.asarray(evaluate_conditional_elbo(model.encoder, model.decoder, x, np.full(len(x), c),
                                                          seed=seed), dtype=np.float64) for c in range(10)], axis=1)
    joint = elbo + log_prior[None, :]
    top = joint.max(axis=1)
    mixture = top + np.log(np.exp(joint - top[:, None]).sum(axis=1))
    bound = joint[np.arange(len(y)), y]
    cost = paired_difference(mixture, bound)
    hits = int(np.sum(joint.argmax(axis=1) == y))
    share = binomial_interval(hits, len(y))
    no_prior = elbo.max(axis=1) + np.log(np.exp(elbo - elbo.max(axis=1)[:, None]).sum(axis=1))
    return {"cost": np.array([cost.estimate, cost.low, cost.high]), "cost_se": np.array(cost.se),
            "accuracy": np.array([share.estimate, share.low, share.high]), "hits": np.array(hits),
            "n": np.array(len(y)), "no_prior": np.array(float(np.mean(no_prior - bound)))}


def judge_label_cost(answer, reference: dict, label: str = "05-5a") -> Verdict:
    """Exercise 05-5a: mean of L - B over the images with its 95 % interval: (estimate, low, high), nats."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["cost"], dtype=np.float64)
    unit = 10.0 ** -LABEL_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (추정값, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "L - B는 언제나 0 이상입니다: 참 레이블의 항 하나가 이미 합 안에 들어 있으니까요. 이미지마다 "
                     "L - B는 p(c) e^ELBO(x, c)에 비례하는 분류기가 참 레이블에 주는 확률의 -log입니다")
    fewer = fewer_digits(a, truth, LABEL_DECIMALS)
    if fewer is not None:
        return more_digits(label, LABEL_DECIMALS, fewer)
    if close(a, -truth[[0, 2, 1]], 0.0, unit + 1e-9):
        return wrong(label, "sign", "B - L입니다. L(x) - B(x, y)는 0 이상입니다")
    if abs(a[0] - float(reference["no_prior"])) <= unit + 1e-9:
        return wrong(label, "no-prior", "L에서 log p(c)를 빠뜨렸습니다: L(x) = log sum_c p(c) exp(ELBO(x, c))입니다")
    se = float(reference["cost_se"])
    if close(a, [truth[0], truth[0] - se, truth[0] + se], 0.0, unit + 1e-9):
        return wrong(label, "one-se", "추정값 ± 표준오차 하나입니다. 95 % 구간은 t 분위수(약 1.96)만큼 넓습니다")
    if np.any(a < -unit):
        return wrong(label, "negative", "L(x) - B(x, y)는 음수가 될 수 없습니다: 합 안의 한 항이 exp(B)입니다")
    return wrong(label, "values", "레이블 c마다 ELBO(x, c)를 재어 (n, 10) 표를 만들고, L = log-sum-exp(ELBO + log p(c)), "
                 "B = ELBO(x, y) + log p(y)를 이미지마다 구해 paired_difference(L, B)로 구하십시오 "
                 "(합은 04의 log-mean-exp처럼 최댓값을 빼고)")


def judge_label_accuracy(answer, reference: dict, label: str = "05-5b") -> Verdict:
    """Exercise 05-5b: share of images whose argmax_c [ELBO(x, c) + log p(c)] is the true digit, with its Wilson interval."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["accuracy"], dtype=np.float64)
    unit = 10.0 ** -LABEL_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (비율, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "조건부 VAE는 레이블 없이 생성 모형만으로 분류기가 됩니다: 베이즈 규칙 p(y|x) ∝ p(y) p(x|y)")
    fewer = fewer_digits(a, truth, LABEL_DECIMALS)
    if fewer is not None:
        return more_digits(label, LABEL_DECIMALS, fewer)
    if close(a, 100 * truth, 0.0, 100 * unit + 1e-9):
        return wrong(label, "percent", "퍼센트로 답했습니다. 0과 1 사이의 비율로 답하십시오")
    if close(a[:1], 1 - truth[:1], 0.0, unit + 1e-9):
        return wrong(label, "error-rate", "틀린 비율입니다. 맞힌 비율을 답하십시오")
    if abs(a[0] - truth[0]) <= unit + 1e-9:
        n = float(reference["n"])
        p = truth[0]
        wald = p - 1.96 * math.sqrt(p * (1 - p) / n), p + 1.96 * math.sqrt(p * (1 - p) / n)
        if close(a[1:], wald, 0.0, unit + 1e-9):
            return wrong(label, "wald", "p ± 1.96 sqrt(p(1-p)/n) (왈드 구간)입니다. 1에 가까운 비율에서는 윌슨 구간"
                         "(utils.stats.binomial_interval)을 쓰십시오")
        return wrong(label, "interval", "비율은 맞고 구간이 다릅니다. binomial_interval(맞힌 수, n)을 쓰십시오")
    return wrong(label, "values", "이미지마다 ELBO(x, c) + log p(c)가 가장 큰 c를 골라 참 레이블과 비교하십시오")


@checker("05-5a")
def check_label_cost(answer, model, x_test, y_test, log_p_y, seed) -> Verdict:
    """Exercise 05-5a: the 95 % interval of L(x) - B(x, y), the bound without the label minus the bound with it."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("05-5a")
    reference = {} if is_unanswered(answer) else label_bound_reference(model, x_test, y_test, log_p_y, seed)
    return judge_label_cost(answer, reference)


@checker("05-5b")
def check_label_accuracy(answer, model, x_test, y_test, log_p_y, seed) -> Verdict:
    """Exercise 05-5b: the conditional VAE as a classifier: accuracy with its Wilson interval."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("05-5b")
    reference = {} if is_unanswered(answer) else label_bound_reference(model, x_test, y_test, log_p_y, seed)
    return judge_label_accuracy(answer, reference)


CHOICES["05-5c"] = Choice(("a", "b", "c"), "c7f895ef54d4fa8454084c2e4e01f999974311f3d82d6d9c42a0734fab32039a",
                          "L - B = log(1 + sum over c != y of p(c) e^ELBO(x, c) / (p(y) e^ELBO(x, y)))로 적어 보십시오")

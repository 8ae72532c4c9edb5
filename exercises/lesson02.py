"""Checkers of notebook 02's exercises (autoencoder and PCA): 02-1 .. 02-4."""

from __future__ import annotations

import math
import numbers

import numpy as np

from exercises.verdicts import (CHOICES, Case, Choice, FunctionExercise, GRADING, Verdict, answer_array,
                                      answer_number, cannot_check, checker, close, deferred, fewer_digits,
                                      is_unanswered, judge_number, more_digits, right, unanswered, wrong)

PCA_ERROR_DECIMALS = 2       # 02-1 asks for "소수 둘째 자리까지"
TRANSFER_DECIMALS = 3        # 02-4 asks for "소수 셋째 자리까지"
TRANSFER_SEEDS = (0, 1, 2, 3, 4)
TRANSFER_PER_CLASS = 10      # 10 labelled training images per digit: 100 labels
TRANSFER_FEATURES = ("pixels", "PCA-16", "AE-16")


# --------------------------------------------------------------------------- 02-1
def _discarded_variance(x: np.ndarray, k: int) -> tuple[float, float]:
    centred = x - x.mean(axis=0)
    eig = np.linalg.eigvalsh(centred.T @ centred / len(x))[::-1]
    eig = np.clip(eig, 0.0, None)
    return float(eig[k:].sum()), float(eig[:k].sum())


@checker("02-1")
def check_pca_error(answer, images, p: int) -> Verdict:
    """Exercise 02-1: the mean SSE per image of PCA with ``p`` components on ``images`` (the data it was fitted to)."""
    label = "02-1"
    try:
        x = np.asarray(images, dtype=np.float64)
    except (TypeError, ValueError):
        return cannot_check(label, f"images가 {type(images).__name__}입니다. 이미지 배열(n, 28, 28, 1)을 넘기십시오 (x_small)")
    if x.ndim < 2 or len(x) < 2:
        return cannot_check(label, f"images의 모양이 {x.shape}입니다. 이미지 여러 장의 배열을 넘기십시오 (x_small)")
    x = x.reshape(len(x), -1)
    if not np.all(np.isfinite(x)):
        return cannot_check(label, "images에 NaN이나 inf가 있습니다. 노트북의 x_small을 넘기십시오")
    d = x.shape[1]
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (numbers.Integral, np.integer)) or not 0 <= int(p) < d:
        return cannot_check(label, f"p는 {p!r}입니다. 0 이상 {d} 미만의 정수(남길 성분 수)를 주십시오, 예: p=16")
    k = int(p)
    value = answer_number(answer, label)
    if isinstance(value, Verdict):
        return value
    discarded, kept = _discarded_variance(x, k)
    n = len(x)
    verdict = judge_number(value, discarded, label, PCA_ERROR_DECIMALS, [
        (kept, "kept", "남긴 성분의 고윳값을 더했습니다. 재생 오차는 버린 방향의 분산입니다"),
        (discarded / d, "mean-not-sum", f"픽셀당 평균(/{d})입니다. 강의의 l(x, x~)는 {d}개 픽셀의 합입니다"),
        (discarded * n, "total", f"이미지 {n}장 전체의 합입니다. 이미지 하나당 평균으로 답하십시오"),
        (kept + discarded, "total-variance", "전체 분산(모든 고윳값의 합)입니다. p개 성분으로 설명하고 남는 부분만 더하십시오"),
        (discarded * n / (n - 1), "ddof", "공분산을 n - 1로 나눈 고윳값입니다. 재생 오차의 평균은 분모 n의 공분산과 맞습니다")],
        right_text="버린 고윳값의 합이 곧 이미지 하나당 제곱오차 합의 평균입니다. 실제 재생으로 잰 값과 비교해 보십시오")
    if verdict is not None:
        return verdict
    if value < 0:
        return wrong(label, "sign", "제곱오차의 합은 음수일 수 없습니다")
    return wrong(label, "values", "공분산 행렬(분모 n)의 고윳값을 큰 순서로 놓고, p번째 다음부터 더해 보십시오")


# --------------------------------------------------------------------------- 02-2
def sse_case(x, x_tilde) -> Case:
    """A Case of exercise 02-2: per-image sums of squared errors, from float64 copies."""
    x, x_tilde = np.array(x), np.array(x_tilde)
    diff = (x.astype(np.float64) - x_tilde.astype(np.float64)) ** 2
    truth = diff.reshape(len(x), -1).sum(axis=1)
    extra = {"batch-mean": float(truth.mean()), "batch-sum": float(truth.sum()), "pixel-mean": float(diff.mean()),
             "mean-not-sum": truth / diff[0].size, "norm": np.sqrt(truth), "sign": -truth}
    return Case((x, x_tilde), truth, f"이미지 {len(x)}장", extra)


def _sse_public() -> list:
    rng = np.random.default_rng(2)
    x = rng.random((5, 28, 28, 1)).astype(np.float32)
    x_tilde = np.clip(x + 0.2 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    return [(x, x_tilde)]


_SSE_HINTS = {"batch-mean": "배치 평균 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)으로 돌려주십시오",
              "batch-sum": "배치 전체의 합 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)으로 돌려주십시오",
              "pixel-mean": "모든 픽셀의 평균 하나입니다. 이미지마다 합을 내어 모양 (n,)으로 돌려주십시오",
              "mean-not-sum": "픽셀당 평균입니다. 강의의 l(x, x~)는 784개 픽셀의 합입니다(평균이 아님)",
              "norm": "제곱하지 않은 거리(노름)입니다. 제곱오차의 합은 제곱근을 씌우지 않습니다",
              "sign": "부호가 반대입니다. 제곱오차의 합은 0 이상입니다"}


def _judge_sse(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    truth = case.truth
    if out.shape == truth.shape and close(out, truth, 1e-4, 1e-6):
        return None
    if out.size == 1:
        scalar = float(out.reshape(()))
        for code in ("batch-mean", "batch-sum", "pixel-mean"):
            if math.isclose(scalar, case.extra[code], rel_tol=1e-4):
                return wrong(label, code if code != "pixel-mean" else "batch-mean", _SSE_HINTS[code])
        return wrong(label, "shape", "숫자 하나를 돌려줍니다. 이미지마다 하나씩, 모양 (n,)이어야 합니다")
    if out.shape != truth.shape:
        if out.size == case.args[0][0].size:
            return wrong(label, "axis", f"모양이 {out.shape}입니다. 이미지 축(axis 0)이 아니라 픽셀 축들로 더하십시오")
        return wrong(label, "shape", f"모양이 {out.shape}입니다. 이미지가 n장이면 (n,)이어야 합니다")
    for code in ("mean-not-sum", "norm", "sign"):
        if close(out, case.extra[code], 1e-4, 1e-6):
            return wrong(label, code, _SSE_HINTS[code])
    return wrong(label, "values", "값이 다릅니다. (x - x_tilde)**2를 이미지마다 모든 픽셀에 대해 더하십시오")


SSE = FunctionExercise("02-2", "(x, x_tilde) -> 배열을 ", sse_case, _sse_public, _judge_sse,
                       "이미지마다 784개 픽셀의 제곱오차를 더한 값입니다")


@checker("02-2")
def check_sse_function(fn) -> Verdict:
    """Exercise 02-2: ``fn(x, x_tilde)`` returns l(x, x~) = sum of squared errors, one value per image."""
    return SSE.check(fn)


# --------------------------------------------------------------------------- 02-3
def _principal_cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    qa, _ = np.linalg.qr(A)
    qb, _ = np.linalg.qr(B)
    return np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0.0, 1.0)


def cosines_case(A, B) -> Case:
    """A Case of exercise 02-3: the cosines of the principal angles between the column spaces of A and B."""
    A, B = np.array(A, dtype=float), np.array(B, dtype=float)
    truth = np.sort(_principal_cosines(A, B))
    extra = {"not-orthonormal": np.sort(np.linalg.svd(A.T @ B, compute_uv=False)),
             "angles": np.sort(np.arccos(truth)), "degrees": np.sort(np.degrees(np.arccos(truth)))}
    return Case((A, B), truth, f"A {A.shape}, B {B.shape}", extra)


def _cosines_public() -> list:
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 4)) * np.array([5.0, 1.0, 0.3, 2.0])   # columns neither unit nor orthogonal
    B = A @ rng.standard_normal((4, 4)) + 0.3 * rng.standard_normal((30, 4))
    return [(A, B)]


def _judge_cosines(label: str, case: Case, out: np.ndarray) -> Verdict | None:
    if out.ndim == 2:
        return wrong(label, "matrix", f"모양이 {out.shape}인 행렬입니다. 그 행렬의 특이값(singular values)이 코사인입니다")
    if out.shape != case.truth.shape:
        return wrong(label, "shape", f"{case.note}에서 모양이 {out.shape}입니다. 두 부분공간이 p차원이면 코사인도 p개입니다")
    got = np.sort(out.astype(np.float64))
    if close(got, case.truth, 1e-5, 1e-6):
        return None
    if close(got, case.extra["not-orthonormal"], 1e-5, 1e-6):
        return wrong(label, "not-orthonormal", "A^T B의 특이값을 그대로 썼습니다. 먼저 열들을 정규직교화(np.linalg.qr)하십시오")
    if close(got, case.extra["angles"], 1e-5, 1e-6) or close(got, case.extra["degrees"], 1e-5, 1e-4):
        return wrong(label, "angles", "각도를 돌려줍니다. 각도가 아니라 그 코사인을 답하십시오")
    return wrong(label, "values", "값이 다릅니다. 정규직교 기저 Q_A, Q_B를 만들고 Q_A^T Q_B의 특이값을 구하십시오")


COSINES = FunctionExercise("02-3", "(A, B) -> 코사인 배열을 ", cosines_case, _cosines_public, _judge_cosines,
                           "코사인이 1에 가까울수록 두 부분공간이 그 방향에서 겹칩니다")


@checker("02-3")
def check_principal_cosines(fn) -> Verdict:
    """Exercise 02-3: ``fn(A, B)``: cosines of the principal angles between the column spaces of A and B."""
    return COSINES.check(fn)


# --------------------------------------------------------------------------- 02-4: transfer to a classifier
def labelled_subset(labels, per_class: int = TRANSFER_PER_CLASS, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` images of each digit 0-9, drawn without replacement with ``seed``.

    Exercise 02-4 uses it to pick the 100 labelled training images of one repetition; the same
    seed gives the same images. Digits are drawn in order 0, 1, ..., 9 from one generator.
    """
    y = np.asarray(labels).ravel()
    rng = np.random.default_rng(seed)
    picks = []
    for digit in range(10):
        pool = np.flatnonzero(y == digit)
        if len(pool) < per_class:
            raise ValueError(f"labels hold {len(pool)} images of digit {digit}; expected at least {per_class}")
        picks.append(rng.choice(pool, size=per_class, replace=False))
    return np.concatenate(picks)


def nearest_neighbour_labels(train_features, train_labels, test_features) -> np.ndarray:
    """The label of each test point's nearest training point (Euclidean; 1-NN)."""
    from scipy.spatial import cKDTree

    train = np.asarray(train_features, dtype=np.float64).reshape(len(train_features), -1)
    test = np.asarray(test_features, dtype=np.float64).reshape(len(test_features), -1)
    _, nearest = cKDTree(train).query(test, k=1)
    return np.asarray(train_labels).ravel()[nearest]


def transfer_reference(autoencoder, pca, x_train, y_train, x_test, y_test) -> dict:
    """What exercise 02-4 should find, computed from the lesson's objects.

    ``autoencoder`` is the p = 16 model (its layer "encoder" gives the codes), ``pca`` the lesson's
    fitted PCA (its first 16 components are used). Returns the accuracies (seeds x features), the
    seed-0 paired difference AE - PCA of per-image correctness (estimate, low, high) and what
    typical mistakes would give.
    """
    from utils.autoencoder import predict_in_batches
    from utils.stats import paired_difference

    encoder = autoencoder.get_layer("encoder") if hasattr(autoencoder, "get_layer") else autoencoder
    pca16 = pca.truncate(16)
    x_train, x_test = np.asarray(x_train), np.asarray(x_test)
    y_train, y_test = np.asarray(y_train).ravel(), np.asarray(y_test).ravel()
    test_features = {"pixels": x_test.reshape(len(x_test), -1), "PCA-16": pca16.encode(x_test),
                     "AE-16": predict_in_batches(encoder, x_test)}
    acc = np.zeros((len(TRANSFER_SEEDS), len(TRANSFER_FEATURES)))
    correct0 = {}
    for row, seed in enumerate(TRANSFER_SEEDS):
        idx = labelled_subset(y_train, TRANSFER_PER_CLASS, seed)
        x_lab = x_train[idx]
        train_features = {"pixels": x_lab.reshape(len(x_lab), -1), "PCA-16": pca16.encode(x_lab),
                          "AE-16": predict_in_batches(encoder, x_lab)}
        for col, name in enumerate(TRANSFER_FEATURES):
            hit = nearest_neighbour_labels(train_features[name], y_train[idx], test_features[name]) == y_test
            acc[row, col] = hit.mean()
            if seed == TRANSFER_SEEDS[0]:
                correct0[name] = hit.astype(np.float64)
    diff = paired_difference(correct0["AE-16"], correct0["PCA-16"])
    a, b = correct0["AE-16"], correct0["PCA-16"]
    unpaired_se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return {"acc": acc, "gain": np.array([diff.estimate, diff.low, diff.high]), "gain_se": np.array(diff.se),
            "gain_unpaired": np.array([diff.estimate, diff.estimate - 1.96 * unpaired_se,
                                       diff.estimate + 1.96 * unpaired_se]),
            "n_test": np.array(len(y_test))}


def judge_transfer_accuracy(answer, reference: dict, label: str = "02-4a") -> Verdict:
    """Exercise 02-4a: accuracies of 1-NN on 100 labels, rows = seeds 0..4, columns = pixels, PCA-16, AE-16."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["acc"], dtype=np.float64)
    unit = 10.0 ** -TRANSFER_DECIMALS
    if a.shape == truth.T.shape and a.shape != truth.shape:
        return wrong(label, "transposed", f"모양이 {a.shape}입니다. 행은 시드 {len(TRANSFER_SEEDS)}개, "
                     f"열은 특징 {len(TRANSFER_FEATURES)}개(화소, PCA-16, AE-16)로 {truth.shape}입니다")
    if a.shape != truth.shape:
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (시드 {len(TRANSFER_SEEDS)}개) x (특징 {len(TRANSFER_FEATURES)}개) "
                     f"= {truth.shape}로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "시드마다 정확도가 얼마나 흔들리는지, 세 특징의 순서가 시드마다 같은지 보십시오")
    fewer = fewer_digits(a, truth, TRANSFER_DECIMALS)
    if fewer is not None:
        return more_digits(label, TRANSFER_DECIMALS, fewer)
    if close(a, 100 * truth, 0.0, 100 * unit + 1e-9):
        return wrong(label, "percent", "퍼센트로 답했습니다. 0과 1 사이의 비율로 답하십시오")
    if close(a, 1 - truth, 0.0, unit + 1e-9):
        return wrong(label, "error-rate", "오분류율(1 - 정확도)입니다. 맞힌 비율을 답하십시오")
    for perm in ([1, 0, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0], [2, 0, 1]):
        if close(a, truth[:, perm], 0.0, unit + 1e-9):
            return wrong(label, "columns", "열의 순서가 다릅니다. 열은 화소, PCA-16, AE-16 순서입니다")
    ok_rows = [i for i in range(len(truth)) if close(a[i], truth[i], 0.0, unit + 1e-9)]
    ok_cols = [j for j in range(truth.shape[1]) if close(a[:, j], truth[:, j], 0.0, unit + 1e-9)]
    if ok_cols:
        names = [TRANSFER_FEATURES[j] for j in range(truth.shape[1]) if j not in ok_cols]
        return wrong(label, "some-features", f"{', '.join(names)} 열이 다릅니다. 그 특징을 만드는 과정(훈련 100장과 "
                     "시험 이미지에 같은 변환)을 확인하십시오")
    if ok_rows:
        return wrong(label, "some-seeds", f"시드 {', '.join(str(TRANSFER_SEEDS[i]) for i in range(len(truth)) if i not in ok_rows)}의 "
                     "행이 다릅니다. labelled_subset(y_train, seed=s)로 시드마다 100장을 새로 뽑으십시오")
    return wrong(label, "values", "값이 다릅니다. 시드마다 labelled_subset으로 100장을 뽑고, 특징마다 1-최근접 이웃의 "
                 "레이블로 시험 이미지를 분류해 맞힌 비율을 재십시오")


def judge_transfer_gain(answer, reference: dict, label: str = "02-4b") -> Verdict:
    """Exercise 02-4b: seed 0, per-image correctness AE-16 minus PCA-16: (estimate, low, high) of the 95 % interval."""
    if is_unanswered(answer):
        return unanswered(label)
    a = answer_array(answer, label)
    if isinstance(a, Verdict):
        return a
    truth = np.asarray(reference["gain"], dtype=np.float64)
    unit = 10.0 ** -TRANSFER_DECIMALS
    if a.shape != (3,):
        return wrong(label, "shape", f"모양이 {a.shape}입니다. (추정값, 하한, 상한) 세 숫자로 답하십시오")
    if close(a, truth, 0.0, unit + 1e-9):
        return right(label, "이 구간은 시험 이미지의 표집만 반영합니다: 어떤 100장에 레이블이 붙었는지(시드)는 고정입니다")
    fewer = fewer_digits(a, truth, TRANSFER_DECIMALS)
    if fewer is not None:
        return more_digits(label, TRANSFER_DECIMALS, fewer)
    if close(a, -truth[[0, 2, 1]], 0.0, unit + 1e-9):
        return wrong(label, "sign", "PCA - AE입니다. AE-16에서 PCA-16을 빼십시오")
    if close(a, 100 * truth, 0.0, 100 * unit + 1e-9):
        return wrong(label, "percent", "퍼센트 포인트로 답했습니다. 비율의 차이(0과 1 사이의 척도)로 답하십시오")
    se = float(reference["gain_se"])
    if close(a, [truth[0], truth[0] - se, truth[0] + se], 0.0, unit + 1e-9):
        return wrong(label, "one-se", "추정값 ± 표준오차 하나입니다. 95 % 구간은 t 분위수(약 1.96)만큼 넓습니다: "
                     "utils.stats.paired_difference를 쓰십시오")
    if close(a, reference["gain_unpaired"], 0.0, unit + 1e-9):
        return wrong(label, "unpaired", "두 정확도의 표준오차를 따로 합친 (짝짓지 않은) 구간입니다. 같은 시험 이미지에서 "
                     "잰 것이므로 이미지마다의 차이로 구간을 구하십시오(paired_difference)")
    if abs(a[0] - truth[0]) <= unit + 1e-9:
        return wrong(label, "interval", "추정값은 맞고 구간이 다릅니다. 이미지마다 (AE가 맞힘) - (PCA가 맞힘)을 0/1로 두고 "
                     "paired_difference로 구하십시오")
    return wrong(label, "values", "시드 0의 100장으로 분류한 결과에서, 시험 이미지마다 AE-16과 PCA-16이 맞혔는지(1/0)를 "
                 "짝지어 차이를 구하십시오")


@checker("02-4a")
def check_transfer_accuracy(answer, autoencoder, pca, x_train, y_train, x_test, y_test) -> Verdict:
    """Exercise 02-4a: the 5 x 3 accuracies (seeds x features) of 1-NN on 100 labelled images."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("02-4a")
    reference = transfer_reference(autoencoder, pca, x_train, y_train, x_test, y_test) if not is_unanswered(answer) else {}
    return judge_transfer_accuracy(answer, reference)


@checker("02-4b")
def check_transfer_gain(answer, autoencoder, pca, x_train, y_train, x_test, y_test) -> Verdict:
    """Exercise 02-4b: the seed-0 paired difference of correctness, AE-16 minus PCA-16, with its 95 % interval."""
    if GRADING["active"] and not is_unanswered(answer):
        return deferred("02-4b")
    reference = transfer_reference(autoencoder, pca, x_train, y_train, x_test, y_test) if not is_unanswered(answer) else {}
    return judge_transfer_gain(answer, reference)


CHOICES["02-4c"] = Choice(("a", "b", "c"), "31585fe573466277b64838674169d612ad45af49958bccd75f504ac0ba638e22", "시드 다섯 개에서 AE-16과 PCA-16의 정확도 차이가 얼마나 흔들리는지와, "
                          "(나)의 구간 폭을 나란히 놓으십시오")

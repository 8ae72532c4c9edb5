"""The exercise checkers (exercises): each accepts the worked answer, names typical mistakes, says
"not answered yet" for None / ... without raising, and holds the safety rules of ``verdicts``."""

import math
from statistics import NormalDist

import numpy as np
import pytest

import exercises as ex
from exercises import NOT_ANSWERED, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06
from exercises.verdicts import CHOICES, call_safely, choice_hash, judge_number
from utils.transpose_conv import conv_matrix

K = np.arange(1, 10).reshape(3, 3)


def verdict(check, *args, **kwargs):
    result = check(*args, **kwargs)
    assert isinstance(result, ex.Verdict)
    return result.status, result.code


def assert_right(check, *args, **kwargs):
    assert verdict(check, *args, **kwargs) == ("right", "right")


def assert_hint(code, check, *args, **kwargs):
    assert verdict(check, *args, **kwargs) == ("wrong", code)


# ------------------------------------------------------------------ unanswered cells never raise
UNANSWERED_CALLS = [
    (ex.check_conv_matrix_same, ()), (ex.check_transposed_conv_output, ()), (ex.check_stamp_function, ()),
    (ex.check_nonzero_count, ()), (ex.check_flat_kernel_sizes, ()), (ex.check_sse_function, ()),
    (ex.check_principal_cosines, ()), (ex.check_psnr_function, ()), (ex.check_posterior_mean, ()),
    (ex.check_kl_number, ()), (ex.check_kl_diag_function, ()), (ex.check_logmeanexp, ()),
    (ex.check_pca_error, (np.zeros((3, 2, 2)), 1)), (ex.check_clipped_noise_mean, (0.5,)),
    (ex.check_elbo_gap, (np.ones((5, 2)), 0.5)), (ex.check_rate_number, ()), (ex.check_beta_variance, ()),
    (ex.check_kl_per_unit_function, ()), (ex.check_active_count_function, ()),
    (ex.check_gray_psnr, (np.full((2, 2, 3), [0.8, 0.2, 0.1]),)),
    (ex.check_auc_function, ()), (ex.check_threshold_function, ()),
    (ex.check_transfer_accuracy, (None,) * 6), (ex.check_transfer_gain, (None,) * 6),
    (ex.check_gain_by_seed, (None,) * 4), (ex.check_gain_interval, (None,) * 4),
    (ex.check_gap_means, (None,) * 4), (ex.check_gap_difference, (None,) * 4),
    (ex.check_label_cost, (None,) * 5), (ex.check_label_accuracy, (None,) * 5),
    (ex.check_ordered_false_alarm, (np.arange(10.0),)), (ex.check_random_false_alarm, (np.arange(10.0),)),
]


@pytest.mark.parametrize("check, extra", UNANSWERED_CALLS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("answer", [None, ...], ids=["None", "Ellipsis"])
def test_unanswered_prints_not_answered_yet(check, extra, answer, capsys):
    result = check(answer, *extra)
    assert result.status == "unanswered" and not result
    out = capsys.readouterr().out
    assert NOT_ANSWERED in out and out.count("\n") == 1


FUNCTION_CHECKS = (ex.check_stamp_function, ex.check_sse_function, ex.check_principal_cosines, ex.check_psnr_function,
                   ex.check_kl_diag_function, ex.check_logmeanexp, ex.check_kl_per_unit_function,
                   ex.check_active_count_function, ex.check_auc_function, ex.check_threshold_function)


def test_a_function_whose_body_is_still_ellipsis_counts_as_unanswered(capsys):
    def todo(*args):
        """The template's docstring."""
        ...
    for check in FUNCTION_CHECKS:
        assert check(todo).status == "unanswered"
    assert capsys.readouterr().out.count(NOT_ANSWERED) == len(FUNCTION_CHECKS)


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_a_forgotten_return_has_its_own_verdict(check):
    def forgot(*args):
        result = np.zeros(3)   # noqa: F841 -- computed, never returned
    assert verdict(check, forgot) == ("wrong", "no-return")


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_a_function_that_never_ends_gets_a_time_limit_verdict(check):
    function = next(e.function for e in ex.EXERCISES if e.checker is check)

    def forever(*args):
        while True:
            pass
    old = function.time_limit
    object.__setattr__(function, "time_limit", 0.3)     # the exercise's limit, shortened for the test
    try:
        result = check(forever)
    finally:
        object.__setattr__(function, "time_limit", old)
    assert (result.status, result.code) == ("timeout", "timeout")
    assert "시간 초과" in result.message


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_complex_object_and_text_results_are_named(check):
    assert verdict(check, lambda *a: np.ones(3) * (1 + 1j)) == ("wrong", "complex")
    assert verdict(check, lambda *a: [np.ones(2), np.ones(3)]) == ("wrong", "not-numeric")
    assert verdict(check, lambda *a: "answer") == ("wrong", "not-numeric")
    assert verdict(check, lambda *a: 1 / 0) == ("wrong", "raised")
    assert verdict(check, np.zeros(3)) == ("wrong", "not-callable")


def test_a_function_that_overwrites_its_inputs_is_judged_on_what_it_returns():
    """The right result comes from pristine copies: in-place work is fine, a constant is not."""
    def in_place(x, t):
        x -= t
        x **= 2
        return x.reshape(len(x), -1).sum(axis=1)

    def vandal(x, t):
        x[...] = 0
        t[...] = 0
        return np.zeros(len(x))
    assert_right(ex.check_sse_function, in_place)
    assert verdict(ex.check_sse_function, vandal)[0] == "wrong"

    def psnr_in_place(c, e):
        c -= e
        return float(np.mean(10 * np.log10(1 / np.mean((c ** 2).reshape(len(c), -1), axis=1))))
    assert_right(ex.check_psnr_function, psnr_in_place)

    def kl_in_place(mq, lq, mp, lp):
        mq -= mp
        return 0.5 * np.sum(lp - lq + (np.exp(lq) + mq ** 2) / np.exp(lp) - 1, axis=-1)
    assert_right(ex.check_kl_diag_function, kl_in_place)

    def units_in_place(mu, lv):
        mu **= 2
        return np.mean(0.5 * (mu + np.exp(lv) - 1 - lv), axis=0)
    assert_right(ex.check_kl_per_unit_function, units_in_place)
    assert verdict(ex.check_kl_per_unit_function, lambda m, lv: (m.fill(0), np.zeros(m.shape[1]))[1])[0] == "wrong"


def test_verdict_displays_nothing_in_a_notebook():
    assert ex.Verdict("right", "right", "x")._ipython_display_() is None
    assert bool(ex.Verdict("right", "right", "x")) and not ex.Verdict("wrong", "sign", "x")


def test_quiet_checkers_print_nothing(capsys):
    with ex.quiet():
        assert ex.check_nonzero_count(3).status == "wrong"
    assert capsys.readouterr().out == ""


def test_messages_never_print_the_answer(capsys):
    truth = conv_matrix(K, (4, 4), 2, "same")
    ex.check_nonzero_count(1764)
    ex.check_kl_number(14.11)
    ex.check_posterior_mean(0.7)
    out = capsys.readouterr().out
    assert "1681" not in out and "1.417" not in out and "0.68" not in out
    ex.check_conv_matrix_same(truth.T)
    assert str(truth[1].tolist()) not in capsys.readouterr().out


# ------------------------------------------------------------------ every failure becomes a verdict
@pytest.mark.parametrize("answer", [10 ** 400, "1.5", [1, [2, 3]], np.broadcast_to(0.0, (10 ** 6, 10 ** 6)),
                                    float("nan"), np.inf, True, 1 + 2j, {"a": 1}],
                         ids=["huge-int", "text", "ragged", "huge-view", "nan", "inf", "bool", "complex", "dict"])
@pytest.mark.parametrize("check", [ex.check_nonzero_count, ex.check_kl_number, ex.check_rate_number,
                                   ex.check_conv_matrix_same, ex.check_flat_kernel_sizes, ex.check_posterior_mean],
                         ids=lambda c: c.__name__)
def test_bad_answers_become_verdicts(check, answer):
    result = check(answer)
    assert result.status == "wrong" and result.message.startswith("[")


def test_bad_checker_arguments_become_verdicts():
    assert verdict(ex.check_pca_error, 3.0, np.zeros((5, 2, 2)), -1) == ("error", "bad-argument")
    assert verdict(ex.check_pca_error, 3.0, np.zeros((5, 2, 2)), None) == ("error", "bad-argument")
    assert verdict(ex.check_pca_error, 3.0, np.zeros((5, 2, 2)), 2.5) == ("error", "bad-argument")
    nan_images = np.zeros((5, 2, 2))
    nan_images[0, 0, 0] = np.nan                                   # eigvalsh would raise LinAlgError
    assert verdict(ex.check_pca_error, 3.0, nan_images, 1) == ("error", "bad-argument")
    W = np.random.default_rng(0).normal(size=(5, 2))
    assert verdict(ex.check_elbo_gap, 0.3, W, 0) == ("error", "bad-argument")
    assert verdict(ex.check_elbo_gap, 0.3, W, -0.5) == ("error", "bad-argument")
    assert verdict(ex.check_elbo_gap, 0.3, np.full((5, 2), np.nan), 0.5) == ("error", "bad-argument")
    assert verdict(ex.check_clipped_noise_mean, 0.2, -1.0) == ("error", "bad-argument")
    assert verdict(ex.check_clipped_noise_mean, 0.2, "0.5") == ("error", "bad-argument")
    assert verdict(ex.check_flat_kernel_sizes, [3, 6, 9], stride=0) == ("error", "bad-argument")
    black = np.zeros((4, 4, 3))                                    # grey version equals the photo: MSE 0
    assert verdict(ex.check_gray_psnr, 20.0, black) == ("error", "bad-argument")
    assert verdict(ex.check_gray_psnr, 20.0, np.zeros((4, 4))) == ("error", "bad-argument")
    assert verdict(ex.check_choice, "09-9", "a") == ("error", "bad-argument")


def test_numpy_scalars_are_numbers():
    sigma = np.float32(0.5)
    assert_right(ex.check_clipped_noise_mean, lesson03.clipped_black_pixel_mean(0.5), sigma)
    assert_right(ex.check_clipped_noise_mean, np.float32(lesson03.clipped_black_pixel_mean(0.5)), 0.5)
    assert_right(ex.check_nonzero_count, np.int64(1681))


def test_checker_calls_reach_the_answer_log():
    seen = []
    ex.verdicts.ANSWER_LOG.append(lambda label, args: seen.append((label, args[0] if label != "02-4c" else args[1])))
    try:
        with ex.quiet():
            ex.check_nonzero_count(7)
            ex.check_choice("02-4c", "b")
    finally:
        ex.verdicts.ANSWER_LOG.pop()
    assert seen == [("01-4", 7), ("02-4c", "b")]


# ------------------------------------------------------------------ precision stated by the exercise
def test_judge_number_precision_and_more_digits():
    truth = 1.4175443
    assert judge_number(1.418, truth, "x", 3).status == "right"
    assert judge_number(1.417, truth, "x", 3).status == "right"          # truncated also within one unit
    assert judge_number(truth, truth, "x", 3).status == "right"
    assert judge_number(1.42, truth, "x", 3).code == "more-digits"
    assert judge_number(1.4, truth, "x", 3).code == "more-digits"
    assert judge_number(1.43, truth, "x", 3) is None                       # not a rounding of the truth
    assert judge_number(1.4196, truth, "x", 3) is None                     # many digits, but wrong
    assert judge_number(2.0, truth, "x", 3, [(2.0, "m", "hint")]).code == "m"


@pytest.mark.parametrize("check, truth, decimals", [
    (ex.check_kl_number, math.log(4) + 4.25 / 8 - 0.5, 3),
    (ex.check_rate_number, 1.9168429, 3),
    (ex.check_beta_variance, 4 / 13, 3),
    (ex.check_posterior_mean, 1 / (1 + math.exp(-0.8)), 4),
    (ex.check_clipped_noise_mean, None, 4),
], ids=["04-1a", "05-1", "05-2", "03-3", "03-1"])
def test_rounded_answers_to_the_stated_precision_are_right_and_fewer_digits_are_told(check, truth, decimals):
    extra = (0.5,) if check is ex.check_clipped_noise_mean else ()
    if truth is None:
        truth = lesson03.clipped_black_pixel_mean(0.5)
    assert_right(check, round(truth, decimals), *extra)
    assert_right(check, np.float32(truth), *extra)
    fewer = round(truth, decimals - 1)
    if abs(fewer - truth) <= 10 ** -decimals:      # the shorter rounding happens to be right to the precision asked
        fewer = math.floor(truth * 10 ** (decimals - 1)) / 10 ** (decimals - 1)
    assert_hint("more-digits", check, fewer, *extra)
    assert "자릿수를 더 주십시오" in check(fewer, *extra).message


def test_gray_psnr_two_decimals(photo):
    from utils.colorize import gray_version
    truth = 10 * math.log10(1 / np.mean((photo - gray_version([photo])[0]) ** 2))
    assert_right(ex.check_gray_psnr, round(truth, 2), photo)
    assert_hint("more-digits", ex.check_gray_psnr, round(truth, 1), photo)


# ------------------------------------------------------------------ notebook 01
def test_conv_matrix_same():
    truth = conv_matrix(K, (4, 4), strides=2, padding="same")
    assert_right(ex.check_conv_matrix_same, truth)
    assert_right(ex.check_conv_matrix_same, truth.tolist())
    assert_hint("transposed", ex.check_conv_matrix_same, truth.T)
    assert_hint("flipped-kernel", ex.check_conv_matrix_same, conv_matrix(K[::-1, ::-1], (4, 4), 2, "same"))
    assert_hint("shape", ex.check_conv_matrix_same, conv_matrix(K, (4, 4), 2, "valid"))
    wrong = truth.copy()
    wrong[0, 0] = 7
    assert_hint("values", ex.check_conv_matrix_same, wrong)
    assert_hint("not-numeric", ex.check_conv_matrix_same, "C")


def test_conv_matrix_same_hints_aim_at_the_mistake_made():
    truth = conv_matrix(K, (4, 4), 2, "same")
    # a transposed kernel is named as such (it equals numbering both input and output column-major)
    result = ex.check_conv_matrix_same(conv_matrix(K.T, (4, 4), 2, "same"))
    assert result.code == "transposed-kernel" and "K^T" in result.message
    cols = np.arange(16).reshape(4, 4).T.ravel()
    assert_hint("column-major-input", ex.check_conv_matrix_same, truth[:, cols])
    rows = np.arange(4).reshape(2, 2).T.ravel()
    assert_hint("column-major-output", ex.check_conv_matrix_same, truth[rows, :])
    # the window pulled back inside the input instead of hanging over the padding
    clamped = lesson01._conv_matrix_offset(K, (4, 4), 2, (2, 2), 0, 0, clamp=True)
    assert not np.array_equal(clamped, truth)
    assert_hint("valid-window", ex.check_conv_matrix_same, clamped)


def test_conv_matrix_same_padding_on_the_wrong_side():
    shifted = np.zeros((4, 16))
    for row, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        for a in range(3):
            for b in range(3):
                r, c = 2 * i - 1 + a, 2 * j - 1 + b
                if 0 <= r < 4 and 0 <= c < 4:
                    shifted[row, 4 * r + c] = K[a, b]
    assert_hint("padding-side", ex.check_conv_matrix_same, shifted)


def test_transposed_conv_output():
    C = conv_matrix(K, (4, 4), 2, "same")
    up = (C.T @ np.array([1, 2, 3, 4])).reshape(4, 4)
    assert_right(ex.check_transposed_conv_output, up)
    assert_hint("transposed", ex.check_transposed_conv_output, up.T)
    assert_hint("shape", ex.check_transposed_conv_output, up.ravel())
    assert_hint("shape", ex.check_transposed_conv_output, C @ np.arange(16))
    flipped = conv_matrix(K[::-1, ::-1], (4, 4), 2, "same")
    assert_hint("flipped-kernel", ex.check_transposed_conv_output, (flipped.T @ np.array([1, 2, 3, 4])).reshape(4, 4))


def test_transposed_conv_output_uncropped_is_told_to_crop():
    full = lesson01._stamp_full(np.array([[1.0, 2], [3, 4]]), K.astype(float), 2)
    result = ex.check_transposed_conv_output(full)
    assert result.code == "uncropped" and "C^T" not in result.message
    assert_hint("padding-side", ex.check_transposed_conv_output, full[1:, 1:])
    assert_right(ex.check_transposed_conv_output, full[:4, :4])


def _stamped_shape(y, kernel, stride):
    return tuple((n - 1) * stride + m for n, m in zip(y.shape, kernel.shape))


def stamp(y, kernel, stride):
    """The right answer by the lesson's identity: stamping y is C^T y, C the valid convolution's matrix."""
    shape = _stamped_shape(y, kernel, stride)
    return (conv_matrix(kernel, shape, stride, "valid").T @ y.ravel()).reshape(shape)


def overwrite_stamp(y, kernel, stride):
    out = np.zeros(_stamped_shape(y, kernel, stride))
    (mh, mw) = kernel.shape
    for (i, j), value in np.ndenumerate(y):
        out[i * stride:i * stride + mh, j * stride:j * stride + mw] = value * kernel
    return out


def test_stamp_function():
    assert_right(ex.check_stamp_function, stamp)
    assert_right(ex.check_stamp_function, lambda y, k, s: stamp(y, k, s).astype(np.float32))
    assert_hint("overwrite", ex.check_stamp_function, overwrite_stamp)
    assert_hint("flipped-kernel", ex.check_stamp_function, lambda y, k, s: stamp(y, k[::-1, ::-1], s))
    assert_hint("shape", ex.check_stamp_function, lambda y, k, s: stamp(y, k, 1))
    assert_hint("raised", ex.check_stamp_function, lambda y, k, s: 1 / 0)
    assert_hint("not-callable", ex.check_stamp_function, np.zeros(3))


def test_nonzero_count():
    truth = int(np.count_nonzero(conv_matrix(np.ones((3, 3)), (28, 28), 2, "same")))
    assert_right(ex.check_nonzero_count, truth)
    assert_right(ex.check_nonzero_count, float(truth))
    assert_hint("padding-ignored", ex.check_nonzero_count, 196 * 9)
    assert_hint("input-pixels", ex.check_nonzero_count, 784 * 9)
    assert_hint("per-axis", ex.check_nonzero_count, 40 ** 2)
    assert_hint("not-integer", ex.check_nonzero_count, 1681.5)
    assert_hint("bool", ex.check_nonzero_count, True)        # not read as 1 = 1^2 (the per-axis hint)
    assert_hint("values", ex.check_nonzero_count, 4)          # a small square is not a per-axis count


def test_flat_kernel_sizes():
    assert_right(ex.check_flat_kernel_sizes, [3, 6, 9], stride=3)
    assert_right(ex.check_flat_kernel_sizes, (3.0, 6.0, 9.0), stride=np.int64(3))
    assert_right(ex.check_flat_kernel_sizes, np.array([2, 4, 6, 8]), stride=2)
    assert_hint("reversed", ex.check_flat_kernel_sizes, [2, 4, 5, 7, 8], stride=3)
    assert_hint("partial", ex.check_flat_kernel_sizes, [3, 6], stride=3)
    assert_hint("range", ex.check_flat_kernel_sizes, [3, 6, 9, 12], stride=3)
    assert_hint("not-integer", ex.check_flat_kernel_sizes, [3.5, 6.2, 9.9], stride=3)   # no silent int()
    assert_hint("bool", ex.check_flat_kernel_sizes, [True, False], stride=3)


# ------------------------------------------------------------------ notebook 02
@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    basis = rng.random((6, 8, 8, 1))
    return (rng.random((300, 6)) @ basis.reshape(6, -1)).reshape(300, 8, 8, 1) + 0.05 * rng.random((300, 8, 8, 1))


def test_pca_error(images):
    flat = images.reshape(len(images), -1)
    centred = flat - flat.mean(axis=0)
    eig = np.linalg.eigvalsh(centred.T @ centred / len(flat))[::-1]
    assert_right(ex.check_pca_error, eig[3:].sum(), images, 3)
    assert_right(ex.check_pca_error, round(float(eig[3:].sum()), 2), images, p=3)
    V = np.linalg.eigh(centred.T @ centred)[1][:, ::-1][:, :3]
    measured = np.mean(np.sum((centred - centred @ V @ V.T) ** 2, axis=1))
    assert_right(ex.check_pca_error, measured, images, 3)
    assert_hint("kept", ex.check_pca_error, eig[:3].sum(), images, 3)
    assert_hint("total", ex.check_pca_error, eig[3:].sum() * len(images), images, 3)
    assert_hint("sign", ex.check_pca_error, -1.0, images, 3)


def test_pca_error_per_pixel_mean(images):
    flat = images.reshape(len(images), -1) * 40            # a scale where the per-pixel mean is not within 0.01 of 0
    big = flat.reshape(images.shape)
    centred = flat - flat.mean(axis=0)
    eig = np.linalg.eigvalsh(centred.T @ centred / len(flat))[::-1]
    assert_hint("mean-not-sum", ex.check_pca_error, eig[3:].sum() / 64, big, 3)


def test_sse_function():
    assert_right(ex.check_sse_function, lambda x, t: np.sum((x - t) ** 2, axis=(1, 2, 3)))
    assert_right(ex.check_sse_function, lambda x, t: np.sum((x - t) ** 2, axis=(1, 2, 3)).astype(np.float32))
    assert_hint("mean-not-sum", ex.check_sse_function, lambda x, t: np.mean((x - t) ** 2, axis=(1, 2, 3)))
    assert_hint("batch-sum", ex.check_sse_function, lambda x, t: np.sum((x - t) ** 2))
    assert_hint("batch-mean", ex.check_sse_function, lambda x, t: np.mean(np.sum((x - t) ** 2, axis=(1, 2, 3))))
    assert_hint("norm", ex.check_sse_function, lambda x, t: np.sqrt(np.sum((x - t) ** 2, axis=(1, 2, 3))))
    assert_hint("axis", ex.check_sse_function, lambda x, t: np.sum((x - t) ** 2, axis=0))


def cosines(A, B):
    return np.linalg.svd(np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False)


def test_principal_cosines():
    assert_right(ex.check_principal_cosines, cosines)
    assert_right(ex.check_principal_cosines, lambda A, B: cosines(A, B)[::-1])      # any order
    assert_hint("not-orthonormal", ex.check_principal_cosines, lambda A, B: np.linalg.svd(A.T @ B, compute_uv=False))
    assert_hint("angles", ex.check_principal_cosines, lambda A, B: np.arccos(np.clip(cosines(A, B), 0, 1)))
    assert_hint("matrix", ex.check_principal_cosines, lambda A, B: np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0])


class _Encoder:
    """A stand-in for the p = 16 autoencoder: its "encoder" layer is a fixed random projection."""

    def __init__(self, d=784, p=16, seed=0):
        self.W = np.random.default_rng(seed).normal(size=(d, p)).astype(np.float32)

    def get_layer(self, name):
        assert name == "encoder"
        return self

    def __call__(self, x, training=False):
        return np.asarray(x, dtype=np.float32).reshape(len(x), -1) @ self.W


@pytest.fixture(scope="module")
def digits():
    """Small MNIST-like data: 10 classes around distinct templates, 40 training and 20 test images each."""
    rng = np.random.default_rng(3)
    templates = rng.random((10, 28, 28, 1))
    y_train, y_test = np.repeat(np.arange(10), 40), np.repeat(np.arange(10), 20)
    x_train = np.clip(templates[y_train] + 0.6 * rng.standard_normal((400, 28, 28, 1)), 0, 1).astype(np.float32)
    x_test = np.clip(templates[y_test] + 0.6 * rng.standard_normal((200, 28, 28, 1)), 0, 1).astype(np.float32)
    return x_train, y_train, x_test, y_test


def test_transfer_reference_and_checks(digits, monkeypatch):
    import utils.autoencoder as autoencoder
    from utils.pca import fit_pca
    from utils.stats import paired_difference
    monkeypatch.setattr(autoencoder, "predict_in_batches", lambda model, x, batch_size=1000: model(x))
    x_train, y_train, x_test, y_test = digits
    model, pca = _Encoder(), fit_pca(x_train, 16)
    context = (model, pca, x_train, y_train, x_test, y_test)
    idx = ex.labelled_subset(y_train, seed=0)
    assert len(idx) == 100 and np.all(np.bincount(y_train[idx]) == 10)
    assert np.array_equal(idx, ex.labelled_subset(y_train, seed=0))           # the same seed, the same images
    acc, hits = np.zeros((5, 3)), {}
    for s in range(5):
        idx = ex.labelled_subset(y_train, seed=s)
        train = [x_train[idx].reshape(100, -1), pca.truncate(16).encode(x_train[idx]), model(x_train[idx])]
        test = [x_test.reshape(200, -1), pca.truncate(16).encode(x_test), model(x_test)]
        for j in range(3):
            hit = ex.nearest_neighbour_labels(train[j], y_train[idx], test[j]) == y_test
            acc[s, j] = hit.mean()
            hits.setdefault(s, {})[j] = hit.astype(float)
    gain = paired_difference(hits[0][2], hits[0][1])
    assert_right(ex.check_transfer_accuracy, acc, *context)
    assert_right(ex.check_transfer_accuracy, np.round(acc, 3), *context)
    assert_hint("transposed", ex.check_transfer_accuracy, acc.T, *context)
    assert_hint("percent", ex.check_transfer_accuracy, 100 * acc, *context)
    assert_hint("error-rate", ex.check_transfer_accuracy, 1 - acc, *context)
    swapped = next(acc[:, perm] for perm in ([1, 0, 2], [0, 2, 1], [2, 1, 0]) if not np.allclose(acc[:, perm], acc))
    assert_hint("columns", ex.check_transfer_accuracy, swapped, *context)
    assert_right(ex.check_transfer_gain, (gain.estimate, gain.low, gain.high), *context)
    assert_hint("sign", ex.check_transfer_gain, (-gain.estimate, -gain.high, -gain.low), *context)
    assert_hint("one-se", ex.check_transfer_gain, (gain.estimate, gain.estimate - gain.se, gain.estimate + gain.se),
                *context)
    assert_hint("shape", ex.check_transfer_gain, (gain.estimate, gain.low), *context)


def test_choices_are_stored_as_hashes_only():
    import inspect
    for module in (lesson01, lesson02, lesson03, lesson04, lesson05, lesson06):
        assert "choice_hash(" not in inspect.getsource(module)
    for question, choice in CHOICES.items():
        assert len(choice.digest) == 64, question


# ------------------------------------------------------------------ notebook 03
def test_clipped_noise_mean():
    sigma = 0.5
    std = NormalDist()
    formula = sigma * (std.pdf(0) - std.pdf(1 / sigma)) + 1 - std.cdf(1 / sigma)
    draws = np.clip(sigma * np.random.default_rng(0).standard_normal(2_000_000), 0, 1)
    assert abs(draws.mean() - formula) < 1e-3            # the formula is what clipping does
    assert_right(ex.check_clipped_noise_mean, formula, sigma)
    assert_hint("no-clip", ex.check_clipped_noise_mean, 0.0, sigma)
    assert_hint("upper-clip", ex.check_clipped_noise_mean, sigma * std.pdf(0), sigma)
    assert_hint("missing-top", ex.check_clipped_noise_mean, sigma * (std.pdf(0) - std.pdf(2)), sigma)
    assert_hint("range", ex.check_clipped_noise_mean, 1.3, sigma)


def test_clipped_noise_mean_generic_hint_does_not_write_out_the_integral():
    message = ex.check_clipped_noise_mean(0.31, 0.5).message
    assert "integral" not in message and "phi(" not in message and "1 - Phi" not in message


def mean_psnr(clean, estimate):
    mse = np.mean((clean.astype(np.float64) - estimate).reshape(len(clean), -1) ** 2, axis=1)
    return float(np.mean(10 * np.log10(1 / mse)))


def test_psnr_function():
    from utils.metrics import psnr
    assert_right(ex.check_psnr_function, mean_psnr)
    assert_right(ex.check_psnr_function, lambda c, e: psnr(c, e))       # the library's own function agrees
    assert_hint("mse-first", ex.check_psnr_function, lambda c, e: 10 * np.log10(1 / np.mean((c - e) ** 2)))
    assert_hint("factor-20", ex.check_psnr_function, lambda c, e: 2 * mean_psnr(c, e))
    assert_hint("sign", ex.check_psnr_function, lambda c, e: -mean_psnr(c, e))
    assert_hint("per-image", ex.check_psnr_function,
                lambda c, e: 10 * np.log10(1 / np.mean((c - e).reshape(len(c), -1) ** 2, axis=1)))


def test_posterior_mean():
    c, s = 0.7, 0.5
    like0, like1 = NormalDist(0, s).pdf(c), NormalDist(1, s).pdf(c)
    truth = like1 / (like0 + like1)
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, size=4_000_000)
    near = np.abs(x + s * rng.standard_normal(x.size) - c) < 0.01
    assert abs(x[near].mean() - truth) < 0.01              # Monte Carlo agrees with the closed form
    assert_right(ex.check_posterior_mean, truth)
    assert_hint("observation", ex.check_posterior_mean, 0.7)
    assert_hint("map", ex.check_posterior_mean, 1)
    assert_hint("sd-not-variance", ex.check_posterior_mean, 1 / (1 + math.exp(-0.2 / 0.5)))
    assert_hint("sign", ex.check_posterior_mean, 1 - truth)


class _Identity:
    """A stand-in denoiser: returns its input (so the DAE's PSNR is the noisy input's)."""

    def __call__(self, x, training=False):
        return np.asarray(x)


def test_denoising_gain_checks(monkeypatch):
    import utils.autoencoder as autoencoder
    from utils.metrics import psnr
    from utils.noise import gaussian_filter, gaussian_noise
    from utils.stats import paired_difference
    monkeypatch.setattr(autoencoder, "predict_in_batches", lambda model, x, batch_size=1000: model(x))
    clean = np.clip(np.random.default_rng(4).random((40, 28, 28, 1)), 0, 1).astype(np.float32)
    model, blur, sigma = _Identity(), 1.0, 0.3
    means, first = [], None
    for s in range(5):
        noisy = gaussian_noise(clean, sigma, seed=s)
        a = psnr(clean, np.clip(model(noisy), 0, 1), per_image=True)
        b = psnr(clean, gaussian_filter(noisy, blur), per_image=True)
        means.append(float(np.mean(a - b)))
        first = first or (a, b)
    d = paired_difference(*first)
    context = (model, blur, clean, sigma)
    assert_right(ex.check_gain_by_seed, np.round(means, 3), *context)
    assert_hint("sign", ex.check_gain_by_seed, -np.array(means), *context)
    assert_hint("same-noise", ex.check_gain_by_seed, [means[0]] * 5, *context)
    assert_hint("shape", ex.check_gain_by_seed, means[:3], *context)
    assert_right(ex.check_gain_interval, (d.estimate, d.low, d.high), *context)
    assert_hint("one-se", ex.check_gain_interval, (d.estimate, d.estimate - d.se, d.estimate + d.se), *context)
    assert_hint("sign", ex.check_gain_interval, (-d.estimate, -d.high, -d.low), *context)


# ------------------------------------------------------------------ notebook 04
def test_kl_number():
    truth = math.log(2 / 0.5) + (0.25 + 4) / 8 - 0.5
    z = np.random.default_rng(2).normal(1.0, 0.5, size=1_000_000)
    mc = np.mean((-np.log(0.5) - (z - 1) ** 2 / 0.5) - (-np.log(2.0) - (z + 1) ** 2 / 8))
    assert abs(mc - truth) < 5e-3
    assert_right(ex.check_kl_number, truth)
    assert_right(ex.check_kl_number, round(truth, 3))
    assert_hint("swapped", ex.check_kl_number, math.log(0.5 / 2) + (4 + 4) / 0.5 - 0.5)
    assert_hint("missing-half", ex.check_kl_number, truth + 0.5)
    assert_hint("log-variance", ex.check_kl_number, math.log(4 / 0.25) + (0.25 + 4) / 8 - 0.5)
    assert_hint("negative", ex.check_kl_number, -0.3)


def kl_diag(mq, lq, mp, lp):
    return 0.5 * np.sum(lp - lq + (np.exp(lq) + (mq - mp) ** 2) / np.exp(lp) - 1, axis=-1)


def test_kl_diag_function():
    from utils.vae import kl_divergence
    assert_right(ex.check_kl_diag_function, kl_diag)
    mu, lv = np.array([[1.0, -0.5]]), np.array([[-1.0, 0.5]])
    assert np.allclose(kl_diag(mu, lv, 0 * mu, 0 * lv), kl_divergence(mu, lv))   # the inference loss of the lesson
    assert_hint("swapped", ex.check_kl_diag_function, lambda mq, lq, mp, lp: kl_diag(mp, lp, mq, lq))
    assert_hint("mean-not-sum", ex.check_kl_diag_function, lambda mq, lq, mp, lp: kl_diag(mq, lq, mp, lp) / mq.shape[1])
    assert_hint("per-coordinate", ex.check_kl_diag_function,
                lambda mq, lq, mp, lp: 0.5 * (lp - lq + (np.exp(lq) + (mq - mp) ** 2) / np.exp(lp) - 1))
    assert_hint("log-sd", ex.check_kl_diag_function, lambda mq, lq, mp, lp: kl_diag(mq, 2 * lq, mp, 2 * lp))


def test_elbo_gap_of_the_exercise_model():
    W, b, s = ex.exercise_model()
    rng = np.random.default_rng(7)
    assert np.array_equal(W, rng.normal(size=(6, 3))) and np.array_equal(b, rng.normal(size=6)) and s == 0.8
    precision = np.eye(3) + W.T @ W / s ** 2
    cov = np.linalg.inv(precision)
    D = np.diag(1 / np.diag(precision))
    # the best diagonal q's KL to the exact posterior, from the KL formula of two normals
    kl = 0.5 * (np.trace(precision @ D) - 3 + np.linalg.slogdet(cov)[1] - np.linalg.slogdet(D)[1])
    truth = 0.5 * (np.sum(np.log(np.diag(precision))) - np.linalg.slogdet(precision)[1])
    assert math.isclose(kl, truth, rel_tol=1e-9)
    assert_right(ex.check_elbo_gap, truth, W, s)
    assert_right(ex.check_elbo_gap, round(truth, 4))
    assert_hint("more-digits", ex.check_elbo_gap, round(truth, 3))
    assert_hint("sign", ex.check_elbo_gap, -truth, W, s)
    assert_hint("missing-half", ex.check_elbo_gap, 2 * truth, W, s)
    assert_hint("zero", ex.check_elbo_gap, 0.0, W, s)
    assert_hint("negative", ex.check_elbo_gap, -23.4, W, s)


def test_elbo_gap_of_the_lessons_model_is_not_the_exercises():
    """The lesson's section 4 prints the gap of its p = 2 model (seed 4); the exercise asks another model's."""
    rng = np.random.default_rng(4)
    W = rng.normal(size=(5, 2))
    precision = np.eye(2) + W.T @ W / 0.25
    lesson_gap = 0.5 * (np.sum(np.log(np.diag(precision))) - np.linalg.slogdet(precision)[1])
    assert ex.check_elbo_gap(lesson_gap).status == "wrong"
    assert_right(ex.check_elbo_gap, lesson_gap, W, 0.5)            # the checker is right on the model it is given


def good_logmeanexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.mean(np.exp(a - top), axis=axis))


def test_logmeanexp():
    assert_right(ex.check_logmeanexp, good_logmeanexp)
    assert_right(ex.check_logmeanexp, lambda a, axis: good_logmeanexp(np.asarray(a, dtype=np.float32), axis))
    from scipy.special import logsumexp
    assert_right(ex.check_logmeanexp, lambda a, axis: logsumexp(a, axis=axis) - np.log(a.shape[axis]))
    assert_hint("underflow", ex.check_logmeanexp, lambda a, axis: np.log(np.mean(np.exp(a), axis=axis)))
    assert_hint("mean-of-logs", ex.check_logmeanexp, lambda a, axis: np.mean(a, axis=axis))
    assert_hint("missing-1/K", ex.check_logmeanexp, lambda a, axis: good_logmeanexp(a, axis) + np.log(a.shape[axis]))
    assert_hint("shape", ex.check_logmeanexp, lambda a, axis: good_logmeanexp(a, 0))


def test_logmeanexp_catches_shifting_by_the_minimum_and_by_one_global_maximum():
    def by_min(a, axis):
        low = np.min(a, axis=axis, keepdims=True)
        return np.squeeze(low, axis=axis) + np.log(np.mean(np.exp(a - low), axis=axis))

    def by_global_max(a, axis):
        return a.max() + np.log(np.mean(np.exp(a - a.max()), axis=axis))
    assert_hint("overflow", ex.check_logmeanexp, by_min)
    assert_hint("global-max", ex.check_logmeanexp, by_global_max)
    assert_hint("precision", ex.check_logmeanexp,
                lambda a, axis: good_logmeanexp(a.astype(np.float16).astype(np.float64), axis))


# ------------------------------------------------------------------ multiple choice
def test_choices_accept_one_offered_option_and_reject_the_others():
    for question, choice in CHOICES.items():
        statuses = [ex.check_choice(question, option).status for option in choice.options]
        assert statuses.count("right") == 1, question
        right = choice.options[statuses.index("right")]
        assert ex.check_choice(question, f" ({right.upper()}) ").status == "right"
        for bad in ("z", "", "ab", "12", "(", "()", "a b", True, 2.5):
            assert ex.check_choice(question, bad).code == "not-a-choice", (question, bad)
    assert ex.check_choice("06-5", 1.0).status == "right"           # a digit given as a number
    assert ex.check_choice("06-5", np.int64(1)).status == "right"
    assert ex.check_choice("06-5", "1").status == "right"


@pytest.mark.parametrize("question", sorted(CHOICES))
def test_choice_unanswered(question):
    assert ex.check_choice(question, None).status == "unanswered"


# ------------------------------------------------------------------ notebook 05
def test_rate_number():
    mu, lv = np.array([1.5, -0.5, 0.0, 0.0]), np.array([-2.0, -0.5, 0.4, 0.0])
    truth = 0.5 * np.sum(mu**2 + np.exp(lv) - 1 - lv)
    from utils.vae import kl_divergence
    assert math.isclose(float(np.asarray(kl_divergence(mu[None], lv[None]))[0]), truth, rel_tol=1e-6)  # the lesson's term
    assert_right(ex.check_rate_number, truth)
    assert_right(ex.check_rate_number, round(truth, 3))
    assert_hint("log2", ex.check_rate_number, truth / math.log(2))
    assert_hint("missing-half", ex.check_rate_number, 2 * truth)
    assert_hint("mean-not-sum", ex.check_rate_number, truth / 4)
    assert_hint("log-sd", ex.check_rate_number, 0.5 * np.sum(mu**2 + np.exp(2 * lv) - 1 - 2 * lv))
    assert_hint("sign", ex.check_rate_number, -truth)


def test_rate_number_does_not_call_one_image_a_collapse():
    message = ex.check_rate_number(1.9168).message
    assert "모든 x" in message and "붕괴한 좌표입니다" not in message


def test_beta_variance():
    w, s, beta = 3.0, 1.0, 4.0
    v = np.linspace(1e-4, 1.0, 200_001)
    objective = w**2 * v / (2 * s**2) + beta * 0.5 * (v - np.log(v))
    truth = v[np.argmin(objective)]
    assert math.isclose(truth, beta * s**2 / (beta * s**2 + w**2), rel_tol=1e-3)
    assert_right(ex.check_beta_variance, truth)
    assert_hint("beta-ignored", ex.check_beta_variance, s**2 / (s**2 + w**2))
    assert_hint("sd-not-variance", ex.check_beta_variance, math.sqrt(4 / 13))
    assert_hint("beta-on-distortion", ex.check_beta_variance, 1 / 37)
    assert_hint("missing-one", ex.check_beta_variance, 4 / 9)
    assert_hint("range", ex.check_beta_variance, 1.7)


def unit_kl(mu, log_var):
    return 0.5 * (mu**2 + np.exp(log_var) - 1 - log_var)


def test_kl_per_unit_function():
    assert_right(ex.check_kl_per_unit_function, lambda m, lv: unit_kl(m, lv).mean(axis=0))
    assert_hint("per-image", ex.check_kl_per_unit_function, lambda m, lv: unit_kl(m, lv).sum(axis=1))
    assert_hint("axis", ex.check_kl_per_unit_function, lambda m, lv: unit_kl(m, lv).mean(axis=1))
    assert_hint("not-averaged", ex.check_kl_per_unit_function, unit_kl)
    assert_hint("sum-not-mean", ex.check_kl_per_unit_function, lambda m, lv: unit_kl(m, lv).sum(axis=0))
    assert_hint("log2", ex.check_kl_per_unit_function, lambda m, lv: unit_kl(m, lv).mean(axis=0) / np.log(2))
    assert_hint("sign", ex.check_kl_per_unit_function, lambda m, lv: -unit_kl(m, lv).mean(axis=0))


def test_kl_per_unit_matches_the_library():
    from utils.cvae import kl_per_unit
    rng = np.random.default_rng(0)
    mu, log_var = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))

    def encoder(x, training=False):
        return mu[: len(x)], log_var[: len(x)]
    assert np.allclose(kl_per_unit(encoder, np.zeros((20, 28, 28, 1), np.float32)), unit_kl(mu, log_var).mean(axis=0))


def test_active_count_function():
    from utils.cvae import active_units
    assert_right(ex.check_active_count_function, lambda m, t: active_units(m, t)[0])
    assert_right(ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0) > t)))
    assert_right(ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0, ddof=1) > t)))
    assert_hint("transposed", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=1) > t)))
    assert_hint("std-not-variance", ex.check_active_count_function, lambda m, t: int(np.sum(np.std(m, axis=0) > t)))
    assert_hint("not-centred", ex.check_active_count_function, lambda m, t: int(np.sum(np.mean(m**2, axis=0) > t)))
    assert_hint("inactive", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0) <= t)))
    assert_hint("not-counted", ex.check_active_count_function, lambda m, t: np.var(m, axis=0) > t)


def test_active_count_names_the_mistake_that_explains_every_threshold():
    """A count one too high is not always the unsubtracted mean: ignoring t and using t/2 have their own hints."""
    assert_hint("threshold-ignored", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0) > 0.01)))
    assert_hint("half-threshold", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0) > t / 2)))
    result = ex.check_active_count_function(lambda m, t: int(np.sum(np.var(m, axis=0) > t)) + 1)
    assert result.code == "values"
    assert "np.var" not in result.message and "axis=0" not in result.message     # the hint is not the solution line


class _CVAE:
    """A stand-in conditional VAE whose ELBO(x, c) is a fixed table (evaluate_conditional_elbo is patched)."""

    encoder = decoder = None


def test_label_bound_checks(monkeypatch):
    import utils.cvae as cvae
    from utils.stats import binomial_interval, paired_difference
    rng = np.random.default_rng(5)
    n = 300
    y = rng.integers(0, 10, n)
    table = rng.normal(-300.0, 20.0, size=(n, 10))
    table[np.arange(n), y] = rng.normal(-120.0, 10.0, n)
    table[:20, (y[:20] + 1) % 10] = -110.0                      # twenty images the classifier gets wrong

    def fake(encoder, decoder, x, labels, n_samples=1, seed=0):
        return table[: len(x), int(np.asarray(labels)[0])]
    monkeypatch.setattr(cvae, "evaluate_conditional_elbo", fake)
    log_p_y = np.log(np.full(10, 0.1))
    x = np.zeros((n, 28, 28, 1), np.float32)
    joint = table + log_p_y
    top = joint.max(1)
    L = top + np.log(np.exp(joint - top[:, None]).sum(1))
    B = joint[np.arange(n), y]
    d = paired_difference(L, B)
    w = binomial_interval(int(np.sum(joint.argmax(1) == y)), n)
    context = (_CVAE(), x, y, log_p_y, 0)
    assert d.estimate >= 0
    assert_right(ex.check_label_cost, (d.estimate, d.low, d.high), *context)
    assert_hint("sign", ex.check_label_cost, (-d.estimate, -d.high, -d.low), *context)
    assert_hint("one-se", ex.check_label_cost, (d.estimate, d.estimate - d.se, d.estimate + d.se), *context)
    assert_right(ex.check_label_accuracy, (w.estimate, w.low, w.high), *context)
    p = w.estimate
    wald = (p, p - 1.96 * math.sqrt(p * (1 - p) / n), p + 1.96 * math.sqrt(p * (1 - p) / n))
    assert_hint("wald", ex.check_label_accuracy, wald, *context)
    assert_hint("percent", ex.check_label_accuracy, (100 * p, 100 * w.low, 100 * w.high), *context)


# ------------------------------------------------------------------ notebook 06
@pytest.fixture(scope="module")
def photo():
    rng = np.random.default_rng(1)
    base = np.stack([np.linspace(0.1, 0.9, 24)] * 16)                        # a smooth, colourful 16 x 24 image
    return np.clip(np.stack([base, base[::-1, ::-1] * 0.7, 0.4 + 0.2 * rng.random((16, 24))], axis=-1), 0, 1)


def test_gray_psnr(photo):
    from utils.colorize import gray_version
    from utils.metrics import psnr
    grey = gray_version([photo])[0]
    mse = np.mean((photo - grey) ** 2)
    truth = 10 * math.log10(1 / mse)
    assert math.isclose(truth, psnr(photo[None], np.clip(grey, 0, 1)[None]), rel_tol=1e-6)   # the lesson's table
    assert_right(ex.check_gray_psnr, truth, photo)
    assert_hint("mse", ex.check_gray_psnr, mse, photo)
    assert_hint("factor-20", ex.check_gray_psnr, 2 * truth, photo)
    assert_hint("natural-log", ex.check_gray_psnr, 10 * math.log(1 / mse), photo)
    assert_hint("sum-not-mean", ex.check_gray_psnr, 10 * math.log10(1 / np.sum((photo - grey) ** 2)), photo)
    assert_hint("scale-255", ex.check_gray_psnr, truth - 20 * math.log10(255), photo)


def pair_auc(inl, out):
    inl, out = np.asarray(inl, float), np.asarray(out, float)
    return float(np.mean((out[:, None] > inl[None, :]) + 0.5 * (out[:, None] == inl[None, :])))


def test_auc_function():
    from utils.anomaly import auc, roc_curve
    rng = np.random.default_rng(2)
    inl, out = rng.integers(0, 8, 200), rng.integers(2, 12, 70)
    assert math.isclose(pair_auc(inl, out), auc(inl, out), rel_tol=1e-12)            # counting = the library's ranks
    fpr, tpr, _ = roc_curve(inl, out)
    assert math.isclose(pair_auc(inl, out), np.trapezoid(tpr, fpr), rel_tol=1e-12)    # = the trapezoid area
    assert_right(ex.check_auc_function, pair_auc)
    assert_right(ex.check_auc_function, auc)
    assert_hint("swapped", ex.check_auc_function, lambda i, o: pair_auc(o, i))
    assert_hint("ties-dropped", ex.check_auc_function, lambda i, o: float(np.mean(o[:, None] > i[None, :])))
    assert_hint("ties-as-wins", ex.check_auc_function, lambda i, o: float(np.mean(o[:, None] >= i[None, :])))
    assert_hint("not-normalized", ex.check_auc_function, lambda i, o: pair_auc(i, o) * len(i) * len(o))


def test_auc_in_float32_is_accepted():
    assert_right(ex.check_auc_function, lambda i, o: np.float32(pair_auc(i, o)) + np.float32(3e-8))


def test_threshold_function():
    from utils.anomaly import threshold_at_false_alarm
    assert_right(ex.check_threshold_function, lambda s, a: np.quantile(s, 1 - a))
    assert_right(ex.check_threshold_function, lambda s, a: np.percentile(s, 100 * (1 - a)))
    assert_right(ex.check_threshold_function, threshold_at_false_alarm)
    assert_hint("low-quantile", ex.check_threshold_function, lambda s, a: np.quantile(s, a))
    assert_hint("normal", ex.check_threshold_function, lambda s, a: s.mean() + 1.6448536 * s.std())
    assert_hint("max", ex.check_threshold_function, lambda s, a: s.max())
    assert_hint("raised", ex.check_threshold_function, lambda s, a: np.quantile(s, 95))


def test_threshold_nan_is_not_read_as_a_share():
    result = ex.check_threshold_function(lambda s, a: np.nan)
    assert result.code == "not-finite" and "0.0%" not in result.message


def test_false_alarm_checks():
    from utils.stats import binomial_interval, seed_summary
    rng = np.random.default_rng(9)
    ink = np.concatenate([rng.gamma(3.0, 30.0, 500), rng.gamma(3.0, 36.0, 500)])   # the file's halves differ
    first, second = np.array_split(np.arange(1000), 2)
    t = np.quantile(ink[second], 0.95)
    w = binomial_interval(int(np.sum(ink[first] > t)), 500)
    rates = []
    for s in range(20):
        calib, check = np.array_split(np.random.default_rng(s).permutation(1000), 2)
        rates.append(np.mean(ink[check] > np.quantile(ink[calib], 0.95)))
    spread = seed_summary(rates)
    assert_right(ex.check_ordered_false_alarm, (w.estimate, w.low, w.high), ink)
    assert_hint("percent", ex.check_ordered_false_alarm, (100 * w.estimate, 100 * w.low, 100 * w.high), ink)
    p = w.estimate
    wald = (p, p - 1.96 * math.sqrt(p * (1 - p) / 500), p + 1.96 * math.sqrt(p * (1 - p) / 500))
    assert_hint("wald", ex.check_ordered_false_alarm, wald, ink)
    reverse = np.mean(ink[second] > np.quantile(ink[first], 0.95))
    assert_hint("halves-swapped", ex.check_ordered_false_alarm, (reverse, 0.0, 0.1), ink)
    assert_right(ex.check_random_false_alarm, (spread.mean, spread.sd), ink)
    assert_right(ex.check_random_false_alarm, (spread.mean, np.std(rates)), ink)     # ddof 0 or 1: same to 3 decimals
    assert_hint("sd", ex.check_random_false_alarm, (spread.mean, spread.sd / np.sqrt(20)), ink)


def test_messages_of_05_and_06_never_print_the_answer(capsys):
    ex.check_rate_number(2.5)
    ex.check_rate_number(1.9168 / math.log(2))
    ex.check_beta_variance(0.1)
    ex.check_beta_variance(0.9)
    out = capsys.readouterr().out
    assert "1.91" not in out and "0.30" not in out and "4/13" not in out
    for question in ("05-4", "06-4c", "06-5"):
        choice = CHOICES[question]
        verdicts = {option: ex.check_choice(question, option) for option in choice.options}
        right = [option for option, v in verdicts.items() if v.status == "right"]
        assert len(right) == 1
        for option, v in verdicts.items():
            hint = v.message.split("]", 1)[1]
            assert f"({right[0]})" not in hint and f'"{right[0]}"' not in hint and f" {right[0]} " not in hint, (question, hint)


# ------------------------------------------------------------------ the registry
def test_every_exercise_is_registered_once_with_a_checker():
    labels = [e.label for e in ex.EXERCISES]
    assert len(labels) == len(set(labels))
    for e in ex.EXERCISES:
        assert e.kind in ("value", "function", "choice", "experiment")
        assert callable(e.checker)
        if e.kind == "function":
            assert e.function is not None and e.function.label == e.label
        if e.kind == "experiment":
            assert callable(e.reference) and callable(e.judge) and e.context
        if e.kind == "choice":
            assert e.label in CHOICES
    assert {e.lesson for e in ex.EXERCISES} == {"01", "02", "03", "04", "05", "06"}
    for lesson in ("01", "02", "03", "04", "05", "06"):
        numbers = {e.label[3] for e in ex.exercises_of(lesson)}
        assert len(numbers) <= 5, lesson                          # five exercises or fewer per lesson


def test_call_safely_restores_an_outer_timer():
    import signal
    signal.setitimer(signal.ITIMER_REAL, 0)
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        assert call_safely(lambda: 3, ()).kind == "ok"
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 3.0 < left <= 5.0                                  # the outer timer runs on
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not fired


def test_choice_hash_is_the_stored_form():
    assert CHOICES["06-5"].digest == choice_hash("06-5", "1")


def test_experiment_checkers_defer_to_the_batch_grader():
    """Inside a graded run the experiment checkers do not recompute their reference (the grader does, once)."""
    ex.verdicts.GRADING["active"] = True
    try:
        for check, n in ((ex.check_transfer_gain, 6), (ex.check_gain_interval, 4), (ex.check_gap_means, 4),
                         (ex.check_label_cost, 5)):
            result = check((0.1, 0.0, 0.2), *([object()] * n))      # the context would fail if it were used
            assert (result.status, result.code) == ("unanswered", "deferred")
    finally:
        ex.verdicts.GRADING["active"] = False

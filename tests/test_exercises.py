"""The exercise checkers (utils.exercises): each accepts the worked answer, names typical mistakes,
says "not answered yet" for None / ... without raising, and the insert tool is idempotent."""

import math
from statistics import NormalDist

import nbformat
import numpy as np
import pytest

from tools import exercises as tool
from utils import exercises as ex
from utils.exercises import NOT_ANSWERED
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
    (ex.check_kl_per_unit_function, ()), (ex.check_active_count_function, ()), (ex.check_gray_psnr, (np.zeros((2, 2, 3)),)),
    (ex.check_auc_function, ()), (ex.check_threshold_function, ()),
]


@pytest.mark.parametrize("check, extra", UNANSWERED_CALLS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("answer", [None, ...], ids=["None", "Ellipsis"])
def test_unanswered_prints_not_answered_yet(check, extra, answer, capsys):
    result = check(answer, *extra)
    assert result.status == "unanswered" and not result
    out = capsys.readouterr().out
    assert NOT_ANSWERED in out and out.count("\n") == 1


def test_a_function_whose_body_is_still_ellipsis_counts_as_unanswered(capsys):
    def todo(*args):
        ...
    checks = (ex.check_stamp_function, ex.check_sse_function, ex.check_principal_cosines, ex.check_psnr_function,
              ex.check_kl_diag_function, ex.check_logmeanexp, ex.check_kl_per_unit_function,
              ex.check_active_count_function, ex.check_auc_function, ex.check_threshold_function)
    for check in checks:
        assert check(todo).status == "unanswered"
    assert capsys.readouterr().out.count(NOT_ANSWERED) == len(checks)


@pytest.mark.parametrize("question", sorted(ex._ANSWERS))
def test_choice_unanswered(question):
    assert ex.check_choice(question, None).status == "unanswered"


def test_verdict_displays_nothing_in_a_notebook():
    assert ex.Verdict("right", "right", "x")._ipython_display_() is None
    assert bool(ex.Verdict("right", "right", "x")) and not ex.Verdict("wrong", "sign", "x")


def test_messages_never_print_the_answer(capsys):
    truth = conv_matrix(K, (4, 4), 2, "same")
    ex.check_nonzero_count(1764)
    ex.check_kl_number(14.11)
    ex.check_posterior_mean(0.7)
    out = capsys.readouterr().out
    assert "1681" not in out and "1.417" not in out and "0.68" not in out
    ex.check_conv_matrix_same(truth.T)
    assert str(truth[1].tolist()) not in capsys.readouterr().out


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


def _stamped_shape(y, kernel, stride):
    return tuple((n - 1) * stride + m for n, m in zip(y.shape, kernel.shape))


def stamp(y, kernel, stride):
    """The right answer by the lesson's identity: stamping y is C^T y, C the valid convolution's matrix."""
    shape = _stamped_shape(y, kernel, stride)
    return (conv_matrix(kernel, shape, stride, "valid").T @ y.ravel()).reshape(shape)


def overwrite_stamp(y, kernel, stride):
    """The "overwrite" mistake: each stamp replaces the overlap instead of adding to it."""
    out = np.zeros(_stamped_shape(y, kernel, stride))
    (mh, mw) = kernel.shape
    for (i, j), value in np.ndenumerate(y):
        out[i * stride:i * stride + mh, j * stride:j * stride + mw] = value * kernel
    return out


def test_stamp_function():
    assert_right(ex.check_stamp_function, stamp)
    assert_hint("overwrite", ex.check_stamp_function, overwrite_stamp)
    assert_hint("flipped-kernel", ex.check_stamp_function, lambda y, k, s: stamp(y, k[::-1, ::-1], s))
    assert_hint("shape", ex.check_stamp_function, lambda y, k, s: stamp(y, k, 1))
    assert_hint("raised", ex.check_stamp_function, lambda y, k, s: 1 / 0)
    assert_hint("not-callable", ex.check_stamp_function, np.zeros(3))


def test_nonzero_count():
    truth = int(np.count_nonzero(conv_matrix(np.ones((3, 3)), (28, 28), 2, "same")))
    assert_right(ex.check_nonzero_count, truth)
    assert_hint("padding-ignored", ex.check_nonzero_count, 196 * 9)
    assert_hint("input-pixels", ex.check_nonzero_count, 784 * 9)
    assert_hint("per-axis", ex.check_nonzero_count, 40 ** 2)
    assert_hint("not-integer", ex.check_nonzero_count, 1681.5)


def test_flat_kernel_sizes():
    assert_right(ex.check_flat_kernel_sizes, [3, 6, 9], stride=3)
    assert_right(ex.check_flat_kernel_sizes, np.array([2, 4, 6, 8]), stride=2)
    assert_hint("reversed", ex.check_flat_kernel_sizes, [2, 4, 5, 7, 8], stride=3)
    assert_hint("partial", ex.check_flat_kernel_sizes, [3, 6], stride=3)
    assert_hint("range", ex.check_flat_kernel_sizes, [3, 6, 9, 12], stride=3)


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
    # the measured reconstruction error of the projection is the same number
    V = np.linalg.eigh(centred.T @ centred)[1][:, ::-1][:, :3]
    measured = np.mean(np.sum((centred - centred @ V @ V.T) ** 2, axis=1))
    assert_right(ex.check_pca_error, measured, images, 3)
    assert_hint("kept", ex.check_pca_error, eig[:3].sum(), images, 3)
    assert_hint("mean-not-sum", ex.check_pca_error, eig[3:].sum() / 64, images, 3)
    assert_hint("total", ex.check_pca_error, eig[3:].sum() * len(images), images, 3)
    assert_hint("sign", ex.check_pca_error, -1.0, images, 3)


def test_sse_function():
    assert_right(ex.check_sse_function, lambda x, t: np.sum((x - t) ** 2, axis=(1, 2, 3)))
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
    assert_hint("range", ex.check_clipped_noise_mean, 1.3, sigma)
    with pytest.raises(ValueError, match="sigma"):
        ex.check_clipped_noise_mean(0.2, -1.0)


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


def test_elbo_gap():
    rng = np.random.default_rng(4)
    W, s = rng.normal(size=(5, 2)), 0.5
    precision = np.eye(2) + W.T @ W / s**2
    cov = np.linalg.inv(precision)
    rho = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1])
    truth = -0.5 * math.log(1 - rho**2)
    # the best diagonal q's KL to the exact posterior, computed from the KL formula, is the same number
    D = np.diag(1 / np.diag(precision))
    kl = 0.5 * (np.trace(precision @ D) - 2 + np.linalg.slogdet(cov)[1] - np.linalg.slogdet(D)[1])
    assert math.isclose(kl, truth, rel_tol=1e-9)
    assert_right(ex.check_elbo_gap, truth, W, s)
    assert_hint("sign", ex.check_elbo_gap, -truth, W, s)
    assert_hint("missing-half", ex.check_elbo_gap, 2 * truth, W, s)
    assert_hint("zero", ex.check_elbo_gap, 0.0, W, s)
    assert_hint("negative", ex.check_elbo_gap, -23.4, W, s)


def test_logmeanexp():
    def good(a, axis):
        top = np.max(a, axis=axis, keepdims=True)
        return np.squeeze(top, axis=axis) + np.log(np.mean(np.exp(a - top), axis=axis))
    assert_right(ex.check_logmeanexp, good)
    assert_hint("underflow", ex.check_logmeanexp, lambda a, axis: np.log(np.mean(np.exp(a), axis=axis)))
    assert_hint("mean-of-logs", ex.check_logmeanexp, lambda a, axis: np.mean(a, axis=axis))
    assert_hint("missing-1/K", ex.check_logmeanexp, lambda a, axis: good(a, axis) + np.log(a.shape[axis]))
    assert_hint("axis", ex.check_logmeanexp, lambda a, axis: good(a, 0))


# ------------------------------------------------------------------ multiple choice
def test_choices_accept_one_letter_and_reject_the_others():
    for question, (letters, _) in ex._ANSWERS.items():
        statuses = [ex.check_choice(question, letter).status for letter in letters]
        assert statuses.count("right") == 1, question
        right = letters[statuses.index("right")]
        assert ex.check_choice(question, f" ({right.upper()}) ").status == "right"
        assert ex.check_choice(question, "z").code == "not-a-choice"
    with pytest.raises(ValueError, match="question"):
        ex.check_choice("09-9", "a")


# ------------------------------------------------------------------ the insert tool
@pytest.mark.parametrize("minor", [4, 5])
def test_insert_appends_then_replaces_idempotently(tmp_path, minor):
    for number in tool.LESSONS:
        nb = nbformat.v4.new_notebook()
        nb.nbformat_minor = minor
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {number}"), nbformat.v4.new_code_cell("x = 1")]
        if minor < 5:
            for cell in nb.cells:
                cell.pop("id", None)
        nbformat.write(nb, tmp_path / f"{number}_lesson.ipynb")
    assert len(tool.insert(tmp_path)) == len(tool.LESSONS) and tool.check(tmp_path) == []
    first = (tmp_path / "02_lesson.ipynb").read_text(encoding="utf-8")
    assert tool.insert(tmp_path) == []                                   # idempotent
    assert (tmp_path / "02_lesson.ipynb").read_text(encoding="utf-8") == first
    nb = nbformat.read(tmp_path / "02_lesson.ipynb", as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells[:2]] == ["# 02", "x = 1"]       # the lesson itself is untouched
    assert nb.cells[2].source.startswith(tool.TITLE)
    nb.cells[4].source = "edited by hand"                              # a stale section is replaced whole
    nb.cells.append(nbformat.v4.new_code_cell("extra"))
    nbformat.write(nb, tmp_path / "02_lesson.ipynb")
    assert tool.check(tmp_path) == ["02_lesson.ipynb"]
    assert tool.insert(tmp_path) == ["02_lesson.ipynb"]
    assert (tmp_path / "02_lesson.ipynb").read_text(encoding="utf-8") == first


def test_insert_names_a_missing_lesson(tmp_path):
    with pytest.raises(FileNotFoundError, match="01_"):
        tool.insert(tmp_path)


def test_every_checker_in_the_sections_exists():
    import re
    for number, cells in tool.LESSONS.items():
        for kind, source in cells:
            for name in re.findall(r"\b(check_\w+)\(", source):
                assert hasattr(ex, name), (number, name)


def test_solution_notebooks_pose_the_lessons_questions():
    """One solution notebook per lesson, with every question of the lesson's section word for word."""
    folder = tool.ROOT / "notebooks" / "solutions"
    for number, cells in tool.LESSONS.items():
        paths = sorted(folder.glob(f"{number}_*_solutions.ipynb"))
        assert len(paths) == 1, (number, paths)
        markdown = [c.source for c in nbformat.read(paths[0], as_version=4).cells if c.cell_type == "markdown"]
        questions = [s for kind, s in cells if kind == "markdown" and s.startswith("### 연습문제")]
        assert questions, number
        for question in questions:
            assert question.replace("### 연습문제", "## 연습문제", 1) in markdown, (number, question[:40])


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


def test_beta_variance():
    w, s, beta = 3.0, 1.0, 4.0
    # the best variance, found by minimizing D + beta R numerically over a grid of v (x and m drop out of the v terms)
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
    """The worked answer is what utils.cvae.kl_per_unit computes from an encoder."""
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
    assert_hint("transposed", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=1) > t)))
    assert_hint("std-not-variance", ex.check_active_count_function, lambda m, t: int(np.sum(np.std(m, axis=0) > t)))
    assert_hint("not-centred", ex.check_active_count_function, lambda m, t: int(np.sum(np.mean(m**2, axis=0) > t)))
    assert_hint("inactive", ex.check_active_count_function, lambda m, t: int(np.sum(np.var(m, axis=0) <= t)))
    assert_hint("not-counted", ex.check_active_count_function, lambda m, t: np.var(m, axis=0) > t)


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
    with pytest.raises(ValueError, match="image"):
        ex.check_gray_psnr(20.0, photo[..., 0])


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


def test_threshold_function():
    from utils.anomaly import threshold_at_false_alarm
    assert_right(ex.check_threshold_function, lambda s, a: np.quantile(s, 1 - a))
    assert_right(ex.check_threshold_function, lambda s, a: np.percentile(s, 100 * (1 - a)))
    assert_right(ex.check_threshold_function, threshold_at_false_alarm)
    assert_hint("low-quantile", ex.check_threshold_function, lambda s, a: np.quantile(s, a))
    assert_hint("normal", ex.check_threshold_function, lambda s, a: s.mean() + 1.6448536 * s.std())
    assert_hint("max", ex.check_threshold_function, lambda s, a: s.max())
    assert_hint("raised", ex.check_threshold_function, lambda s, a: np.quantile(s, 95))


def test_messages_of_05_and_06_never_print_the_answer(capsys):
    ex.check_rate_number(2.5)
    ex.check_rate_number(1.9168 / math.log(2))
    ex.check_beta_variance(0.1)
    ex.check_beta_variance(0.9)
    out = capsys.readouterr().out
    assert "1.91" not in out and "0.30" not in out and "4/13" not in out
    for question in ("05-5", "06-4", "06-5"):
        verdicts = {letter: ex.check_choice(question, letter) for letter in ex._ANSWERS[question][0]}
        right = [letter for letter, v in verdicts.items() if v.status == "right"]
        assert len(right) == 1
        for letter, v in verdicts.items():
            hint = v.message.split("]", 1)[1]
            assert f"({right[0]})" not in hint and f'"{right[0]}"' not in hint and f" {right[0]} " not in hint, (question, hint)

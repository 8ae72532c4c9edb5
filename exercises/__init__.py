"""Checkers for the exercises at the end of notebooks 01-06 ("연습문제"), one module per lesson.

Each ``check_...`` function takes the student's answer (a number, an array, a function or a
letter), prints one line in Korean and returns a :class:`Verdict`:

- right: ``정답입니다 (correct)`` and, where useful, what the answer confirms;
- wrong: ``아직 아닙니다 (not yet)`` and what kind of mistake the answer looks like (wrong shape, off by
  a transpose, wrong sign, a mean instead of a sum, too few decimals, ...), never the answer itself;
- a function that does not finish in time: ``시간 초과 (time limit)``;
- left as ``None`` or ``...``: ``아직 답하지 않았습니다 (not answered yet)``, without raising, so a
  lesson runs top to bottom with its exercises unsolved.

The right answers are computed from first principles (or, for multiple-choice questions, stored as
hashes), so reading these modules does not hand out the numbers. :data:`EXERCISES` lists every
exercise with the name its answer has in the lesson; the batch grader (``tools/grading.py``) reads it.
``verdicts`` holds what all checkers share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from exercises import lesson01, lesson02, lesson03, lesson04, lesson05, lesson06
from exercises.lesson01 import (check_conv_matrix_same, check_flat_kernel_sizes, check_nonzero_count,
                                      check_stamp_function, check_transposed_conv_output)
from exercises.lesson02 import (check_pca_error, check_principal_cosines, check_sse_function,
                                      check_transfer_accuracy, check_transfer_gain, labelled_subset,
                                      nearest_neighbour_labels)
from exercises.lesson03 import (check_clipped_noise_mean, check_gain_by_seed, check_gain_interval,
                                      check_posterior_mean, check_psnr_function, clipped_black_pixel_mean)
from exercises.lesson04 import (check_elbo_gap, check_gap_difference, check_gap_means, check_kl_diag_function,
                                      check_kl_number, check_logmeanexp, exercise_model)
from exercises.lesson05 import (check_active_count_function, check_beta_variance, check_kl_per_unit_function,
                                      check_label_accuracy, check_label_cost, check_rate_number)
from exercises.lesson06 import (check_auc_function, check_gray_psnr, check_ordered_false_alarm,
                                      check_random_false_alarm, check_threshold_function, inlier_ink)
from exercises.verdicts import (CANNOT_CHECK, CHOICES, NOT_ANSWERED, RIGHT, TIMEOUT, WRONG, FunctionExercise,
                                      Verdict, check_choice, quiet)

__all__ = [name for name in dir() if name.startswith("check_")] + [
    "Verdict", "NOT_ANSWERED", "RIGHT", "WRONG", "TIMEOUT", "CANNOT_CHECK", "EXERCISES", "Exercise", "quiet",
    "labelled_subset", "nearest_neighbour_labels", "clipped_black_pixel_mean", "exercise_model", "inlier_ink"]


@dataclass(frozen=True)
class Exercise:
    """One graded answer of a lesson's exercise section.

    ``kind`` says how it is judged:

    - "value": ``answer`` names a number, an array or a list in the lesson; ``checker(answer,
      *context)`` judges it, ``context`` being lesson expressions (or literals) it also takes;
    - "function": ``answer`` names a function; ``function`` says which cases it is called on and how
      each result is judged;
    - "choice": ``answer`` names the letter given to ``check_choice(label, ...)``;
    - "experiment": the right answer depends on the lesson's trained models: ``reference(*context)``
      computes it where the models live, ``judge(answer, reference)`` compares.
    """

    label: str
    kind: str
    answer: str
    checker: Callable | None = None
    context: tuple = ()
    function: FunctionExercise | None = None
    reference: Callable | None = None
    judge: Callable | None = None
    points: float = 1.0

    @property
    def lesson(self) -> str:
        return self.label[:2]


def _value(label: str, answer: str, checker: Callable, *context: str) -> Exercise:
    return Exercise(label, "value", answer, checker, tuple(context))


def _function(label: str, answer: str, checker: Callable, function: FunctionExercise) -> Exercise:
    return Exercise(label, "function", answer, checker, function=function)


def _choice(label: str, answer: str) -> Exercise:
    return Exercise(label, "choice", answer, check_choice)


def _experiment(label: str, answer: str, checker: Callable, reference: Callable, judge: Callable,
                *context: str) -> Exercise:
    return Exercise(label, "experiment", answer, checker, tuple(context), reference=reference, judge=judge)


_TRANSFER = ("autoencoders[16]", "pca", "x_train", "y_train", "x_test", "y_test")
_DENOISE = ("dae.model", "BLUR", "subset", "SIGMA")
_GAPS = ("run_2.model", "run_16.model", "x_test", "SEED")
_LABELS = ("m_c", "x_test", "y_test", "log_p_y", "SEED")

EXERCISES: tuple[Exercise, ...] = (
    _value("01-1", "C", check_conv_matrix_same),
    _value("01-2", "up", check_transposed_conv_output),
    _function("01-3", "transposed_conv_by_stamping", check_stamp_function, lesson01.STAMP),
    _value("01-4", "nonzeros", check_nonzero_count),
    _value("01-5", "flat_sizes", check_flat_kernel_sizes, "3"),
    _value("02-1", "pca_error_16", check_pca_error, "x_small", "16"),
    _function("02-2", "my_sse", check_sse_function, lesson02.SSE),
    _function("02-3", "principal_cosines", check_principal_cosines, lesson02.COSINES),
    _experiment("02-4a", "transfer_acc", check_transfer_accuracy, lesson02.transfer_reference,
                lesson02.judge_transfer_accuracy, *_TRANSFER),
    _experiment("02-4b", "transfer_gain", check_transfer_gain, lesson02.transfer_reference,
                lesson02.judge_transfer_gain, *_TRANSFER),
    _choice("02-4c", "answer_4"),
    _value("03-1", "mean_black", check_clipped_noise_mean, "0.5"),
    _function("03-2", "my_psnr", check_psnr_function, lesson03.PSNR),
    _value("03-3", "posterior_mean", check_posterior_mean),
    _experiment("03-4a", "gain_by_seed", check_gain_by_seed, lesson03.denoising_gain_reference,
                lesson03.judge_gain_by_seed, *_DENOISE),
    _experiment("03-4b", "gain_ci", check_gain_interval, lesson03.denoising_gain_reference,
                lesson03.judge_gain_interval, *_DENOISE),
    _choice("03-4c", "answer_4"),
    _value("04-1a", "kl_value", check_kl_number),
    _function("04-1b", "kl_diagonal", check_kl_diag_function, lesson04.KL_DIAG),
    _value("04-2", "elbo_gap", check_elbo_gap),
    _function("04-3", "log_mean_exp", check_logmeanexp, lesson04.LOGMEANEXP),
    _choice("04-3a", "answer_mean"),
    _choice("04-3b", "answer_spread"),
    _choice("04-4", "answer_4"),
    _experiment("04-5a", "gap_means", check_gap_means, lesson04.gap_reference, lesson04.judge_gap_means, *_GAPS),
    _experiment("04-5b", "gap_diff", check_gap_difference, lesson04.gap_reference, lesson04.judge_gap_difference,
                *_GAPS),
    _value("05-1", "rate", check_rate_number),
    _value("05-2", "v_best", check_beta_variance),
    _function("05-3a", "kl_of_each_unit", check_kl_per_unit_function, lesson05.KL_UNITS),
    _function("05-3b", "count_active", check_active_count_function, lesson05.ACTIVE),
    _choice("05-4", "answer_4"),
    _experiment("05-5a", "label_cost", check_label_cost, lesson05.label_bound_reference, lesson05.judge_label_cost,
                *_LABELS),
    _experiment("05-5b", "cvae_accuracy", check_label_accuracy, lesson05.label_bound_reference,
                lesson05.judge_label_accuracy, *_LABELS),
    _choice("05-5c", "answer_5"),
    _value("06-1", "psnr_gray", check_gray_psnr, "photos.test[0]"),
    _function("06-2", "auc_by_pairs", check_auc_function, lesson06.AUC),
    _function("06-3", "threshold_for", check_threshold_function, lesson06.THRESHOLD),
    _value("06-4a", "fa_ordered", check_ordered_false_alarm),
    _value("06-4b", "fa_random", check_random_false_alarm),
    _choice("06-4c", "answer_4"),
    _choice("06-5", "answer_5"),
)


def exercises_of(lesson: str) -> tuple[Exercise, ...]:
    """The graded answers of lesson ``lesson`` ("01".."06"), in the order the lesson asks them."""
    return tuple(e for e in EXERCISES if e.lesson == lesson)

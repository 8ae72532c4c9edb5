"""utils.runtime: quick mode's switch, its training subset and its share of the epochs."""

import numpy as np
import pytest

from utils import recipes
from utils.runtime import mode_line, quick_batch_size, quick_epochs, quick_mode, quick_subset, quick_test_subset


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("YES", True), ("on", True), ("On", True), (" 1 ", True), ("TRUE", True),
    ("0", False), ("false", False), ("No", False), ("OFF", False), ("", False), ("  ", False),
])
def test_quick_mode_reads_the_documented_values(monkeypatch, value, expected):
    monkeypatch.setenv("CH11_QUICK", value)
    assert quick_mode() is expected


def test_quick_mode_unset_is_the_default_run(monkeypatch):
    monkeypatch.delenv("CH11_QUICK", raising=False)
    assert quick_mode() is False


@pytest.mark.parametrize("value", ["2", "y", "n", "1.0", "quick", "\uff11", "enable", "-1", "truee"])
def test_any_other_quick_value_is_refused_with_the_list(monkeypatch, value):
    monkeypatch.setenv("CH11_QUICK", value)
    with pytest.raises(ValueError) as err:
        quick_mode()
    message = str(err.value)
    assert message.startswith(f"CH11_QUICK is {value!r}; expected 1, true, yes or on for quick mode, 0, false, no, "
                              "off or empty for the default run (any case)")
    assert "set CH11_QUICK=1, or unset it" in message


def test_mode_line_says_which_mode_runs_and_what_quick_mode_cuts(monkeypatch):
    monkeypatch.delenv("CH11_QUICK", raising=False)
    line = mode_line()
    assert line.startswith("run mode: default") and "\n" not in line
    monkeypatch.setenv("CH11_QUICK", "ON")
    line = mode_line()
    assert line.startswith("run mode: quick (CH11_QUICK=ON)") and "\n" not in line
    for number in (f"{recipes.QUICK_TRAIN_IMAGES:,}", f"{recipes.QUICK_TEST_IMAGES:,}", "1/6", "1/2"):
        assert number in line
    assert quick_epochs(12) == 2          # what the line says is what the functions do


def test_default_mode_keeps_every_epoch_and_image(monkeypatch):
    monkeypatch.delenv("CH11_QUICK", raising=False)
    x, y = np.zeros((40000, 2)), np.arange(40000)
    assert quick_epochs(12) == 12 and quick_epochs(1) == 1 and quick_batch_size(128) == 128
    cut_x, cut_y = quick_subset(x, y)
    assert len(cut_x) == len(cut_y) == 40000 and np.shares_memory(cut_x, x)
    test_x, test_y = quick_test_subset(x[:10000], y[:10000])
    assert len(test_x) == len(test_y) == 10000


def test_quick_mode_trains_a_share_of_the_epochs_on_a_subset(monkeypatch):
    monkeypatch.setenv("CH11_QUICK", "1")
    share = recipes.QUICK_EPOCH_SHARE
    for epochs in (1, 2, 3, 5, 6, 10, 12, 15, 24):
        got = quick_epochs(epochs)
        assert got >= recipes.QUICK_EPOCHS and got <= max(recipes.QUICK_EPOCHS, epochs)
        assert abs(got - epochs * share) <= 0.5 or got == recipes.QUICK_EPOCHS
    assert quick_epochs(12) == 2 and quick_epochs(3) == 1          # notebook 04's VAE, notebook 02's AE
    x = np.zeros((60000, 2))
    assert len(quick_subset(x)) == recipes.QUICK_TRAIN_IMAGES < len(x)


def test_quick_batch_size(monkeypatch):
    monkeypatch.setenv("CH11_QUICK", "1")
    assert quick_batch_size(128) == int(128 * recipes.QUICK_BATCH_SHARE) < 128
    assert quick_batch_size(20) == 16 and quick_batch_size(8) == 8   # at least 16, never above the default
    with pytest.raises(ValueError, match="batch_size"):
        quick_batch_size(0)


def test_quick_mode_evaluates_on_the_first_test_images(monkeypatch):
    monkeypatch.setenv("CH11_QUICK", "1")
    x, y = np.arange(10000 * 3).reshape(10000, 3), np.arange(10000) % 10
    cut_x, cut_y = quick_test_subset(x, y)
    assert len(cut_x) == len(cut_y) == recipes.QUICK_TEST_IMAGES < len(x)
    np.testing.assert_array_equal(cut_x, x[:recipes.QUICK_TEST_IMAGES])     # the first ones, in order
    assert len(quick_test_subset(x[:50])) == 50                              # a smaller set stays whole

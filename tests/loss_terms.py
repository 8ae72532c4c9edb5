"""Shared check of the VAE tests (test_vae.py, test_cvae.py): a training history's loss terms."""

from __future__ import annotations

import pytest


def assert_loss_terms(history: dict) -> None:
    """The history reports loss = reconstruction + kl every epoch, kl > 0, and the loss falls."""
    assert {"loss", "reconstruction", "kl"} <= set(history)
    for loss, rec, kl in zip(history["loss"], history["reconstruction"], history["kl"]):
        assert loss == pytest.approx(rec + kl, rel=1e-4)
        assert kl > 0
    assert history["loss"][-1] < history["loss"][0]

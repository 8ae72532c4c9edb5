"""The benchmarks' goals and settings (``make bench``), kept out of the students' package.

``utils`` imports nothing from ``benchmarks``; these numbers are read by ``benchmarks.run``
and ``benchmarks.report`` only. The quality goals the notebooks assert themselves (``*_GOAL_*``
in ``utils/recipes.py``) stay there.
"""

from __future__ import annotations

SMOKE_TRAIN_IMAGES = 2000       # --smoke: training images
SMOKE_TEST_IMAGES = 1000        # --smoke: test images
REFERENCE_GFLOPS = 200.0        # seconds are also stated at this fp32 GEMM rate (time x measured rate / 200)

GOAL_AE_SSE_RATIO = 0.30        # stretch goal: AE test SSE / PCA's at p = 16 (notebook 02's cross-entropy recipe)
GOAL_DAE_PSNR_DB = 21.0         # stretch goal: DAE mean test PSNR (dB) at recipes.DAE_SIGMA
GOAL_VAE_TIME_RATIO = 0.10      # VAE seconds to the anchor's ELBO / the anchor's seconds
GOAL_LESSON_SECONDS = 240.0     # every lesson's default run, seconds at the reference rate (a lecture slot)
GOAL_QUICK_TIME_FRACTION = 0.25 # all notebooks' quick runs together <= this x their default runs together
GOAL_FIRST_EPOCH_RATIO = 1.5    # a training's first epoch <= this x its median later epoch
GOAL_NBVAL_RATIO = 1.3          # a notebook under strict nbval <= this x its default run

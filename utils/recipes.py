"""Every default the lessons and the benchmarks use, in one place.

The notebooks, the ``train_*`` functions, the builders and ``benchmarks/``
read these names; no value here is written anywhere else.
``benchmarks/RESULTS.md`` records the measurements behind the training settings.
Names follow the lecture: the latent size is p (``*_LATENT_SIZE*``).
"""

from __future__ import annotations

# --------------------------------------------------------------------------- the shared training path
SEED = 0                    # seeds weights, sampling and shuffling of a run (notebooks 02 and 03)
BATCH_SIZE = 128            # images per optimizer step
LEARNING_RATE = 1e-2        # peak rate of Adam
SCHEDULE = "cosine"         # linear warm-up, then cosine decay ("constant" is the other choice)
WARMUP_FRACTION = 0.05      # share of the steps spent warming up
FINAL_LR_FRACTION = 0.01    # the cosine decay ends at this share of the peak rate
STEPS_PER_EXECUTION = 16    # optimizer steps per call into the compiled graph
ADAM_BETAS = (0.9, 0.999)   # Adam's decay rates of its running gradient mean and mean square (Keras' defaults)

# --------------------------------------------------------------------------- autoencoder (notebook 02)
AE_WIDTHS = (16, 64)        # channels of the two stride-2 convolutions (and the mirrored decoder)
AE_KERNEL_SIZE = 3          # side of the square kernels
AE_EPOCHS = 3               # epochs per latent size
AE_LATENT_SIZES = (2, 16)   # the latent sizes p notebook 02 trains and compares with PCA (PCA at more)
AE_GOAL_LATENT_SIZE = 16    # the comparison point of the goal below (and of the benchmarks)
AE_GOAL_SSE_RATIO = 0.40    # goal notebook 02 asserts: the autoencoder's test SSE <= 0.40 x PCA's at p = 16
# notebook 02's second recipe at p = 16: sigmoid output trained on the Bernoulli cross-entropy (sum_cross_entropy),
# evaluated with the lecture's SSE like the first; about the first recipe's training seconds
AE_CE_WIDTHS = (16, 96)     # channels of the two stride-2 convolutions
AE_CE_EPOCHS = 2
AE_CE_BATCH_SIZE = 32
AE_CE_ADAM_BETAS = (0.8, 0.99)  # shorter memories than Keras' (0.9, 0.999): the run has only 3,750 steps
AE_CE_GOAL_SSE_RATIO = 0.32     # goal notebook 02 asserts for it: test SSE <= 0.32 x PCA's at p = 16

# --------------------------------------------------------------------------- denoising autoencoder (notebook 03)
DAE_LATENT_SIZE = 64        # latent size of the denoising autoencoder (and the plain one beside it)
DAE_EPOCHS = 5              # epochs of the denoising autoencoder
DAE_PLAIN_EPOCHS = 2        # epochs of the plain autoencoder it is compared with
DAE_SIGMA = 0.5             # standard deviation of the Gaussian corruption
DAE_NOISE_SEED = 1          # noise on the training images (redrawn every epoch from this seed)
DAE_TEST_NOISE_SEED = 2     # the one fixed noisy copy of the test images
DAE_MASK_FRACTION = 0.5     # share of pixels set to 0 by the masking corruption
DAE_GOAL_PSNR_DB = 20.0     # goal notebook 03 asserts: the denoising autoencoder's mean test PSNR at DAE_SIGMA

# --------------------------------------------------------------------------- repeated trainings over seeds (notebooks 02 and 03)
# A claim about a training recipe rests on several seeds; these runs are smaller than the lessons' main ones
# so that they fit in a lesson's time.
AE_ABLATION_TRAIN_IMAGES = 4000     # notebook 02: the first training images of each run of the recipe ablation
AE_ABLATION_TEST_IMAGES = 2000      # notebook 02: the first test images each ablation run is evaluated on
AE_ABLATION_QUICK_TRAIN_IMAGES = 2000   # ... in quick mode
AE_ABLATION_SEEDS = (0, 1, 2)       # notebook 02: the seeds every ablation step is trained with
DAE_SEED_TRAIN_IMAGES = 15000       # notebook 03: the first training images of each DAE of the noise-level comparison
DAE_SEED_QUICK_TRAIN_IMAGES = 2000  # ... in quick mode
DAE_SEED_EPOCHS = 3                 # notebook 03: epochs of each of those DAEs
DAE_SEEDS = (0, 1, 2)               # notebook 03: the seeds each training noise level is trained with
DAE_MIXED_SIGMA_MAX = 0.9           # notebook 03: the mixed DAE draws each image's sigma uniformly from [0, this]
QUICK_SEEDS = (0, 1)                # quick mode: the seeds of those comparisons (notebooks 02 and 03)

# --------------------------------------------------------------------------- variational autoencoder (notebook 04)
VAE_LATENT_SIZES = (2, 16)  # the latent sizes p notebook 04 trains
VAE_SEED = 11               # seed of notebook 04's runs
VAE_EPOCHS = 12
VAE_BATCH_SIZE = 128
VAE_LEARNING_RATE = 3e-3
VAE_ENCODER_WIDTHS = (8, 16)    # channels of the encoder's two stride-2 convolutions
VAE_ENCODER_HIDDEN = 128        # units of the encoder's Dense layer
VAE_DECODER_WIDTHS = (16, 32)   # the decoder's grid channels, mirrored: Dense -> 7x7x32 -> 14x14x16 -> 28x28x1
VAE_DECODER_HIDDEN = 256        # units of the decoder's first Dense layer
VAE_DECODER_FINAL_KERNEL = 2    # kernel of the last transposed convolution (equal to its stride)
VAE_BINARIZE_THRESHOLD = 0.5    # pixels above it become 1
VAE_IS_SAMPLES = 100            # importance samples per image for log p(x)
VAE_GOAL_LATENT_SIZE = 2        # the latent size of the goal below (and of the benchmarks)
VAE_GOAL_ELBO = -150.0          # goal: mean test ELBO (nats) at p = 2

# --------------------------------------------------------------------------- conditional and beta VAE (notebook 05)
# batch size, learning rate and schedule are notebook 04's (VAE_BATCH_SIZE, VAE_LEARNING_RATE, SCHEDULE)
N_CLASSES = 10                  # digits 0-9, the label y of the conditional VAE
CVAE_LATENT_SIZE = 2            # p of the conditional VAE: two style sliders
CVAE_EPOCHS = 10
CVAE_SEED = 15
BETA_LATENT_SIZE = 16           # p of the beta models: room for units to switch off
BETA_VALUES = (0.5, 1.0, 4.0)   # weights of the inference loss
BETA_EPOCHS = 6
BETA_SEED = 15
ACTIVE_UNIT_THRESHOLD = 0.01    # Burda et al. 2016: Var_x(mu_j(x)) above this counts as active

# --------------------------------------------------------------------------- intervals and seeds (notebooks 04 and 05)
# Notebook 04 trains its two VAEs for fewer epochs than 06 and the benchmarks, and scores log p(x) on fewer images
# (its standard error is printed). Notebook 05 pays for the plain VAE beside the conditional one and for three seeds
# of every beta with shorter runs at batch 64
# (at a fixed number of epochs these models train further at batch 64 than at 128, for about 1.2x the seconds).
NB04_VAE_EPOCHS = 8             # epochs of notebook 04's two VAEs (and its solutions), so that the lesson fits a lecture slot;
                                # 06 keeps VAE_EPOCHS
NB04_QUICK_VAE_EPOCHS = 1       # ... in quick mode, one epoch at batch NB04_QUICK_VAE_BATCH_SIZE: p = 2 trains on all images
NB04_QUICK_VAE_BATCH_SIZE = 32  # (its quick goal below). Measured: test ELBO -161 nats at batch 32 against -168 at 64
                                # after one epoch, and -161 after two epochs at 64, which take 1.6x the seconds
NB04_IS_IMAGES = 4000           # test images of notebook 04's importance-sampled log p(x) (the first ones)
NB04_QUICK_IS_IMAGES = 500      # ... in quick mode
NB05_BATCH_SIZE = 64            # every training of notebook 05, in quick mode too
NB05_CVAE_EPOCHS = 2            # the conditional VAE and the plain VAE of the same size beside it, all training images
NB05_BETA_EPOCHS = 2            # each beta model (p = BETA_LATENT_SIZE) ...
NB05_BETA_TRAIN_IMAGES = 25000  # ... on the first this many training images (so that the lesson fits a lecture slot)
NB05_BETA_SEEDS = (15, 16, 17)  # each beta is trained from every seed; the figures show the first seed's models
NB05_QUICK_BETA_SEEDS = 2       # quick mode: the first two seeds ...
NB05_QUICK_BETA_IMAGES = 2000   # ... on this many training images, one epoch
NB05_KNN_REFERENCE_IMAGES = 10000   # training images whose codes vote in the nearest-neighbour label check
NB05_KNN_K = 25                 # neighbours per vote
NB05_RATE_DRAWS = 1000          # Monte Carlo draws of the rate split I_q(x; z) + KL(q_bar || p)
NB05_ACTIVE_THRESHOLDS = (0.001, 0.003, 0.01, 0.03, 0.1)   # thresholds of Var_x mu_j(x) the active-unit count is read at

# --------------------------------------------------------------------------- applications (notebook 06)
COLOR_MAX_SIDE = 160            # photographs shrunk to this longer side (pixels)
COLOR_TEST_PHOTOS = 60          # photographs held out for testing (chosen at random by photograph)
COLOR_PATCH = 32                # side of the colorization's training patches
COLOR_STRIDE = 32               # step between patches (patches do not overlap)
COLOR_WIDTHS = (16, 32, 64)     # channels of the colorizer's encoder convolutions (two of them with stride 2)
COLOR_EPOCHS = 16               # notebook 06's default run on the GCompris photographs
COLOR_LEARNING_RATE = 1e-3
COLOR_BATCH_SIZE = 64

# --------------------------------------------------------------------------- quick mode (CH11_QUICK=1)
QUICK_TRAIN_IMAGES = 10000  # training images kept in quick mode (utils.runtime.quick_subset), with half-size batches
QUICK_EPOCH_SHARE = 1 / 6   # quick mode trains this share of a run's epochs (utils.runtime.quick_epochs) ...
QUICK_EPOCHS = 1            # ... and at least this many
QUICK_BATCH_SHARE = 0.5     # quick mode halves the batches (utils.runtime.quick_batch_size)
QUICK_TEST_IMAGES = 2000    # test images kept for the evaluations in quick mode (utils.runtime.quick_test_subset)
QUICK_GOAL_VAE_ELBO = -165.0    # goal: notebook 04's test ELBO at p = 2 in quick mode (nats)

"""Shared code of the chapter-11 notebooks (autoencoder, denoising AE, VAE).

Import by topic, e.g. ``from utils.data import load_dataset``. Each module's
docstring names the notebook that first teaches what it holds.
"""

__version__ = "0.2.0"

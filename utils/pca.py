"""Principal component analysis in numpy: the linear baseline of the autoencoder.

Notebook 02 (``02_autoencoder.ipynb``) introduces it: PCA with k components is
the best *linear* encoder/decoder pair of code size k under the sum of squared
errors, so it is the yardstick for the autoencoder at the same code size.
Notebook 03 (``03_denoising_autoencoder.ipynb``) uses the projection as a denoiser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: ``z = (x - mean) V`` encodes, ``x~ = mean + z V^T`` decodes.

    Attributes
    ----------
    mean : (d,) mean of the training images, flattened.
    components : (d, k) orthonormal columns, by decreasing variance.
    variances : (k,) variance along each component.
    image_shape : shape of one image, restored by :meth:`decode`.
    """

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    image_shape: tuple

    @property
    def n_components(self) -> int:
        return self.components.shape[1]

    def truncate(self, k: int) -> "PCA":
        """The same PCA keeping only its first ``k`` components."""
        _check_k(k, self.n_components)
        return PCA(self.mean, self.components[:, :k], self.variances[:k], self.image_shape)

    def encode(self, images) -> np.ndarray:
        """Codes z of shape (n, k)."""
        x = np.asarray(images, dtype=np.float32)
        d = self.mean.size
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != d:
            raise ValueError(f"images have shape {x.shape}; expected (n, ...) with {d} values per image, "
                             f"e.g. (n, {', '.join(map(str, self.image_shape))})")
        return (x.reshape(len(x), d) - self.mean) @ self.components

    def decode(self, z) -> np.ndarray:
        """Images of shape (n, *image_shape) from codes (n, k)."""
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.n_components:
            raise ValueError(f"z has shape {z.shape}; expected (n, {self.n_components})")
        x = self.mean + z @ self.components.T
        return x.reshape((len(z),) + tuple(self.image_shape)).astype(np.float32)

    def reconstruct(self, images) -> np.ndarray:
        """decode(encode(images)): the projection onto the first k components."""
        return self.decode(self.encode(images))


def _check_k(k: int, largest: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"n_components is {k!r}; expected an int")
    if not 1 <= k <= largest:
        raise ValueError(f"n_components is {k}; expected 1 to {largest}")


def fit_pca(images, n_components: int) -> PCA:
    """Fit PCA on training images through the eigen-decomposition of their covariance matrix.

    Component signs are fixed so that each component's largest-magnitude
    entry is positive (the fit is then reproducible).

    Parameters
    ----------
    images : (n, ...) training images, n >= 2.
    n_components : code size k, 1 <= k <= number of pixels.

    Raises
    ------
    ValueError
        For fewer than two images or k outside [1, d].
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"images have shape {x.shape}; expected at least 2 images, (n, ...)")
    image_shape = tuple(x.shape[1:])
    x = x.reshape(len(x), -1)
    _check_k(n_components, x.shape[1])
    mean = x.mean(axis=0, dtype=np.float64)
    centred = x - mean.astype(np.float32)
    cov = (centred.T @ centred).astype(np.float64) / (len(x) - 1)
    values, vectors = np.linalg.eigh(cov)                      # ascending order
    order = np.argsort(values)[::-1][:n_components]
    values, vectors = values[order], vectors[:, order]
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(n_components)])
    vectors = vectors * signs
    return PCA(mean.astype(np.float32), vectors.astype(np.float32),
               np.clip(values, 0, None).astype(np.float32), image_shape)

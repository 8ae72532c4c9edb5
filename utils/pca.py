"""Principal component analysis in numpy: the linear baseline of the autoencoder.

Notebook 02 (``02_autoencoder.ipynb``) introduces it: PCA with k components is
the best *linear* encoder/decoder pair of code size k under the sum of squared
errors, so it is the yardstick for the autoencoder at the same code size.
Notebook 03 (``03_denoising_autoencoder.ipynb``) uses the projection as a denoiser;
notebook 04's slider widget (:mod:`utils.widgets`) walks the leading principal
directions of a VAE's latent means with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utils.validation import check_array, check_images, check_int


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: ``z = (x - mean) V`` encodes, ``x~ = mean + z V^T`` decodes.

    Attributes
    ----------
    mean : (d,) mean of the training images, flattened.
    components : (d, k) orthonormal columns, by decreasing variance.
    variances : (k,) variance along each component.
    image_shape : shape of one example, restored by :meth:`decode`.
    total_variance : the data's total variance (the sum over all d directions).
    """

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    image_shape: tuple
    total_variance: float = float("nan")

    @property
    def n_components(self) -> int:
        return self.components.shape[1]

    @property
    def explained(self) -> np.ndarray:
        """(k,) share of the total variance along each component (0 for data without spread)."""
        if not self.total_variance > 0:
            return np.zeros_like(self.variances)
        return self.variances / np.float32(self.total_variance)

    def truncate(self, k: int) -> "PCA":
        """The same PCA keeping only its first ``k`` components."""
        k = _check_k(k, self.n_components)
        return PCA(self.mean, self.components[:, :k], self.variances[:k], self.image_shape, self.total_variance)

    def encode(self, images) -> np.ndarray:
        """Codes z of shape (n, k)."""
        x = _check_data(images, "images", min_len=1)
        d = self.mean.size
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != d:
            raise ValueError(f"images have shape {x.shape}; expected (n, ...) with {d} values per image, "
                             f"e.g. (n, {', '.join(map(str, self.image_shape))})")
        return (x.reshape(len(x), d) - self.mean) @ self.components

    def decode(self, z) -> np.ndarray:
        """Images of shape (n, *image_shape) from codes (n, k)."""
        z = check_array(z, "z")
        if z.ndim != 2 or z.shape[1] != self.n_components:
            raise ValueError(f"z has shape {z.shape}; expected (n, {self.n_components})")
        x = self.mean + z @ self.components.T
        return x.reshape((len(z),) + tuple(self.image_shape)).astype(np.float32)

    def reconstruct(self, images) -> np.ndarray:
        """decode(encode(images)): the projection onto the first k components."""
        return self.decode(self.encode(images))


def _check_k(k: int, largest: int) -> int:
    return check_int(k, "n_components", minimum=1, maximum=largest)


def _check_data(images, name: str, min_len: int) -> np.ndarray:
    """Finite numbers; integer pixels above 1 (0..255) are refused as everywhere in utils."""
    raw = np.asarray(images) if not isinstance(images, (str, bytes)) and images is not None else images
    if isinstance(raw, np.ndarray) and np.issubdtype(raw.dtype, np.integer) and raw.ndim >= 2:
        return check_images(raw, name, layouts=(raw.ndim,), min_len=min_len)
    return check_array(images, name, min_len=min_len)


def fit_pca(images, n_components: int) -> PCA:
    """Fit PCA on training images through the eigen-decomposition of their covariance matrix.

    Component signs are fixed so that each component's largest-magnitude
    entry is positive (the fit is then reproducible).

    Parameters
    ----------
    images : (n, ...) training images (float pixels), or any (n, d) data such as latent means; n >= 2.
    n_components : number of components k, 1 <= k <= d.

    Raises
    ------
    TypeError, ValueError
        For fewer than two examples, NaN or infinite values, integer 0..255 pixels
        (divide by 255 first) or k outside [1, d].
    """
    x = _check_data(images, "images", min_len=2)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"images have shape {x.shape}; expected at least 2 images, (n, ...)")
    image_shape = tuple(x.shape[1:])
    x = x.reshape(len(x), -1)
    n_components = _check_k(n_components, x.shape[1])
    mean = x.mean(axis=0, dtype=np.float64)
    centred = x - mean.astype(np.float32)
    cov = (centred.T @ centred).astype(np.float64) / (len(x) - 1)
    values, vectors = np.linalg.eigh(cov)                      # ascending order
    order = np.argsort(values)[::-1][:n_components]
    values, vectors = values[order], vectors[:, order]
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(n_components)])
    vectors = vectors * signs
    return PCA(mean.astype(np.float32), vectors.astype(np.float32),
               np.clip(values, 0, None).astype(np.float32), image_shape,
               float(np.clip(np.trace(cov), 0, None)))

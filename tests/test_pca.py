"""utils.pca: the numpy PCA against its defining properties."""

import numpy as np
import pytest

from utils.pca import fit_pca


def test_pca_recovers_a_plane_and_is_orthonormal():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    x = (rng.standard_normal((500, 2)) * [3.0, 1.0]) @ basis.T + 0.2
    p = fit_pca(x.reshape(500, 2, 3), 2)
    np.testing.assert_allclose(p.components.T @ p.components, np.eye(2), atol=1e-5)
    np.testing.assert_allclose(p.reconstruct(x.reshape(500, 2, 3)), x.reshape(500, 2, 3), atol=1e-4)
    assert p.variances[0] == pytest.approx(9.0, rel=0.15) and p.variances[1] == pytest.approx(1.0, rel=0.15)
    assert p.encode(x.reshape(500, 2, 3)).shape == (500, 2)


def test_truncation_error_equals_dropped_variance():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2000, 5)) * [3, 2, 1, 0.5, 0.1]
    p = fit_pca(x, 5)
    err = np.sum((p.truncate(2).reconstruct(x) - x) ** 2, axis=1).mean()
    assert err == pytest.approx(p.variances[2:].sum() * (len(x) - 1) / len(x), rel=1e-4)


def test_pca_bad_input():
    x = np.zeros((10, 4))
    with pytest.raises(ValueError, match="n_components is 0"):
        fit_pca(x, 0)
    with pytest.raises(ValueError, match=r"n_components is 5; expected an int in \[1, 4\]"):
        fit_pca(x, 5)
    p = fit_pca(np.random.default_rng(0).random((10, 4)), 2)
    with pytest.raises(ValueError, match="4 values per image"):
        p.encode(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"expected \(n, 2\)"):
        p.decode(np.zeros((3, 3)))


def test_eigen_pca_matches_numpys_svd_on_mnist():
    """The kept hand-written PCA (eigenvectors of the covariance, as students write it) against numpy's SVD of
    the centred data: the same components (up to sign), variances and reconstructions."""
    from utils.data import load_dataset

    (x_train, _), (x_test, _) = load_dataset("mnist")
    x = x_train[:3000].reshape(3000, -1).astype(np.float64)
    k = 16
    p = fit_pca(x_train[:3000], k)
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    variances = s[:k] ** 2 / (len(x) - 1)
    np.testing.assert_allclose(p.variances, variances, rtol=1e-4)
    cosines = np.abs(np.sum(p.components.astype(np.float64) * vt[:k].T, axis=0))
    np.testing.assert_allclose(cosines, 1.0, atol=1e-4)              # the same directions, up to sign
    assert p.total_variance == pytest.approx(np.sum(s ** 2) / (len(x) - 1), rel=1e-5)
    test = x_test[:200].reshape(200, -1).astype(np.float64)
    svd_reconstruction = x.mean(axis=0) + (test - x.mean(axis=0)) @ vt[:k].T @ vt[:k]
    np.testing.assert_allclose(p.reconstruct(x_test[:200]).reshape(200, -1), svd_reconstruction, atol=2e-4)

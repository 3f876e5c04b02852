"""Pooling and upsampling kernels against the NumPy references and finite differences (float64)."""

import numpy as np
import pytest
import reference
import reference_conv

from engine.kernels.pool import (
    avg_pool2d_bwd,
    avg_pool2d_fwd,
    global_avg_pool2d_bwd,
    global_avg_pool2d_fwd,
    max_pool2d_bwd,
    max_pool2d_fwd,
    upsample2d_nearest_bwd,
    upsample2d_nearest_fwd,
)

POOL_CASES = [  # (input shape, kernel, stride, padding)
    ((2, 3, 8, 8), 2, 2, 0),     # 2x2 without padding: the comparison-tree fast path
    ((1, 2, 5, 6), 2, 1, 0),
    ((1, 2, 7, 9), 3, 2, 1),
    ((2, 1, 6, 5), 3, 1, 0),
    ((1, 2, 5, 5), 2, 3, 1),
]


def pool_geometry(shape, kernel, stride, padding):
    out_h = (shape[2] + 2 * padding - kernel) // stride + 1
    out_w = (shape[3] + 2 * padding - kernel) // stride + 1
    return np.array([kernel, kernel, stride, stride, padding, padding, out_h, out_w], np.int64)


def pool_forward(kind, x, geometry):
    n, c = x.shape[:2]
    planes = x.reshape(n * c, *x.shape[2:])
    y = np.empty((n * c, geometry[6], geometry[7]), x.dtype)
    if kind == "max":
        argmax = np.empty(y.shape, np.int64)
        max_pool2d_fwd(planes, geometry, y, argmax)
        return y.reshape(n, c, *y.shape[1:]), argmax
    avg_pool2d_fwd(planes, geometry, y)
    return y.reshape(n, c, *y.shape[1:]), None


def pool_backward(kind, x, geometry, argmax, grad_y):
    n, c = x.shape[:2]
    grad_x = np.empty((n * c, *x.shape[2:]))
    g = grad_y.reshape(n * c, *grad_y.shape[2:])
    if kind == "max":
        max_pool2d_bwd(g, argmax, grad_x)
    else:
        avg_pool2d_bwd(g, geometry, grad_x)
    return grad_x.reshape(x.shape)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pool_matches_reference_and_finite_differences(kind, case, rng):
    shape, kernel, stride, padding = case
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0  # distinct values: max has one winner
    geometry = pool_geometry(shape, kernel, stride, padding)
    y, argmax = pool_forward(kind, x, geometry)
    np.testing.assert_allclose(y, reference_conv.pool2d(x, kernel, stride, padding, kind), rtol=1e-12)
    grad_y = rng.standard_normal(y.shape)
    analytic = pool_backward(kind, x, geometry, argmax, grad_y)
    objective = lambda: float(np.sum(pool_forward(kind, x, geometry)[0] * grad_y))  # noqa: E731
    np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, x, eps=1e-4), rtol=1e-6, atol=1e-8)


def test_max_pool_propagates_nan():
    x = np.ones((1, 4, 4))
    x[0, 1, 1] = np.nan
    y, argmax = np.empty((1, 2, 2)), np.empty((1, 2, 2), np.int64)
    max_pool2d_fwd(x, pool_geometry((1, 1, 4, 4), 2, 2, 0), y, argmax)
    assert np.isnan(y[0, 0, 0]) and np.isfinite(y[0, 1, 1])


def test_global_avg_pool_matches_mean_and_spreads_gradient(rng):
    planes = rng.standard_normal((6, 20))
    pooled = np.empty(6)
    global_avg_pool2d_fwd(planes, pooled)
    np.testing.assert_allclose(pooled, planes.mean(axis=1))
    grad = np.empty_like(planes)
    global_avg_pool2d_bwd(np.arange(6.0), grad)
    np.testing.assert_allclose(grad, np.repeat(np.arange(6.0)[:, None] / 20, 20, axis=1))


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_upsample_nearest_matches_reference_and_is_adjoint(scale, rng):
    x = rng.standard_normal((4, 3, 5))
    y = np.empty((4, 3 * scale, 5 * scale))
    upsample2d_nearest_fwd(x, scale, y)
    np.testing.assert_array_equal(y, reference_conv.upsample_nearest(x[None], scale)[0])
    grad_y = rng.standard_normal(y.shape)
    grad_x = np.empty_like(x)
    upsample2d_nearest_bwd(grad_y, scale, grad_x)
    assert np.isclose(np.sum(y * grad_y), np.sum(x * grad_x))

"""Convolution and patch kernels against the NumPy references and finite differences (float64)."""

import numpy as np
import pytest
import reference
import reference_conv

from engine.kernels.codes import ACT_LINEAR
from engine.kernels.conv import conv2d_bwd, conv2d_fwd, conv2d_transpose_bwd, conv2d_transpose_fwd
from engine.kernels.patch import patches_bwd, patches_fwd


def conv_geometry(k, stride, top, left, dilation, out_h, out_w):
    return np.array([k, k, stride, stride, top, left, dilation, dilation, out_h, out_w], np.int64)


def conv_case(shape, out_channels, k, stride, pad, dilation, rng, dtype=np.float64):
    """Inputs, weights and the geometry of one conv; pad = (top, bottom, left, right)."""
    n, c, h, w = shape
    span = dilation * (k - 1) + 1
    out_h = (h + pad[0] + pad[1] - span) // stride + 1
    out_w = (w + pad[2] + pad[3] - span) // stride + 1
    x = rng.standard_normal(shape).astype(dtype)
    weight = rng.standard_normal((out_channels, c, k, k)).astype(dtype)
    bias = rng.standard_normal(out_channels).astype(dtype)
    return x, weight, bias, conv_geometry(k, stride, pad[0], pad[2], dilation, out_h, out_w)


def conv_forward(x, weight, bias, geometry):
    out_h, out_w = geometry[8], geometry[9]
    y = np.empty((x.shape[0], weight.shape[0], out_h * out_w), x.dtype)
    cols = np.empty((1, weight[0].size, out_h * out_w), x.dtype)
    conv2d_fwd(x, weight.reshape(len(weight), -1), bias, ACT_LINEAR, geometry, cols, y, y)
    return y.reshape(x.shape[0], weight.shape[0], out_h, out_w)


def conv_backward(x, weight, bias, geometry, grad_y, keep=False):
    """keep: the forward pass first stores every sample's patches and backward reuses them."""
    w2 = weight.reshape(len(weight), -1)
    cols = np.empty((len(x) if keep else 1, w2.shape[1], grad_y.shape[2] * grad_y.shape[3]), x.dtype)
    if keep:
        y = np.empty((len(x), len(weight), cols.shape[2]), x.dtype)
        conv2d_fwd(x, w2, bias, ACT_LINEAR, geometry, cols, y, y)
    gx, gw, gb = np.empty_like(x), np.empty_like(w2), np.empty_like(bias)
    scratch = np.empty((2, w2.shape[1], w2.shape[0]), x.dtype)
    g = grad_y.reshape(len(x), len(weight), -1)
    conv2d_bwd(x, w2, ACT_LINEAR, g, g, g, geometry, cols, keep, scratch, g, gx, gw, gb, True)
    return gx, gw.reshape(weight.shape), gb


CONV_CASES = [  # (input shape, out channels, kernel, stride, (top, bottom, left, right), dilation)
    ((2, 3, 7, 6), 4, 3, 1, (0, 0, 0, 0), 1),
    ((2, 2, 8, 9), 3, 3, 2, (1, 1, 1, 1), 1),
    ((1, 2, 9, 9), 2, 3, 1, (2, 2, 2, 2), 2),
    ((2, 1, 6, 7), 3, 4, 1, (1, 2, 1, 2), 1),   # even kernel, asymmetric "same" padding
    ((1, 3, 10, 8), 2, 5, 3, (2, 2, 2, 2), 1),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_reference(case, rng):
    shape, out_channels, k, stride, pad, dilation = case
    x, weight, bias, geometry = conv_case(shape, out_channels, k, stride, pad, dilation, rng, np.float32)
    expected = reference_conv.conv2d(x.astype(np.float64), weight.astype(np.float64), bias, stride, pad, dilation)
    np.testing.assert_allclose(conv_forward(x, weight, bias, geometry), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_gradients_match_finite_differences(case, rng):
    shape, out_channels, k, stride, pad, dilation = case
    x, weight, bias, geometry = conv_case(shape, out_channels, k, stride, pad, dilation, rng)
    grad_y = rng.standard_normal(conv_forward(x, weight, bias, geometry).shape)
    gx, gw, gb = conv_backward(x, weight, bias, geometry, grad_y)
    for kept, recomputed in zip(conv_backward(x, weight, bias, geometry, grad_y, keep=True), (gx, gw, gb)):
        np.testing.assert_array_equal(kept, recomputed)
    objective = lambda: float(np.sum(conv_forward(x, weight, bias, geometry) * grad_y))  # noqa: E731
    for analytic, tensor in ((gx, x), (gw, weight), (gb, bias)):
        np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, tensor), rtol=1e-6, atol=1e-8)


def transpose_case(shape, out_channels, k, stride, padding, output_padding, rng):
    n, c, h, w = shape
    out_h = (h - 1) * stride - 2 * padding + k + output_padding
    out_w = (w - 1) * stride - 2 * padding + k + output_padding
    x = rng.standard_normal(shape)
    weight = rng.standard_normal((c, out_channels, k, k))
    bias = rng.standard_normal(out_channels)
    return x, weight, bias, conv_geometry(k, stride, padding, padding, 1, h, w), (out_h, out_w)


def transpose_forward(x, weight, bias, geometry, out_size):
    n, c, h, w = x.shape
    y = np.empty((n, weight.shape[1], *out_size))
    cols = np.empty((weight[0].size, h * w))
    conv2d_transpose_fwd(x.reshape(n, c, -1), weight.reshape(c, -1), bias, geometry, cols, y)
    return y


TRANSPOSE_CASES = [  # (input shape, out channels, kernel, stride, padding, output_padding)
    ((2, 3, 4, 5), 2, 3, 1, 0, 0),
    ((1, 2, 3, 3), 3, 3, 2, 1, 1),
    ((2, 2, 4, 4), 2, 4, 2, 1, 0),
    ((1, 1, 3, 2), 2, 2, 3, 0, 2),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES)
def test_conv2d_transpose_matches_reference_and_finite_differences(case, rng):
    x, weight, bias, geometry, out_size = transpose_case(*case, rng)
    y = transpose_forward(x, weight, bias, geometry, out_size)
    stride, padding, output_padding = case[3:]
    np.testing.assert_allclose(y, reference_conv.conv2d_transpose(x, weight, bias, stride, padding, output_padding),
                               rtol=1e-10, atol=1e-10)
    n, c = x.shape[:2]
    grad_y = rng.standard_normal(y.shape)
    w2 = weight.reshape(c, -1)
    gx, gw, gb = np.empty((n, c, x[0, 0].size)), np.empty_like(w2), np.empty_like(bias)
    cols = np.empty((w2.shape[1], x[0, 0].size))
    scratch = np.empty((2, w2.shape[1], c))
    conv2d_transpose_bwd(x.reshape(n, c, -1), w2, grad_y, geometry, cols, scratch, gx, gw, gb, True)
    objective = lambda: float(np.sum(transpose_forward(x, weight, bias, geometry, out_size) * grad_y))  # noqa: E731
    for analytic, tensor in ((gx.reshape(x.shape), x), (gw.reshape(weight.shape), weight), (gb, bias)):
        np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, tensor), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("shape, p", [((2, 3, 8, 8), 4), ((1, 2, 7, 5), 2)])
def test_patches_match_reference_and_are_adjoint(shape, p, rng):
    x = rng.standard_normal(shape)
    rows = (shape[2] // p) * (shape[3] // p) * shape[0]
    patches = np.empty((rows, shape[1] * p * p))
    patches_fwd(x, p, patches)
    np.testing.assert_array_equal(patches, reference_conv.patches(x, p))
    grad_patches = rng.standard_normal(patches.shape)
    grad_x = np.empty_like(x)
    patches_bwd(grad_patches, p, grad_x)
    # the adjoint identity <P x, g> = <x, P^T g> is the gradient check of a linear map
    assert np.isclose(np.sum(patches * grad_patches), np.sum(x * grad_x))

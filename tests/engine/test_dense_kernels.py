"""Dense kernels against the NumPy reference, finite differences and torch.nn.Linear."""

import numpy as np
import pytest
import reference

from engine.kernels.dense import dense_bwd, dense_fwd


def forward(x, w, b):
    y = np.empty((x.shape[0], w.shape[0]), x.dtype)
    dense_fwd(x, w, b, y)
    return y


def backward(x, w, b, grad_y):
    gx, gw, gb = np.empty_like(x), np.empty_like(w), np.empty_like(b)
    dense_bwd(x, w, grad_y, gx, gw, gb, True)
    return gx, gw, gb


@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_matches_reference(use_bias, rng):
    x, w = rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32) if use_bias else np.empty(0, np.float32)
    grad_y = rng.standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(forward(x, w, b), reference.dense(x, w, b), rtol=1e-5, atol=1e-6)
    gx, gw, gb = backward(x, w, b, grad_y)
    ref_gx, ref_gw, ref_gb = reference.dense_grads(x.astype(np.float64), w.astype(np.float64), grad_y.astype(np.float64))
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw, ref_gw, rtol=1e-5, atol=1e-6)
    if use_bias:
        np.testing.assert_allclose(gb, ref_gb, rtol=1e-5, atol=1e-6)


def test_dense_gradients_match_finite_differences(rng):
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    grad_y = rng.standard_normal((4, 2))
    gx, gw, gb = backward(x, w, b, grad_y)
    objective = lambda: float(np.sum(forward(x, w, b) * grad_y))  # noqa: E731
    for analytic, tensor in ((gx, x), (gw, w), (gb, b)):
        np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, tensor), rtol=1e-7, atol=1e-9)


def test_dense_matches_torch_linear(rng, torch):
    x = rng.standard_normal((64, 784)).astype(np.float32)
    layer = torch.nn.Linear(784, 128)
    tx = torch.tensor(x, requires_grad=True)
    ty = layer(tx)
    grad_y = rng.standard_normal((64, 128)).astype(np.float32)
    ty.backward(torch.tensor(grad_y))
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    np.testing.assert_allclose(forward(x, w, b), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    gx, gw, gb = backward(x, w, b, grad_y)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, layer.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gb, layer.bias.grad.numpy(), rtol=1e-4, atol=1e-4)

"""Batch norm and layer norm kernels against references, finite differences and torch."""

import numpy as np
import pytest
import reference

from engine.kernels.norm import batch_norm_bwd, batch_norm_fwd_eval, batch_norm_fwd_train, layer_norm_bwd, layer_norm_fwd


def bn_train(x3, weight, bias, running_mean, running_var, momentum=0.1, eps=1e-5):
    channels = x3.shape[1]
    x_hat, y = np.empty_like(x3), np.empty_like(x3)
    mean, inv_std = np.empty(channels, x3.dtype), np.empty(channels, x3.dtype)
    batch_norm_fwd_train(x3, weight, bias, running_mean, running_var, momentum, eps, x_hat, mean, inv_std, y)
    return y, x_hat, inv_std


def bn_grads(x3, weight, bias, grad_y):
    _, x_hat, inv_std = bn_train(x3, weight, bias, np.zeros_like(weight), np.ones_like(weight))
    gx, gw, gb = np.empty_like(x3), np.empty_like(weight), np.empty_like(bias)
    batch_norm_bwd(grad_y, x_hat, weight, inv_std, gx, gw, gb)
    return gx, gw, gb


def ln_forward(x, weight, bias, eps=1e-5):
    x_hat, y = np.empty_like(x), np.empty_like(x)
    mean, inv_std = np.empty(x.shape[0], x.dtype), np.empty(x.shape[0], x.dtype)
    layer_norm_fwd(x, weight, bias, eps, x_hat, mean, inv_std, y)
    return y, x_hat, inv_std


def ln_grads(x, weight, bias, grad_y):
    _, x_hat, inv_std = ln_forward(x, weight, bias)
    gx, gw, gb = np.empty_like(x), np.empty_like(weight), np.empty_like(bias)
    layer_norm_bwd(grad_y, x_hat, weight, inv_std, gx, gw, gb)
    return gx, gw, gb


@pytest.mark.parametrize("shape", [(8, 5, 1), (4, 3, 6)])
def test_batch_norm_train_matches_reference(shape, rng):
    x3 = rng.standard_normal(shape).astype(np.float32)
    weight, bias = rng.standard_normal(shape[1]).astype(np.float32), rng.standard_normal(shape[1]).astype(np.float32)
    y, _, _ = bn_train(x3, weight, bias, np.zeros_like(weight), np.ones_like(weight))
    ref, _, _ = reference.batch_norm_train(x3.astype(np.float64), weight, bias, 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(6, 3, 1), (3, 2, 4)])
def test_batch_norm_gradients_match_finite_differences(shape, rng):
    x3, weight, bias = rng.standard_normal(shape), rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    grad_y = rng.standard_normal(shape)
    objective = lambda: float(np.sum(bn_train(x3, weight, bias, np.zeros_like(weight), np.ones_like(weight))[0] * grad_y))  # noqa: E731
    gx, gw, gb = bn_grads(x3, weight, bias, grad_y)
    for analytic, tensor in ((gx, x3), (gw, weight), (gb, bias)):
        np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, tensor), rtol=1e-6, atol=1e-8)


def test_batch_norm_matches_torch_in_training_and_eval(rng, torch):
    x = rng.standard_normal((16, 6)).astype(np.float32) * 3 + 1
    module = torch.nn.BatchNorm1d(6)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(rng.standard_normal(6).astype(np.float32)))
        module.bias.copy_(torch.tensor(rng.standard_normal(6).astype(np.float32)))
    weight, bias = module.weight.detach().numpy().copy(), module.bias.detach().numpy().copy()
    running_mean, running_var = np.zeros(6, np.float32), np.ones(6, np.float32)
    grad_y = rng.standard_normal((16, 6)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = module(tx)
    ty.backward(torch.tensor(grad_y))
    y, x_hat, inv_std = bn_train(x.reshape(16, 6, 1), weight, bias, running_mean, running_var)
    np.testing.assert_allclose(y.reshape(16, 6), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(running_mean, module.running_mean.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(running_var, module.running_var.numpy(), rtol=1e-6)  # unbiased, as torch
    gx, gw, gb = np.empty((16, 6, 1), np.float32), np.empty(6, np.float32), np.empty(6, np.float32)
    batch_norm_bwd(grad_y.reshape(16, 6, 1), x_hat, weight, inv_std, gx, gw, gb)
    np.testing.assert_allclose(gx.reshape(16, 6), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gw, module.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gb, module.bias.grad.numpy(), rtol=1e-5, atol=1e-5)
    module.eval()
    y_eval = np.empty((16, 6, 1), np.float32)
    batch_norm_fwd_eval(x.reshape(16, 6, 1), weight, bias, running_mean, running_var, 1e-5, y_eval)
    np.testing.assert_allclose(y_eval.reshape(16, 6), module(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_layer_norm_matches_reference_and_finite_differences(rng):
    x, weight, bias = rng.standard_normal((5, 7)), rng.standard_normal(7), rng.standard_normal(7)
    np.testing.assert_allclose(ln_forward(x, weight, bias)[0], reference.layer_norm(x, weight, bias, 1e-5), rtol=1e-10)
    grad_y = rng.standard_normal((5, 7))
    gx, gw, gb = ln_grads(x, weight, bias, grad_y)
    objective = lambda: float(np.sum(ln_forward(x, weight, bias)[0] * grad_y))  # noqa: E731
    for analytic, tensor in ((gx, x), (gw, weight), (gb, bias)):
        np.testing.assert_allclose(analytic, reference.numeric_gradient(objective, tensor), rtol=1e-6, atol=1e-8)


def test_layer_norm_matches_torch(rng, torch):
    x = rng.standard_normal((9, 12)).astype(np.float32) * 2 - 1
    module = torch.nn.LayerNorm(12)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(rng.standard_normal(12).astype(np.float32)))
        module.bias.copy_(torch.tensor(rng.standard_normal(12).astype(np.float32)))
    weight, bias = module.weight.detach().numpy().copy(), module.bias.detach().numpy().copy()
    grad_y = rng.standard_normal((9, 12)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = module(tx)
    ty.backward(torch.tensor(grad_y))
    np.testing.assert_allclose(ln_forward(x, weight, bias)[0], ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    gx, gw, gb = ln_grads(x, weight, bias, grad_y)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gw, module.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gb, module.bias.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_batch_norm_on_images_matches_torch_batch_norm_2d(rng, torch):
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32) * 2 + 0.5
    module = torch.nn.BatchNorm2d(3)
    weight, bias = np.ones(3, np.float32), np.zeros(3, np.float32)
    running_mean, running_var = np.zeros(3, np.float32), np.ones(3, np.float32)
    y, _, _ = bn_train(x.reshape(4, 3, 25), weight, bias, running_mean, running_var)
    np.testing.assert_allclose(y.reshape(x.shape), module(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(running_var, module.running_var.numpy(), rtol=1e-6)
    module.eval()
    y_eval = np.empty((4, 3, 25), np.float32)
    batch_norm_fwd_eval(x.reshape(4, 3, 25), weight, bias, running_mean, running_var, 1e-5, y_eval)
    np.testing.assert_allclose(y_eval.reshape(x.shape), module(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_float32_layer_norm_keeps_float32_accuracy_on_the_transformer_shapes(rng):
    """float32 rows are summed in float64 and normalized in float32 (kernels/norm.py)."""
    x = (rng.standard_normal((1024, 64)) * 2 + 3).astype(np.float32)
    weight, bias = rng.standard_normal(64).astype(np.float32), rng.standard_normal(64).astype(np.float32)
    grad_y = rng.standard_normal((1024, 64)).astype(np.float32)
    x64, w64, b64, g64 = (a.astype(np.float64) for a in (x, weight, bias, grad_y))
    y = ln_forward(x, weight, bias)[0]
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, reference.layer_norm(x64, w64, b64, 1e-5), rtol=1e-5, atol=2e-6)
    for ours, exact in zip(ln_grads(x, weight, bias, grad_y), ln_grads(x64, w64, b64, g64)):
        np.testing.assert_allclose(ours, exact, rtol=1e-4, atol=2e-5 * np.abs(exact).max())

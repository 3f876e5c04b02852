"""Shared checks for the sequence-layer tests: finite differences through a float64 model, and
gradient parity with a torch twin."""

import numpy as np

from engine import build_model


def finite_difference_check(spec, x, y, eps=1e-6, per_tensor=24, seed=0, rtol=1e-5, atol=1e-8):
    """Backprop gradients of a float64 model against central differences of its loss, on up to
    ``per_tensor`` random entries of every parameter tensor (no dropout: both sides see one net)."""
    model = build_model(spec, dtype=np.float64)
    _, grads = model.grads(x, y)
    grads = {name: g.copy() for name, g in grads.items()}
    rng = np.random.default_rng(seed)
    for name, values in model.params().items():
        flat, analytic = values.reshape(-1), grads[name].reshape(-1)
        picks = rng.choice(flat.size, size=min(per_tensor, flat.size), replace=False)
        for i in picks:
            saved = flat[i]
            flat[i] = saved + eps
            up = model.loss(x, y)
            flat[i] = saved - eps
            down = model.loss(x, y)
            flat[i] = saved
            numeric = (up - down) / (2 * eps)
            assert abs(numeric - analytic[i]) <= atol + rtol * max(abs(numeric), abs(analytic[i])), \
                f"{name}[{i}]: backprop {analytic[i]:.8g}, finite differences {numeric:.8g}"


def assert_mse_gradients_match_torch(torch, model, x, torch_out, torch_parameter, rng, rtol=1e-4, atol=1e-6):
    """One mse loss against random targets on both sides; the losses and every parameter
    gradient must agree. ``torch_parameter(engine name)`` returns the twin's parameter."""
    y = rng.standard_normal(tuple(torch_out.shape)).astype(np.float32)
    loss, grads = model.grads(x, y)
    torch_loss = torch.nn.functional.mse_loss(torch_out, torch.from_numpy(y))
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) <= 1e-5 * abs(torch_loss.item())
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, torch_parameter(name).grad.numpy(), rtol=rtol, atol=atol, err_msg=name)

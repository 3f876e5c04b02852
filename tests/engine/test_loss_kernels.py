"""Loss kernels against the NumPy reference, finite differences and torch.nn losses."""

import numpy as np
import pytest
import reference

from engine.kernels.codes import LOSS_CODES
from engine.kernels.losses import loss_bwd, loss_fwd

NO_LABELS = np.empty(0, np.int64)


def inputs(name, rng, dtype=np.float32):
    out = (rng.standard_normal((6, 3)) * 2).astype(dtype)
    if name == "cross_entropy":
        return out, np.empty((0, 0), dtype), rng.integers(0, 3, 6)
    target = rng.integers(0, 2, (6, 3)).astype(dtype) if name == "binary_cross_entropy" else rng.standard_normal((6, 3)).astype(dtype)
    return out, target, NO_LABELS


def run(name, out, target, labels):
    grad = np.empty_like(out)
    loss_bwd(LOSS_CODES[name], out, target, labels, grad)
    return loss_fwd(LOSS_CODES[name], out, target, labels), grad


@pytest.mark.parametrize("name", list(LOSS_CODES))
def test_loss_matches_reference(name, rng):
    out, target, labels = inputs(name, rng)
    loss, grad = run(name, out, target, labels)
    ref_loss, ref_grad = reference.loss_and_grad(name, out.astype(np.float64), target.astype(np.float64), labels)
    assert loss == pytest.approx(ref_loss, rel=1e-6)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", list(LOSS_CODES))
def test_loss_gradient_matches_finite_differences(name, rng):
    out, target, labels = inputs(name, rng, np.float64)
    _, grad = run(name, out, target, labels)
    numeric = reference.numeric_gradient(lambda: loss_fwd(LOSS_CODES[name], out, target, labels), out)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def _torch_loss(torch, name):
    f = torch.nn.functional
    return {"mse": f.mse_loss, "mae": f.l1_loss, "huber": f.huber_loss,
            "binary_cross_entropy": f.binary_cross_entropy_with_logits, "cross_entropy": f.cross_entropy}[name]


@pytest.mark.parametrize("name", list(LOSS_CODES))
def test_loss_matches_torch(name, rng, torch):
    out, target, labels = inputs(name, rng)
    loss, grad = run(name, out, target, labels)
    t_out = torch.tensor(out, requires_grad=True)
    t_target = torch.tensor(labels) if name == "cross_entropy" else torch.tensor(target)
    t_loss = _torch_loss(torch, name)(t_out, t_target)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-6)
    np.testing.assert_allclose(grad, t_out.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_binary_cross_entropy_from_logits_is_stable_for_huge_logits():
    out = np.array([[100.0, -100.0]], np.float32)
    target = np.array([[1.0, 0.0]], np.float32)
    loss, grad = run("binary_cross_entropy", out, target, NO_LABELS)
    assert np.isfinite(loss) and loss < 1e-30
    assert np.all(np.isfinite(grad))


def test_cross_entropy_is_stable_for_huge_logits():
    out = np.array([[1000.0, -1000.0, 0.0]], np.float32)
    loss, grad = run("cross_entropy", out, np.empty((0, 0), np.float32), np.array([1]))
    assert loss == pytest.approx(2000.0)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-6)

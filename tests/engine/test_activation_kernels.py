"""Activation kernels: NumPy reference, finite differences (float64) and PyTorch parity."""

import math

import numpy as np
import pytest
import reference

from engine.kernels.activations import activation_bwd, activation_fwd
from engine.kernels.fastmath import exp_nonpositive
from engine.kernels.codes import ACTIVATION_CODES

NAMES = list(ACTIVATION_CODES)
SMOOTH = [n for n in NAMES if n not in ("step", "relu", "leaky_relu")]


def run_fwd(name, z):
    a = np.empty_like(z)
    activation_fwd(ACTIVATION_CODES[name], z, a)
    return a


def run_bwd(name, z, grad_a):
    a = run_fwd(name, z)
    grad_z = np.empty_like(z)
    activation_bwd(ACTIVATION_CODES[name], z, a, grad_a, grad_z)
    return grad_z


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_backward_match_numpy_reference(name, rng):
    z = (rng.standard_normal((7, 5)) * 3).astype(np.float32)
    grad_a = rng.standard_normal((7, 5)).astype(np.float32)
    z64 = z.astype(np.float64)
    np.testing.assert_allclose(run_fwd(name, z), reference.ACTIVATIONS[name](z64), rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(run_bwd(name, z, grad_a), reference.activation_grad(name, z64, grad_a.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences_in_float64(name, rng):
    z = rng.standard_normal((4, 6)) * 2
    z[np.abs(z) < 1e-3] = 0.5  # keep kinks of relu-like functions away from the probe points
    grad_a = rng.standard_normal((4, 6))
    numeric = reference.numeric_gradient(lambda: float(np.sum(run_fwd(name, z) * grad_a)), z)
    np.testing.assert_allclose(run_bwd(name, z, grad_a), numeric, rtol=1e-6, atol=1e-8)


def _torch_activation(torch, name):
    f = torch.nn.functional
    return {
        "linear": lambda t: t, "step": lambda t: torch.heaviside(t, torch.zeros((), dtype=t.dtype)),
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": f.relu, "leaky_relu": f.leaky_relu,
        "elu": f.elu, "gelu": f.gelu, "softplus": f.softplus, "softmax": lambda t: torch.softmax(t, dim=1),
    }[name]


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_backward_match_torch(name, rng, torch):
    # torch runs in float64 on the same float32 inputs: its float32 gelu loses ~1e-6 absolute in
    # the negative tail (1 + erf cancels), ours is computed in double and rounded once.
    z = (rng.standard_normal((16, 9)) * 4).astype(np.float32)
    grad_a = rng.standard_normal((16, 9)).astype(np.float32)
    tz = torch.tensor(z.astype(np.float64), requires_grad=name != "step")
    ta = _torch_activation(torch, name)(tz)
    np.testing.assert_allclose(run_fwd(name, z), ta.detach().numpy(), rtol=1e-6, atol=1e-7)
    if name != "step":
        ta.backward(torch.tensor(grad_a.astype(np.float64)))
        np.testing.assert_allclose(run_bwd(name, z, grad_a), tz.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "elu", "softplus"])
def test_fast_transcendentals_stay_within_two_ulp_of_torch_over_the_whole_range(name, torch):
    magnitudes = np.concatenate([np.geomspace(1e-30, 1e-3, 2000), np.linspace(1e-3, 30, 20000)])
    z = np.concatenate([-magnitudes[::-1], [0.0], magnitudes]).astype(np.float32).reshape(1, -1)
    ours = run_fwd(name, z)
    theirs = _torch_activation(torch, name)(torch.tensor(z)).numpy()
    ulps = np.abs(ours.astype(np.float64) - theirs) / np.spacing(np.abs(theirs)).clip(min=np.float32(1e-45))
    assert ulps.max() <= 2, f"{name}: {ulps.max()} ulp at z={z.ravel()[ulps.argmax()]}"


def test_gelu_is_closer_to_exact_than_float32_torch_in_the_far_tail(torch):
    z = np.linspace(-9, -4, 200).reshape(1, -1)
    exact = reference.ACTIVATIONS["gelu"](z)
    ours = run_fwd("gelu", z.astype(np.float32))
    assert np.max(np.abs(ours - exact)) < 1e-9


def test_exp_nonpositive_is_relatively_accurate():
    for x in np.linspace(-100.0, 0.0, 2001):
        assert abs(exp_nonpositive(x) / np.exp(x) - 1.0) < 2e-11  # 8 squarings amplify rounding; float32 needs only 3e-8


@pytest.mark.parametrize("name", NAMES)
def test_nan_propagates_through_every_activation(name):
    z = np.array([[np.nan, 1.0]], np.float32)
    a = run_fwd(name, z)
    assert np.isnan(a[0, 0]) or name == "softmax" and np.isnan(a).any()


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]], np.float32)
    a = run_fwd("softmax", z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(a[1], 1 / 3, rtol=1e-6)


def test_float32_gelu_and_its_slope_match_double_precision_torch_over_the_whole_range(torch):
    """float32 arrays take the float32 normal CDF (fastmath.normal_cdf_density_f32)."""
    magnitudes = np.concatenate([np.geomspace(1e-30, 1e-3, 2000), np.linspace(1e-3, 20, 40000)])
    z = np.concatenate([-magnitudes[::-1], [0.0], magnitudes]).astype(np.float32).reshape(1, -1)
    tz = torch.tensor(z.astype(np.float64), requires_grad=True)
    exact = torch.nn.functional.gelu(tz)
    exact.backward(torch.ones_like(tz))
    np.testing.assert_allclose(run_fwd("gelu", z), exact.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(run_bwd("gelu", z, np.ones_like(z)), tz.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_float32_gelu_keeps_its_relative_accuracy_in_the_lower_tail():
    """Against gelu = x erfc(-x / sqrt 2) / 2, exact in the tail (1 + erf cancels from x ~ -6 on,
    in torch's float64 as well). The float32 exp(-x^2 / 2) sees its argument rounded once, which
    costs ~x^2 * 3e-8 relative: 5e-6 at x = -12.5 (beyond -12.7 the tail is clamped: gelu < 1e-35)."""
    z = np.linspace(-12.5, 0.0, 20001).astype(np.float32)
    exact_value = np.array([0.5 * x * math.erfc(-x / math.sqrt(2.0)) for x in z.astype(np.float64)])
    exact_slope = np.array([0.5 * math.erfc(-x / math.sqrt(2.0)) + x * math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
                            for x in z.astype(np.float64)])
    bound = 6e-7 + z.astype(np.float64) ** 2 * 4e-8
    value = run_fwd("gelu", z.reshape(1, -1))[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.nan_to_num(np.abs(value / exact_value - 1.0))  # 0 / 0 at z = 0
    assert np.all(relative <= bound), f"{relative.max()} at z={z[relative.argmax()]}"
    slope = run_bwd("gelu", z.reshape(1, -1), np.ones((1, z.size), np.float32))[0]
    np.testing.assert_allclose(slope, exact_slope, rtol=0, atol=1e-7 + 5e-6 * np.abs(exact_slope).max())
    tail = z < -2.0  # where the slope is far from its zero crossing (z ~ -0.75), it is relatively accurate too
    assert np.all(np.abs(slope[tail] / exact_slope[tail] - 1.0) <= bound[tail])


def test_exp_neg_f32_is_relatively_accurate():
    from engine.kernels.fastmath import exp_neg_f32

    for w in np.linspace(0.0, 87.0, 3001).astype(np.float32):
        assert abs(float(exp_neg_f32(w)) / np.exp(-np.float64(w)) - 1.0) < 3e-7


def test_float32_gelu_and_softmax_paths_keep_nan():
    """Divergence detection needs NaN to survive every kernel, including the float32 exp whose
    exponent goes through an integer (undefined for NaN unless guarded)."""
    from engine.kernels.fastmath import exp_neg_f32

    assert np.isnan(exp_neg_f32(np.float32(np.nan)))
    z = np.array([[0.5, np.nan, -2.0] * 8], np.float32)
    a = np.empty_like(z)
    activation_fwd(ACTIVATION_CODES["gelu"], z, a)
    assert np.isnan(a[0, 1::3]).all() and np.isfinite(a[0, 0::3]).all()

"""The recurrent kernels' fast paths: float32 gate maths (ulps against float64 references, special
values, the tanh fit re-derived), the joined weight gradient against the two dense_bwd it
replaces, and torch parity of float32 layers over a long sequence (errors that compound)."""

import numpy as np
import pytest
from sequence_checks import assert_mse_gradients_match_torch

from engine import build_model
from engine.kernels.activations import sigmoid_fwd, tanh_fwd
from engine.kernels.dense import dense_bwd
from engine.config import njit
from engine.kernels.recurrent import (
    CELL_GRU,
    CELL_LSTM,
    CELL_RNN_RELU,
    CELL_RNN_TANH,
    _TANH_P,
    _TANH_Q,
    _sigmoid,
    _tanh,
    joined_dense_bwd,
    recurrent_seq_bwd,
    recurrent_seq_fwd,
)


@njit
def _sigmoid_in_place(row):  # the cells' scalar gate functions over a whole array
    for j in range(row.shape[0]):
        row[j] = _sigmoid(row[j])


@njit
def _tanh_in_place(row):
    for j in range(row.shape[0]):
        row[j] = _tanh(row[j])


def float32_grid(limit):
    """Every kind of float32 argument up to |x| = limit: a fine uniform grid and tiny values."""
    tiny = np.geomspace(1e-38, 1.0, 200_001)
    grid = np.concatenate([np.linspace(-limit, limit, 2_000_001), tiny, -tiny])
    return grid.astype(np.float32)


def ulps(got, exact):
    """|got - exact| in units of the float32 spacing at the exact value."""
    spacing = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - exact) / spacing


def exact_sigmoid(x):
    x = x.astype(np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def test_float32_sigmoid_is_within_3_ulp_down_to_its_floor():
    x = float32_grid(43.0)
    row = x.copy()
    _sigmoid_in_place(row)
    assert row.dtype == np.float32
    assert ulps(row, exact_sigmoid(x)).max() <= 3.0
    far = np.linspace(-1000.0, -43.0, 1001).astype(np.float32)  # floored at exp(-43): tiny, never 0
    _sigmoid_in_place(far)
    assert np.all((far > 0.0) & (far <= np.float32(np.exp(-43.0)) * 1.0001))


def test_float32_tanh_is_within_8_ulp_and_exact_near_zero():
    x = float32_grid(12.0)
    row = x.copy()
    _tanh_in_place(row)
    assert ulps(row, np.tanh(x.astype(np.float64))).max() <= 8.0
    tiny = np.float32([1e-30, -1e-20, 1e-8])
    _tanh_in_place(tiny)
    np.testing.assert_array_equal(tiny, np.float32([1e-30, -1e-20, 1e-8]))


def test_float32_gates_propagate_nan_and_saturate_at_infinity():
    special = np.float32([np.nan, np.inf, -np.inf, 0.0])
    sig, tanh = special.copy(), special.copy()
    _sigmoid_in_place(sig)
    _tanh_in_place(tanh)
    assert np.isnan(sig[0]) and np.isnan(tanh[0])
    assert sig[1] == 1.0 and 0.0 < sig[2] < 3e-19 and sig[3] == 0.5
    assert abs(tanh[1] - 1.0) <= 6e-8 and abs(tanh[2] + 1.0) <= 6e-8 and tanh[3] == 0.0


def test_float64_gates_are_the_engines_float64_activations():
    x = np.linspace(-30.0, 30.0, 100_001)
    sig, tanh = x.copy(), x.copy()
    _sigmoid_in_place(sig)
    _tanh_in_place(tanh)
    expected_sig, expected_tanh = np.empty_like(x), np.empty_like(x)
    sigmoid_fwd(x, expected_sig)
    tanh_fwd(x, expected_tanh)
    np.testing.assert_array_equal(sig, expected_sig)
    np.testing.assert_array_equal(tanh, expected_tanh)
    np.testing.assert_allclose(sig, exact_sigmoid(x), rtol=1e-12, atol=0)


def fit_tanh_rational(degree=4, limit=9.0, rounds=60):
    """The fit behind _TANH_P/_TANH_Q: tanh(x)/x = P(s)/Q(s), s = x^2, Q(0) = 1, minimizing the
    relative error on (0, limit] by least squares on P - f Q, reweighted by the error each round
    (Lawson's iteration, which tends to the minimax fit). Solved in u = (x/limit)^2 for
    conditioning, then scaled back to powers of s."""
    x = np.unique(np.concatenate([np.linspace(1e-4, limit, 20_000),
                                  limit * (1 - np.cos(np.linspace(0, np.pi / 2, 20_000)))]))
    x = x[x > 0]
    u, f = (x / limit) ** 2, np.tanh(x) / x
    powers = u[:, None] ** np.arange(degree + 1)
    system = np.hstack([powers, -f[:, None] * powers[:, 1:]])
    weights = np.ones_like(x)
    for _ in range(rounds):
        scale = np.sqrt(weights) / f
        coef = np.linalg.lstsq(system * scale[:, None], f * scale, rcond=None)[0]
        p, q = coef[:degree + 1], np.concatenate([[1.0], coef[degree + 1:]])
        error = np.abs(np.polyval(p[::-1], u) / np.polyval(q[::-1], u) - f) / f
        weights = weights * error
        weights /= weights.sum()
    to_s = limit ** (-2.0 * np.arange(degree + 1))
    return p * to_s, q * to_s, error.max()


def test_tanh_coefficients_are_the_documented_fit():
    p, q, relative_error = fit_tanh_rational()
    assert relative_error < 3e-8
    np.testing.assert_allclose(np.float32(p), np.float32(_TANH_P), rtol=2e-6)
    np.testing.assert_allclose(np.float32(q), np.float32(_TANH_Q), rtol=2e-6)


@pytest.mark.parametrize("need_grad_x", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_joined_weight_gradients_equal_two_dense_bwd(need_grad_x, dtype, rng):
    rows, features, hidden, width = 37, 5, 6, 24
    x, h = rng.standard_normal((rows, features)).astype(dtype), rng.standard_normal((rows, hidden)).astype(dtype)
    weight_x, weight_h = rng.standard_normal((width, features)).astype(dtype), rng.standard_normal((width, hidden)).astype(dtype)
    grad_y = rng.standard_normal((rows, width)).astype(dtype)
    expected = {"x": np.zeros((rows, features), dtype), "wx": np.empty((width, features), dtype),
                "wh": np.empty((width, hidden), dtype), "b": np.empty(width, dtype)}
    dense_bwd(x, weight_x, grad_y, expected["x"], expected["wx"], expected["b"], need_grad_x)
    dense_bwd(h, weight_h, grad_y, np.empty_like(h), expected["wh"], np.empty(0, dtype), False)
    got = {"x": np.zeros((rows, features), dtype), "wx": np.empty((width, features), dtype),
           "wh": np.empty((width, hidden), dtype), "b": np.empty(width, dtype)}
    joined, joined_grad = np.empty((rows, features + hidden), dtype), np.empty((width, features + hidden), dtype)
    joined_dense_bwd(x, h, weight_x, grad_y, joined, joined_grad, got["x"], got["wx"], got["wh"], got["b"], need_grad_x)
    tolerance = 1e-12 if dtype == np.float64 else 2e-5
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=tolerance, atol=tolerance, err_msg=key)


@pytest.mark.parametrize("cell", [CELL_RNN_TANH, CELL_RNN_RELU, CELL_LSTM])
def test_one_reused_projection_block_gives_the_same_states(cell, rng):
    steps, batch, hidden = 6, 3, 5
    width = 4 * hidden if cell == CELL_LSTM else hidden
    xw = rng.standard_normal((steps, batch, width)).astype(np.float32)
    w_hh_t = rng.uniform(-0.5, 0.5, (hidden, width)).astype(np.float32)
    runs = []
    for kept in (steps, 1):
        hw, gates = np.empty((kept, batch, width), np.float32), np.empty((steps, batch, width), np.float32)
        hs, cs = np.empty((steps + 1, batch, hidden), np.float32), np.empty((steps + 1, batch, hidden), np.float32)
        recurrent_seq_fwd(cell, xw, w_hh_t, np.empty(0, np.float32), hw, gates, hs, cs)
        runs.append((hs, cs, gates) if cell == CELL_LSTM else (hs,))
    for every_step, reused in zip(*runs):
        np.testing.assert_array_equal(reused, every_step)


@pytest.mark.parametrize("cell", [CELL_RNN_TANH, CELL_RNN_RELU, CELL_LSTM, CELL_GRU])
def test_last_state_gradient_alone_equals_the_zero_padded_sequence(cell, rng):
    """Also: the time loop's bias sums are the sums of the gradients it wrote."""
    steps, batch, hidden = 5, 3, 4
    width = {CELL_LSTM: 4, CELL_GRU: 3}.get(cell, 1) * hidden
    xw = rng.standard_normal((steps, batch, width))
    w_hh = rng.uniform(-0.5, 0.5, (width, hidden))
    hw, gates = np.empty((steps, batch, width)), np.empty((steps, batch, width))
    hs, cs = np.empty((steps + 1, batch, hidden)), np.empty((steps + 1, batch, hidden))
    recurrent_seq_fwd(cell, xw, np.ascontiguousarray(w_hh.T), np.zeros(width), hw, gates, hs, cs)
    last = rng.standard_normal((1, batch, hidden))
    padded = np.zeros((steps, batch, hidden))
    padded[-1] = last[0]
    results = []
    for grad_hs in (padded, last):
        grad_xw, grad_hw = np.empty((steps, batch, width)), np.empty((steps, batch, width))
        scratch = [np.empty((batch, hidden)) for _ in range(3)]
        grad_b_ih, grad_b_hh = np.empty(width), np.empty(width if cell == CELL_GRU else 0)
        recurrent_seq_bwd(cell, w_hh, hw, gates, hs, cs, grad_hs, grad_xw,
                          grad_hw if cell == CELL_GRU else grad_xw, grad_b_ih, grad_b_hh, *scratch)
        results.append((grad_xw, grad_b_ih, grad_hw, grad_b_hh) if cell == CELL_GRU else (grad_xw, grad_b_ih))
        np.testing.assert_allclose(grad_b_ih, grad_xw.sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)
        if cell == CELL_GRU:
            np.testing.assert_allclose(grad_b_hh, grad_hw.sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)
    for padded_grad, last_only_grad in zip(*results):
        np.testing.assert_array_equal(last_only_grad, padded_grad)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_layers_match_torch_over_a_long_sequence(kind, rng, torch):
    """50 steps of hidden 64, as in benchmark (d): float32 gate errors must not compound."""
    batch, steps, features, hidden = 6, 50, 16, 64
    spec = {"input": {"shape": [steps, features]}, "loss": "mse",
            "layers": [{"id": "rec", "type": kind, "hidden_size": hidden}]}
    model = build_model(spec, seed=5)
    twin = getattr(torch.nn, kind.upper())(features, hidden, batch_first=True)
    with torch.no_grad():
        for name, value in model.params().items():
            getattr(twin, name.split(".", 1)[1] + "_l0").copy_(torch.from_numpy(value))
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    expected = twin(torch.from_numpy(x))[0][:, -1]
    np.testing.assert_allclose(model.forward(x), expected.detach().numpy(), rtol=1e-5, atol=3e-6)
    assert_mse_gradients_match_torch(torch, model, x, expected,
                                     lambda name: getattr(twin, name.split(".", 1)[1] + "_l0"), rng,
                                     rtol=1e-4, atol=2e-6)

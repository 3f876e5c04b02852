"""rnn, lstm, gru: cells and time loops against NumPy references, finite differences (float64),
parity with torch.nn.RNN/LSTM/GRU (batch_first, weights copied by name) and shape errors."""

import numpy as np
import pytest
import reference
from sequence_checks import assert_mse_gradients_match_torch, finite_difference_check

from engine import SpecError, build_model
from engine.kernels.recurrent import (
    CELL_GRU,
    CELL_LSTM,
    CELL_RNN_RELU,
    CELL_RNN_TANH,
    GATES_PER_CELL,
    gru_cell_bwd,
    gru_cell_fwd,
    lstm_cell_bwd,
    lstm_cell_fwd,
    recurrent_seq_fwd,
    rnn_cell_bwd,
    rnn_cell_fwd,
)

CELLS = {"rnn": CELL_RNN_TANH, "rnn_relu": CELL_RNN_RELU, "lstm": CELL_LSTM, "gru": CELL_GRU}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_sequence(cell, x, w_ih, w_hh, b_ih, b_hh):
    """Textbook recurrences, batch first: returns hidden states (N, T, H)."""
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    h, c, out = np.zeros((batch, hidden)), np.zeros((batch, hidden)), []
    for t in range(steps):
        xw, hw = x[:, t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if cell == CELL_LSTM:
            i, f, g, o = np.split(xw + hw, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        elif cell == CELL_GRU:
            (xr, xz, xn), (hr, hz, hn) = np.split(xw, 3, axis=1), np.split(hw, 3, axis=1)
            r, z = sigmoid(xr + hr), sigmoid(xz + hz)
            n = np.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
        else:
            h = np.maximum(xw + hw, 0.0) if cell == CELL_RNN_RELU else np.tanh(xw + hw)
        out.append(h)
    return np.stack(out, axis=1)


def random_weights(rng, cell, features, hidden):
    width = GATES_PER_CELL[cell] * hidden
    return (rng.uniform(-0.6, 0.6, (width, features)), rng.uniform(-0.6, 0.6, (width, hidden)),
            rng.uniform(-0.3, 0.3, width), rng.uniform(-0.3, 0.3, width))


@pytest.mark.parametrize("name", list(CELLS))
def test_time_loop_matches_reference(name, rng):
    cell, (batch, steps, features, hidden) = CELLS[name], (3, 6, 4, 5)
    x = rng.standard_normal((batch, steps, features))
    w_ih, w_hh, b_ih, b_hh = random_weights(rng, cell, features, hidden)
    width = w_hh.shape[0]
    xw = np.ascontiguousarray((x @ w_ih.T + b_ih).transpose(1, 0, 2))
    hw, gates = np.empty((steps, batch, width)), np.empty((steps, batch, width))
    hs, cs = np.empty((steps + 1, batch, hidden)), np.empty((steps + 1, batch, hidden))
    recurrent_seq_fwd(cell, xw, np.ascontiguousarray(w_hh.T), b_hh, hw, gates, hs, cs)
    expected = reference_sequence(cell, x, w_ih, w_hh, b_ih, b_hh)
    np.testing.assert_allclose(hs[1:].transpose(1, 0, 2), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("relu", [False, True])
def test_rnn_cell_backward_matches_finite_differences(relu, rng):
    xw, hw = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    weight = rng.standard_normal((3, 4))
    h = np.empty((3, 4))

    def objective():
        rnn_cell_fwd(relu, xw, hw, h)
        return float(np.sum(h * weight))

    objective()
    grad_pre = np.empty((3, 4))
    rnn_cell_bwd(relu, h, weight, grad_pre)
    np.testing.assert_allclose(grad_pre, reference.numeric_gradient(objective, xw), rtol=1e-6, atol=1e-8)


def test_lstm_cell_backward_matches_finite_differences(rng):
    batch, hidden = 3, 4
    xw, hw = rng.standard_normal((batch, 4 * hidden)), rng.standard_normal((batch, 4 * hidden))
    c_prev = rng.standard_normal((batch, hidden))
    weight_h, weight_c = rng.standard_normal((batch, hidden)), rng.standard_normal((batch, hidden))
    gates, c, h = np.empty((batch, 4 * hidden)), np.empty((batch, hidden)), np.empty((batch, hidden))

    def objective():  # L = sum(h * weight_h) + sum(c * weight_c)
        lstm_cell_fwd(xw, hw, c_prev, gates, c, h)
        return float(np.sum(h * weight_h) + np.sum(c * weight_c))

    objective()
    grad_pre, grad_c_prev = np.empty_like(xw), np.empty_like(c_prev)
    lstm_cell_bwd(gates, c_prev, c, weight_h, weight_c, grad_pre, grad_c_prev)
    np.testing.assert_allclose(grad_pre, reference.numeric_gradient(objective, xw), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_c_prev, reference.numeric_gradient(objective, c_prev), rtol=1e-6, atol=1e-8)


def test_gru_cell_backward_matches_finite_differences(rng):
    batch, hidden = 3, 4
    xw, hw = rng.standard_normal((batch, 3 * hidden)), rng.standard_normal((batch, 3 * hidden))
    h_prev, weight = rng.standard_normal((batch, hidden)), rng.standard_normal((batch, hidden))
    gates, h = np.empty((batch, 3 * hidden)), np.empty((batch, hidden))

    def objective():
        gru_cell_fwd(xw, hw, h_prev, gates, h)
        return float(np.sum(h * weight))

    objective()
    grad_xw, grad_hw, direct = np.empty_like(xw), np.empty_like(hw), np.empty_like(h_prev)
    gru_cell_bwd(gates, hw, h_prev, weight, grad_xw, grad_hw, direct)
    np.testing.assert_allclose(grad_xw, reference.numeric_gradient(objective, xw), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_hw, reference.numeric_gradient(objective, hw), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(direct, reference.numeric_gradient(objective, h_prev), rtol=1e-6, atol=1e-8)


def recurrent_spec(layer, steps=5, features=3, head=True):
    """A dense layer before (so the layer's input gradient is checked too), the layer, a head."""
    layers = [{"id": "pre", "type": "dense", "units": 4, "activation": "tanh"}, {"id": "rec", **layer}]
    if head:
        layers.append({"id": "out", "type": "dense", "units": 2})
    return {"input": {"shape": [steps, features]}, "layers": layers, "loss": "mse"}


LAYER_CASES = [
    {"type": "rnn", "hidden_size": 4},
    {"type": "rnn", "hidden_size": 4, "nonlinearity": "relu", "return_sequences": True},
    {"type": "lstm", "hidden_size": 4},
    {"type": "lstm", "hidden_size": 4, "return_sequences": True},
    {"type": "gru", "hidden_size": 4},
    {"type": "gru", "hidden_size": 4, "return_sequences": True},
]


@pytest.mark.parametrize("layer", LAYER_CASES, ids=lambda c: f"{c['type']}-{c.get('return_sequences', False)}")
def test_backprop_through_time_matches_finite_differences(layer, rng):
    spec = recurrent_spec(layer)
    x = rng.standard_normal((3, 5, 3))
    y = rng.standard_normal((3, 5, 2) if layer.get("return_sequences") else (3, 2))
    finite_difference_check(spec, x, y)


TORCH_MODULES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


@pytest.mark.parametrize("layer", LAYER_CASES, ids=lambda c: f"{c['type']}-{c.get('return_sequences', False)}")
def test_matches_torch_forward_and_gradients(layer, rng, torch):
    batch, steps, features, hidden = 4, 7, 3, layer["hidden_size"]
    spec = {"input": {"shape": [steps, features]}, "layers": [{"id": "rec", **layer}], "loss": "mse"}
    model = build_model(spec, seed=3)
    extra = {"nonlinearity": layer["nonlinearity"]} if "nonlinearity" in layer else {}
    twin = getattr(torch.nn, TORCH_MODULES[layer["type"]])(features, hidden, batch_first=True, **extra)
    with torch.no_grad():
        for name, value in model.params().items():
            getattr(twin, name.split(".", 1)[1] + "_l0").copy_(torch.from_numpy(value))
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    sequences, last = twin(torch.from_numpy(x))
    expected = sequences if layer.get("return_sequences") else sequences[:, -1]
    np.testing.assert_allclose(model.forward(x), expected.detach().numpy(), rtol=1e-5, atol=2e-6)
    if layer["type"] == "lstm":
        np.testing.assert_allclose(sequences[:, -1].detach().numpy(), last[0][0].detach().numpy())
    assert_mse_gradients_match_torch(torch, model, x, expected,
                                     lambda name: getattr(twin, name.split(".", 1)[1] + "_l0"), rng)


def test_parameters_have_torch_names_shapes_and_gate_order():
    spec = {"input": {"shape": [9, 3]}, "layers": [{"id": "l", "type": "lstm", "hidden_size": 5},
                                                  {"id": "g", "type": "gru", "hidden_size": 2, "inputs": ["input"]},
                                                  {"id": "cat", "type": "concat", "inputs": ["l", "g"]}]}
    shapes = {name: value.shape for name, value in build_model(spec).params().items()}
    assert shapes == {"l.weight_ih": (20, 3), "l.weight_hh": (20, 5), "l.bias_ih": (20,), "l.bias_hh": (20,),
                      "g.weight_ih": (6, 3), "g.weight_hh": (6, 2), "g.bias_ih": (6,), "g.bias_hh": (6,)}


def test_recurrent_layer_on_flat_input_names_layer_and_field():
    spec = {"input": {"shape": [4]}, "layers": [{"id": "mem", "type": "lstm", "hidden_size": 3}]}
    with pytest.raises(SpecError) as error:
        build_model(spec)
    problem = error.value.problems[0]
    assert problem["layer"] == "mem" and problem["field"] == "layers[0].type" and "sequence" in problem["message"]


def test_hidden_size_bounds_are_reported():
    spec = {"input": {"shape": [4, 2]}, "layers": [{"id": "mem", "type": "gru", "hidden_size": 0}]}
    with pytest.raises(SpecError) as error:
        build_model(spec)
    assert error.value.problems[0]["field"] == "layers[0].hidden_size"


def test_probe_state_exposes_states_and_gates(rng):
    spec = {"input": {"shape": [6, 2]}, "layers": [{"id": "l", "type": "lstm", "hidden_size": 3}]}
    model = build_model(spec)
    x = rng.standard_normal((2, 6, 2)).astype(np.float32)
    model.forward(x)
    state = model.layer_by_id["l"].probe_state()
    assert state["hidden"].shape == state["cell"].shape == (2, 6, 3)
    assert sorted(state["gates"]) == ["f", "g", "i", "o"]
    np.testing.assert_array_equal(state["hidden"][:, -1], model.forward(x))
    assert np.all((state["gates"]["i"] > 0) & (state["gates"]["i"] < 1))


def test_sequence_state_probe_lists_and_reads_sequence_layers(rng):
    from engine import probes

    spec = {"input": {"shape": [5, 2]}, "layers": [{"id": "g", "type": "gru", "hidden_size": 3, "return_sequences": True},
                                                  {"id": "att", "type": "multi_head_attention", "num_heads": 3},
                                                  {"id": "out", "type": "dense", "units": 1}]}
    model = build_model(spec)
    x = rng.standard_normal((2, 5, 2)).astype(np.float32)
    assert probes.sequence_layers(model) == ["g", "att"]
    assert sorted(probes.sequence_state(model, x, "g")["gates"]) == ["n", "r", "z"]
    assert probes.sequence_state(model, x, "att")["attention"].shape == (2, 3, 5, 5)
    with pytest.raises(ValueError, match="'out' has no sequence state"):
        probes.sequence_state(model, x, "out")


def test_saliency_flows_through_time_to_the_input(rng):
    """probes.saliency (eval-mode backward to the input) through a gru against finite differences."""
    from engine import probes

    spec = {"input": {"shape": [4, 2]}, "layers": [{"id": "g", "type": "gru", "hidden_size": 3},
                                                  {"id": "out", "type": "dense", "units": 2}]}
    model = build_model(spec, dtype=np.float64)
    x = rng.standard_normal((2, 4, 2))
    grad = probes.saliency(model, x, output_index=1)
    numeric = reference.numeric_gradient(lambda: float(model.forward(x)[:, 1].sum()), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_sequence_state_of_a_large_batch_covers_every_sample(rng):
    from engine import probes
    from engine.layers.sequence import INFERENCE_CHUNK

    spec = {"input": {"shape": [3, 2]}, "layers": [{"id": "l", "type": "lstm", "hidden_size": 2}]}
    model = build_model(spec)
    x = rng.standard_normal((INFERENCE_CHUNK + 5, 3, 2)).astype(np.float32)
    state = probes.sequence_state(model, x, "l")
    assert state["hidden"].shape == (INFERENCE_CHUNK + 5, 3, 2) and state["gates"]["o"].shape[0] == INFERENCE_CHUNK + 5
    np.testing.assert_allclose(state["hidden"][:, -1], model.forward(x), rtol=1e-6)

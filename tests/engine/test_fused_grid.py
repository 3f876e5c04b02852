"""The fused all-neuron grid probe (engine/fused/grid.py) against the layer-by-layer forward pass."""

import numpy as np
import pytest

from engine import build_model, probes
from engine.fused.grid import fast_tanh_row, fused_neuron_grid, grid_eligible

ATOL = 3e-6  # tanh/sigmoid use a float32 rational approximation (abs error < 5e-7) in the grid
ACTIVATIONS = ["linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus",
               "softmax"]


def dense_model(activations, widths, inputs=2, output=("linear", 1), use_bias=True, seed=0):
    layers = [{"id": f"h{i}", "type": "dense", "units": w, "activation": a, "use_bias": use_bias}
              for i, (w, a) in enumerate(zip(widths, activations))]
    layers.append({"id": "out", "type": "dense", "units": output[1], "activation": output[0]})
    return build_model({"input": {"shape": [inputs]}, "layers": layers, "seed": seed,
                        "loss": "cross_entropy" if output[0] == "softmax" else "mse"})


def general_grid(model, monkeypatch, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(probes, "grid_eligible", lambda model: False)
        return probes.neuron_grid(model, **kwargs)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_matches_the_general_path(activation, monkeypatch):
    model = dense_model([activation] * 2, [8, 5])
    model.flat_params *= 2.0  # push the grid into the activations' curved and saturated parts
    got = probes.neuron_grid(model, n=37)
    want = general_grid(model, monkeypatch, n=37)
    assert got.shape == want.shape == (14, 37, 37) and got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_allclose(got, want, atol=ATOL, rtol=1e-5)


def test_softmax_output_biasless_layers_features_and_extent_match(monkeypatch):
    model = dense_model(["tanh", "relu"], [6, 9], inputs=4, output=("softmax", 3), use_bias=False)

    def features(points):  # x1, x2, x1^2, sin x2: a network that does not take (x1, x2) as is
        x1, x2 = points[:, 0], points[:, 1]
        return np.stack([x1, x2, x1 * x1, np.sin(x2)], axis=1).astype(np.float32)

    kwargs = dict(n=20, extent=(-2.0, 3.0, -1.0, 0.5), features=features)
    np.testing.assert_allclose(probes.neuron_grid(model, **kwargs), general_grid(model, monkeypatch, **kwargs),
                               atol=ATOL, rtol=1e-5)
    with pytest.raises(ValueError, match="input features"):
        fused_neuron_grid(model, n=20)  # 2 grid features for a 4-input network


def test_grid_follows_training_and_only_dense_stacks_qualify(monkeypatch):
    model = dense_model(["tanh", "tanh"], [8, 8])
    before = probes.neuron_grid(model, n=10)
    model.flat_params += 0.1  # a training step changes the weights in place
    after = probes.neuron_grid(model, n=10)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, general_grid(model, monkeypatch, n=10), atol=ATOL)
    normed = build_model({"input": {"shape": [2]}, "layers": [
        {"id": "h", "type": "dense", "units": 4}, {"id": "bn", "type": "batch_norm"},
        {"id": "out", "type": "dense", "units": 1}]})
    assert grid_eligible(model) and not grid_eligible(normed)
    assert probes.neuron_grid(normed, n=6).shape == (9, 6, 6)


def test_fast_tanh_and_sigmoid_are_accurate_and_keep_nan():
    z = np.linspace(-40, 40, 400_001).astype(np.float32)
    z[7] = np.nan
    tanh, sigmoid = np.empty_like(z), np.empty_like(z)
    fast_tanh_row(z, tanh, 1.0, 0.0)
    fast_tanh_row(z, sigmoid, 0.5, 0.5)
    exact = z.astype(np.float64)
    assert np.nanmax(np.abs(tanh - np.tanh(exact))) < 5e-7
    assert np.nanmax(np.abs(sigmoid - 1.0 / (1.0 + np.exp(-exact)))) < 5e-7
    assert np.isnan(tanh[7]) and np.isnan(sigmoid[7])

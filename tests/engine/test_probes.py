"""Probes: per-layer activations, gradients, summary statistics, the all-neuron grid."""

import json

import numpy as np
import pytest
from test_spec_validation import base_spec, graph_spec

from engine import build_model
from engine.probes import activations, gradient_stats, gradients, grid_points, neuron_grid, neuron_layout, tensor_stats, weight_stats


def test_activations_of_every_layer(rng):
    model = build_model(graph_spec())
    x = rng.standard_normal((5, 4)).astype(np.float32)
    values = activations(model, x)
    assert list(values) == [layer["id"] for layer in graph_spec()["layers"]]
    assert values["cat"].shape == (5, 9) and values["probs"].shape == (5, 3)
    np.testing.assert_allclose(values["probs"], model.forward(x), rtol=1e-6)
    values["h1"][...] = 0  # a copy, not the workspace
    assert model.run(x)["h1"].any()


def test_gradients_of_every_parameter_are_copies(rng):
    model = build_model(base_spec())
    x, y = rng.standard_normal((8, 2)).astype(np.float32), rng.integers(0, 2, (8, 1)).astype(np.float32)
    grads = gradients(model, x, y)
    assert list(grads) == list(model.params())
    assert not np.shares_memory(grads["h1.weight"], model.flat_grads)


def test_tensor_stats_are_json_ready_with_a_fixed_bin_count():
    stats = tensor_stats(np.array([3.0, 4.0, 0.0, np.nan]), bins=8)
    json.dumps(stats)
    assert stats["norm"] == pytest.approx(5.0) and stats["count"] == 4 and len(stats["bins"]) == 8
    assert sum(stats["bins"]) == 3 and len(stats["edges"]) == 9
    constant = tensor_stats(np.ones(5))
    assert sum(constant["bins"]) == 5 and constant["std"] == 0.0
    model = build_model(base_spec())
    assert set(weight_stats(model)) == set(gradient_stats(model)) == set(model.params())


def test_neuron_grid_gives_every_neuron_neuron_major():
    model = build_model(base_spec())
    grid = neuron_grid(model, n=20, extent=(-2.0, 2.0, -1.0, 1.0))
    assert grid.shape == (17, 20, 20) and grid.dtype == np.float32 and grid.flags.c_contiguous
    assert neuron_layout(model) == [("h1", 8), ("h2", 8), ("out", 1)]
    points = grid_points(20, (-2.0, 2.0, -1.0, 1.0))
    assert tuple(points[0]) == (-2.0, 1.0) and tuple(points[19]) == (2.0, 1.0) and tuple(points[-1]) == (2.0, -1.0)
    values = model.run(points)
    # a picture needs no ulp parity: a fused grid kernel may use a faster tanh (abs error < 1e-6)
    np.testing.assert_allclose(grid[3], values["h1"][:, 3].reshape(20, 20), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grid[16], values["out"][:, 0].reshape(20, 20), rtol=1e-5, atol=1e-6)


def test_neuron_grid_maps_points_through_input_features():
    spec = base_spec() | {"input": {"shape": [4]}}
    model = build_model(spec)
    features = lambda p: np.concatenate([p, p * p], axis=1)  # noqa: E731
    assert neuron_grid(model, n=8, features=features).shape == (17, 8, 8)


def test_probing_does_not_change_training(rng):
    spec = graph_spec() | {"batch_size": 8}
    x, y = rng.standard_normal((64, 4)).astype(np.float32), rng.integers(0, 3, 64)
    from engine import Trainer

    def run(probe):
        model = build_model(spec)
        trainer = Trainer(model, spec)
        losses = []
        for _ in range(5):
            losses.extend(trainer.train(x, y, steps=3))
            if probe:
                gradients(model, x[:8], y[:8])
                activations(model, x[:8], training=True)
        return np.array(losses), model.state_dict()

    (plain, plain_state), (probed, probed_state) = run(False), run(True)
    assert plain.tobytes() == probed.tobytes()
    for name, value in plain_state.items():
        np.testing.assert_array_equal(value, probed_state[name])


@pytest.mark.parametrize("values", [
    [3.0, 3.0, 3.0],                      # constant
    [1e300, 1e300 * (1 + 1e-15), 1e300],  # nearly equal: no room for 32 distinct float edges
    [-3e38, 3e38, 0.0],                   # the whole float32 range (a diverging step)
])
def test_tensor_stats_histogram_survives_degenerate_ranges(values):
    stats = tensor_stats(np.array(values, np.float64), bins=32)
    assert sum(stats["bins"]) == len(values)
    assert len(stats["edges"]) == 33 and all(np.isfinite(stats["edges"]))

"""Model: parameter views and layout, set_params, summary, forward/gradients against PyTorch and
against finite differences of the whole network (float64)."""

import numpy as np
import pytest
import reference
from test_spec_validation import base_spec, graph_spec
from torch_bridge import TorchTwin

from engine import build_model


def test_params_are_named_live_views_into_the_flat_buffer():
    model = build_model(base_spec())
    params = model.params()
    assert list(params) == ["h1.weight", "h1.bias", "h2.weight", "h2.bias", "out.weight", "out.bias"]
    assert params["h1.weight"].shape == (8, 2) and params["out.weight"].shape == (1, 8)
    assert [(name, shape) for name, _, shape in model.param_layout] == [(n, p.shape) for n, p in params.items()]
    for name, offset, shape in model.param_layout:
        view = params[name]
        assert view.flags.c_contiguous and np.shares_memory(view, model.flat_params)
        view[...] = offset  # writing through the view changes the flat buffer
        assert np.all(model.flat_params[offset:offset + view.size] == offset)
    assert model.flat_grads.shape == model.flat_params.shape == (model.num_params,)


def test_set_params_copies_by_name_and_checks_shapes():
    model = build_model(base_spec())
    model.set_params({"h1.weight": np.ones((8, 2)), "out.bias": [0.5]})
    assert np.all(model.params()["h1.weight"] == 1.0) and model.params()["out.bias"][0] == 0.5
    with pytest.raises(ValueError, match="h1.weight: expected shape"):
        model.set_params({"h1.weight": np.ones((2, 8))})
    with pytest.raises(ValueError, match="unknown parameter 'h9.weight'"):
        model.set_params({"h9.weight": np.ones(1)})


def test_summary_lists_shapes_and_parameter_counts():
    model = build_model(graph_spec())
    rows = {row["id"]: row for row in model.summary()}
    assert rows["h1"] == {"id": "h1", "type": "dense", "output_shape": [6], "params": 30}
    assert rows["bn"]["params"] == 12 and rows["cat"]["output_shape"] == [9] and rows["probs"]["output_shape"] == [3]
    assert sum(row["params"] for row in rows.values()) == model.num_params
    assert "total" in model.summary_text()


def test_same_seed_gives_identical_weights_and_another_seed_does_not():
    a, b, c = build_model(base_spec(), seed=7), build_model(base_spec(), seed=7), build_model(base_spec(), seed=8)
    np.testing.assert_array_equal(a.flat_params, b.flat_params)
    assert not np.array_equal(a.flat_params, c.flat_params)
    assert build_model(base_spec() | {"seed": 7}).flat_params.tobytes() == a.flat_params.tobytes()


def test_default_initialization_matches_torch_linear_bounds():
    model = build_model({"input": {"shape": [100]}, "layers": [{"id": "out", "type": "dense", "units": 50}]})
    bound = 1 / np.sqrt(100)
    w = model.params()["out.weight"]
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound and abs(w.mean()) < 0.01


def test_zeros_initializer_and_he_scale():
    spec = {"input": {"shape": [400]}, "layers": [{"id": "a", "type": "dense", "units": 300, "init": "he"},
                                                   {"id": "b", "type": "dense", "units": 2, "init": "zeros"}]}
    params = build_model(spec).params()
    assert params["a.weight"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert not params["a.bias"].any() and not params["b.weight"].any()


SEQUENTIAL_CASES = {
    "mse_tanh": ([("dense", 6, "tanh"), ("dense", 2, "linear")], "mse"),
    "mae_relu": ([("dense", 6, "relu"), ("dense", 2, "sigmoid")], "mae"),
    "huber_elu_batch_norm": ([("dense", 6, "elu"), ("batch_norm",), ("dense", 2, "linear")], "huber"),
    "bce_sigmoid_fused": ([("dense", 6, "gelu"), ("dense", 1, "sigmoid")], "binary_cross_entropy"),
    "bce_logits": ([("dense", 6, "softplus"), ("dense", 1, "linear")], "binary_cross_entropy"),
    "ce_softmax_fused_layer_norm": ([("dense", 6, "leaky_relu"), ("layer_norm",), ("dense", 4, "softmax")], "cross_entropy"),
    "ce_separate_softmax_layer": ([("dense", 6, "tanh"), ("dense", 4, "linear"), ("activation", "softmax")], "cross_entropy"),
}


def _sequential_spec(layers, loss):
    out = []
    for i, layer in enumerate(layers):
        entry = {"id": f"l{i}", "type": layer[0]}
        if layer[0] == "dense":
            entry |= {"units": layer[1], "activation": layer[2]}
        elif layer[0] == "activation":
            entry["activation"] = layer[1]
        out.append(entry)
    return {"input": {"shape": [3]}, "layers": out, "loss": loss}


def _targets(loss, rng, width, n=10):
    if loss == "cross_entropy":
        return rng.integers(0, width, n)
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, width)).astype(np.float32)
    return rng.standard_normal((n, width)).astype(np.float32)


@pytest.mark.parametrize("case", list(SEQUENTIAL_CASES))
def test_forward_loss_and_gradients_match_torch(case, rng, torch):
    spec = _sequential_spec(*SEQUENTIAL_CASES[case])
    model = build_model(spec, seed=2)
    twin = TorchTwin(torch, model)
    x = rng.standard_normal((10, 3)).astype(np.float32)
    y = _targets(spec["loss"], rng, model.output_shape[0])
    twin.net.eval()
    np.testing.assert_allclose(model.forward(x), twin.logits_and_output(x)[1].detach().numpy(), rtol=1e-5, atol=1e-6)
    twin.net.train()
    loss, grads = model.grads(x, y)
    t_loss = twin.loss(x, y)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-5)
    for name, grad in twin.grads().items():
        np.testing.assert_allclose(grads[name], grad, rtol=1e-4, atol=1e-6, err_msg=name)


def test_whole_graph_gradients_match_finite_differences_in_float64(rng):
    spec = graph_spec()
    model = build_model(spec, seed=1, dtype=np.float64)
    x = rng.standard_normal((6, 4))
    y = rng.integers(0, 3, 6)

    def loss():
        model.dropout_rng = np.random.default_rng(99)  # the same dropout mask for every evaluation
        return model.loss(x, y, training=True)

    model.dropout_rng = np.random.default_rng(99)
    _, grads = model.grads(x, y)
    for name, value in model.params().items():
        numeric = reference.numeric_gradient(loss, value)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_float64_model_starts_from_the_same_weights():
    a, b = build_model(base_spec()), build_model(base_spec(), dtype=np.float64)
    np.testing.assert_array_equal(a.flat_params, b.flat_params.astype(np.float32))


def test_wrong_input_and_target_shapes_are_explained(rng):
    model = build_model(base_spec())
    with pytest.raises(ValueError, match=r"input must have shape \(batch, 2\)"):
        model.forward(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match="targets must be shaped like the output"):
        model.grads(np.zeros((4, 2), np.float32), np.zeros((4, 2)))
    ce = build_model(_sequential_spec([("dense", 3, "softmax")], "cross_entropy"))
    with pytest.raises(ValueError, match="between 0 and 2"):
        ce.grads(np.zeros((2, 3), np.float32), np.array([0, 3]))


def test_dense_on_sequences_applies_per_position_with_a_fused_loss(rng):
    spec = {"input": {"shape": [3, 4]}, "loss": "binary_cross_entropy",
            "layers": [{"id": "h", "type": "dense", "units": 5, "activation": "tanh"},
                       {"id": "ln", "type": "layer_norm"},
                       {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]}
    model = build_model(spec, dtype=np.float64)
    assert model.output_shape == (3, 1)
    x, y = rng.standard_normal((2, 3, 4)), rng.integers(0, 2, (2, 3, 1)).astype(np.float64)
    _, grads = model.grads(x, y)
    for name, value in model.params().items():
        numeric = reference.numeric_gradient(lambda: model.loss(x, y, training=True), value)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


def _conv_spec():
    return {"input": {"shape": [1, 8, 8]}, "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.01},
            "layers": [{"id": "c1", "type": "conv2d", "out_channels": 3, "kernel_size": 3, "activation": "relu"},
                       {"id": "bn", "type": "batch_norm"},
                       {"id": "pool", "type": "max_pool2d", "kernel_size": 2},
                       {"id": "flat", "type": "flatten"},
                       {"id": "out", "type": "dense", "units": 3, "activation": "softmax"}]}


def _sequence_spec():
    return {"input": {"shape": [5, 4]}, "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1},
            "layers": [{"id": "block", "type": "transformer_block", "num_heads": 2, "ff_dim": 8},
                       {"id": "rnn", "type": "lstm", "hidden_size": 6},
                       {"id": "out", "type": "dense", "units": 2}]}


def _batch(model, rng):
    x = rng.standard_normal((6, *model.input_shape)).astype(np.float32)
    width = model.output_shape[-1]
    y = rng.integers(0, width, 6) if model.spec.loss == "cross_entropy" else rng.random((6, width)).astype(np.float32)
    return x, y


@pytest.mark.parametrize("make", [base_spec, graph_spec, _conv_spec, _sequence_spec])
@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_model_trains_on_its_own_buffer_and_leaves_the_original_alone(make, how, rng):
    import copy
    import pickle
    from engine import Trainer
    original = build_model(make(), seed=4)
    x, y = _batch(original, rng)
    before = {**original.state_dict(), "__flat__": original.flat_params.copy()}
    expected_output = original.forward(x)
    twin = copy.deepcopy(original) if how == "deepcopy" else pickle.loads(pickle.dumps(original))

    # every parameter and gradient view of the copy (its own and its layers') looks into its own
    # flat buffers, never into the original's
    for name, view in twin.params().items():
        assert np.shares_memory(view, twin.flat_params) and not np.shares_memory(view, original.flat_params), name
    for name, view in twin.grad_views().items():
        assert np.shares_memory(view, twin.flat_grads), name
    for layer in twin.layers:
        for name, view in layer.params.items():
            assert view is twin.params()[f"{layer.id}.{name}"], (layer.id, name)
        for name, buffer in layer.buffers.items():
            assert buffer is twin.buffers()[f"{layer.id}.{name}"], (layer.id, name)
    np.testing.assert_array_equal(twin.forward(x), expected_output)

    trainer = Trainer(twin, make())
    for _ in range(5):
        trainer.step(x, y)
    assert not np.allclose(twin.flat_params, before["__flat__"])  # the copy did learn
    # ...and its layers compute with what its flat buffer holds: the same outputs as a fresh
    # model given the copy's parameters and buffers by name
    check = build_model(make(), seed=0)
    check.set_params(twin.state_dict())
    np.testing.assert_allclose(twin.forward(x), check.forward(x), rtol=1e-6, atol=1e-7)
    # the original did not move at all
    np.testing.assert_array_equal(original.flat_params, before.pop("__flat__"))
    for name, value in original.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    np.testing.assert_array_equal(original.forward(x), expected_output)

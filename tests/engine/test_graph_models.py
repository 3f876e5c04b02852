"""Graph models: any DAG of layers builds, infers shapes, has exact gradients through add/concat
and fan-out, and trains; broken graphs are answered with errors naming layer and field.
(Shape and cycle basics and one whole-graph gradient check live in test_spec_validation.py and
test_model.py; these cover what a graph adds on top.)"""

import numpy as np
import pytest

from engine import SpecError, Trainer, build_model, probes
from tests.engine import reference


def problems_of(spec):
    with pytest.raises(SpecError) as error:
        build_model(spec)
    return [(p["layer"], p["field"], p["message"]) for p in error.value.problems]


def image_graph():
    """Fan-out of one conv into three branches, a three-way add, and a channel concat."""
    return {"input": {"shape": [2, 5, 5]}, "loss": "mse", "layers": [
        {"id": "stem", "type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": "same", "activation": "tanh"},
        {"id": "a", "type": "conv2d", "out_channels": 3, "kernel_size": 1, "activation": "tanh", "inputs": ["stem"]},
        {"id": "b", "type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1, "inputs": ["stem"]},
        {"id": "sum3", "type": "add", "inputs": ["stem", "a", "b"]},
        {"id": "side", "type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1, "inputs": ["input"]},
        {"id": "cat", "type": "concat", "inputs": ["sum3", "side", "input"]},
        {"id": "pool", "type": "global_avg_pool2d"},
        {"id": "out", "type": "dense", "units": 2}]}


def test_a_dag_builds_in_dependency_order_whatever_the_list_order():
    spec = {"input": {"shape": [3]}, "loss": "mse", "layers": [
        {"id": "late", "type": "dense", "units": 4, "inputs": ["early"]},   # listed before its source
        {"id": "early", "type": "dense", "units": 4, "activation": "relu", "inputs": ["input"]},
        {"id": "join", "type": "concat", "inputs": ["late", "early", "input"]},
        {"id": "out", "type": "dense", "units": 1}]}
    model = build_model(spec)
    assert [layer.id for layer in model.layers] == ["early", "late", "join", "out"]
    assert [row["output_shape"] for row in model.summary()] == [[4], [4], [11], [1]]
    assert model.forward(np.ones((2, 3), np.float32)).shape == (2, 1)


def test_image_graph_shapes_and_gradients_through_fan_out_add_and_concat(rng):
    model = build_model(image_graph(), dtype=np.float64)
    assert [row["output_shape"] for row in model.summary()] == [
        [3, 5, 5], [3, 5, 5], [3, 5, 5], [3, 5, 5], [2, 5, 5], [7, 5, 5], [7], [2]]
    x, y = rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((3, 2))
    _, grads = model.grads(x, y)
    for name, value in model.params().items():
        numeric = reference.numeric_gradient(lambda: model.loss(x, y, training=True), value)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
    saliency = probes.saliency(model, x)  # the input feeds three layers: their gradients add up

    def score():
        out = model.forward(x)
        return out[np.arange(3), out.argmax(axis=1)].sum()
    np.testing.assert_allclose(saliency, reference.numeric_gradient(score, x), rtol=1e-4, atol=1e-6)


def test_every_layer_of_a_graph_is_visible_to_probes(rng):
    model = build_model(image_graph())
    values = probes.activations(model, rng.standard_normal((2, 2, 5, 5)).astype(np.float32))
    assert list(values) == ["stem", "a", "b", "sum3", "side", "cat", "pool", "out"]
    assert values["cat"].shape == (2, 7, 5, 5)


def deep_sigmoid_net(residual, depth=10, width=16):
    layers, previous = [{"id": "stem", "type": "dense", "units": width}], "stem"
    for i in range(depth):
        layers.append({"id": f"f{i}", "type": "dense", "units": width, "activation": "sigmoid", "inputs": [previous]})
        if residual:
            layers.append({"id": f"res{i}", "type": "add", "inputs": [previous, f"f{i}"]})
        previous = f"res{i}" if residual else f"f{i}"
    layers.append({"id": "out", "type": "dense", "units": 1, "activation": "sigmoid", "inputs": [previous]})
    return {"input": {"shape": [2]}, "layers": layers, "loss": "binary_cross_entropy", "batch_size": 32,
            "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}}


def test_a_residual_mlp_trains_where_the_same_plain_stack_stalls():
    """Ten sigmoid layers on a disc-in-a-square task: plain, the gradient vanishes and the net
    predicts the majority class (0.67); with skip connections it learns (measured 0.98)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (512, 2)).astype(np.float32)
    y = ((x ** 2).sum(axis=1) < 1.6).astype(np.float32)[:, None]
    accuracy = {}
    for residual in (False, True):
        model = build_model(deep_sigmoid_net(residual))
        Trainer(model, deep_sigmoid_net(residual)).train(x, y, steps=600)
        accuracy[residual] = np.mean((model.forward(x) > 0.5) == y)
    assert accuracy[False] < 0.72 and accuracy[True] > 0.93, accuracy


def test_concatenated_branches_train_together_and_repeat_per_seed(rng):
    """A wide-and-deep net: a linear branch and a relu branch side by side fit y = x0 + |x1|."""
    spec = {"input": {"shape": [2]}, "loss": "mse", "batch_size": 32, "optimizer": {"type": "adam", "lr": 0.02},
            "layers": [{"id": "wide", "type": "dense", "units": 2, "inputs": ["input"]},
                       {"id": "deep1", "type": "dense", "units": 16, "activation": "relu", "inputs": ["input"]},
                       {"id": "deep2", "type": "dense", "units": 8, "activation": "relu"},
                       {"id": "both", "type": "concat", "inputs": ["wide", "deep2"]},
                       {"id": "out", "type": "dense", "units": 1}]}
    x = rng.uniform(-2, 2, (256, 2)).astype(np.float32)
    y = (x[:, :1] + np.abs(x[:, 1:])).astype(np.float32)
    runs = [Trainer(build_model(spec), spec).train(x, y, steps=400) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0][-20:].mean() < 0.05 * runs[0][:5].mean(), (runs[0][:5].mean(), runs[0][-20:].mean())


# ------------------------------------------------------------------------------- errors


def test_a_longer_cycle_names_every_member_and_their_inputs_field():
    found = problems_of({"input": {"shape": [2]}, "layers": [
        {"id": "a", "type": "dense", "units": 2, "inputs": ["c"]},
        {"id": "b", "type": "dense", "units": 2, "inputs": ["a"]},
        {"id": "c", "type": "dense", "units": 2, "inputs": ["b"]},
        {"id": "out", "type": "dense", "units": 1, "inputs": ["c"]}]})
    cycle = [(layer, field) for layer, field, message in found if "cycle" in message]
    assert cycle == [("a", "layers[0].inputs"), ("b", "layers[1].inputs"), ("c", "layers[2].inputs")]
    assert all("a -> b -> c" in message for _, _, message in found if "cycle" in message)


def test_a_layer_feeding_itself_is_a_cycle():
    found = problems_of({"input": {"shape": [2]}, "layers": [
        {"id": "me", "type": "dense", "units": 2, "inputs": ["me"]}, {"id": "out", "type": "dense", "units": 1}]})
    assert ("me", "layers[0].inputs") in [(layer, field) for layer, field, _ in found]


@pytest.mark.parametrize("merge, field, words", [
    ({"type": "add", "inputs": ["h4", "h4", "h5"]}, "inputs[2]", "'h5' gives [5]"),
    ({"type": "concat", "inputs": ["img", "h4"]}, "inputs[1]", "needs the other axes equal"),
    ({"type": "concat", "inputs": ["h4", "h5"], "axis": 2}, "axis", "does not exist"),
])
def test_merge_shape_errors_name_the_layer_and_the_input(merge, field, words):
    found = problems_of({"input": {"shape": [1, 2, 2]}, "loss": "mse", "layers": [
        {"id": "img", "type": "conv2d", "out_channels": 1, "kernel_size": 1},
        {"id": "flat", "type": "flatten", "inputs": ["input"]},
        {"id": "h4", "type": "dense", "units": 4},
        {"id": "h5", "type": "dense", "units": 5, "inputs": ["flat"]},
        {"id": "merge", **merge},
        {"id": "out", "type": "flatten"}]})
    assert any(layer == "merge" and f == f"layers[4].{field}" and words in message for layer, f, message in found), found

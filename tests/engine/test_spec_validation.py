"""The network spec: round-trips, and every kind of bad spec answered with layer id and field."""

import copy
import json
import math

import pytest

from engine import NetworkSpec, SpecError, build_model, validate_spec


def base_spec():
    return {
        "input": {"shape": [2]},
        "layers": [
            {"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
            {"id": "h2", "type": "dense", "units": 8, "activation": "tanh", "dropout": 0.1},
            {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"},
        ],
        "loss": "binary_cross_entropy",
        "optimizer": {"type": "adam", "lr": 0.01},
        "regularization": {"type": "l2", "rate": 0.0001},
        "batch_size": 16,
        "seed": 0,
    }


def graph_spec():
    return {
        "input": {"shape": [4]},
        "layers": [
            {"id": "h1", "type": "dense", "units": 6, "activation": "relu"},
            {"id": "bn", "type": "batch_norm"},
            {"id": "h2", "type": "dense", "units": 6, "activation": "gelu"},
            {"id": "res", "type": "add", "inputs": ["h1", "h2"]},
            {"id": "ln", "type": "layer_norm"},
            {"id": "side", "type": "dense", "units": 3, "inputs": ["input"]},
            {"id": "cat", "type": "concat", "inputs": ["ln", "side"]},
            {"id": "drop", "type": "dropout", "rate": 0.2},
            {"id": "out", "type": "dense", "units": 3},
            {"id": "probs", "type": "activation", "activation": "softmax"},
        ],
        "loss": "cross_entropy",
        "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
        "grad_clip": {"type": "norm", "max_norm": 2.0},
        "lr_schedule": {"type": "cosine", "T_max": 100},
    }


@pytest.mark.parametrize("make", [base_spec, graph_spec])
def test_spec_round_trips_through_model_and_json(make):
    spec = make()
    model = build_model(spec)
    exported = model.to_dict()
    assert json.loads(json.dumps(exported)) == exported
    assert build_model(exported).to_dict() == exported
    for key, value in spec.items():  # everything given comes back unchanged; the rest are defaults
        if key != "layers":
            assert exported[key] == value if not isinstance(value, dict) else value.items() <= exported[key].items()
    for given, back in zip(spec["layers"], exported["layers"]):
        assert given.items() <= back.items()


def test_defaults_follow_torch():
    spec = validate_spec({"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}],
                          "optimizer": {"type": "rmsprop"}})
    assert (spec.optimizer.lr, spec.optimizer.alpha, spec.optimizer.eps) == (0.01, 0.99, 1e-8)
    assert validate_spec(base_spec() | {"optimizer": {"type": "sgd"}}).optimizer.lr == 1e-3
    assert validate_spec(base_spec() | {"optimizer": {"type": "adamw"}}).optimizer.weight_decay == 0.01
    assert validate_spec(base_spec() | {"optimizer": {"type": "adagrad"}}).optimizer.eps == 1e-10


def test_pydantic_model_is_accepted_directly():
    spec = NetworkSpec.model_validate(base_spec())
    assert build_model(spec).to_dict() == spec.model_dump(mode="json")


def edit(path_value_pairs, make=base_spec):
    spec = make()
    for path, value in path_value_pairs:
        target = spec
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return spec


DELETE = object()

BAD_SPECS = {
    "unknown field": (edit([(("layers", 1, "colour"), "red")]), "layers[1].colour", "h2"),
    "nan learning rate": (edit([(("optimizer", "lr"), math.nan)]), "optimizer.lr", None),
    "infinite dropout": (edit([(("layers", 0, "dropout"), math.inf)]), "layers[0].dropout", "h1"),
    "units out of bounds": (edit([(("layers", 1, "units"), 0)]), "layers[1].units", "h2"),
    "too many units": (edit([(("layers", 1, "units"), 100_000)]), "layers[1].units", "h2"),
    "units as a string": (edit([(("layers", 1, "units"), "8")]), "layers[1].units", "h2"),
    "fractional units": (edit([(("layers", 1, "units"), 2.5)]), "layers[1].units", "h2"),
    "missing units": (edit([(("layers", 1, "units"), DELETE)]), "layers[1].units", "h2"),
    "unknown layer type": (edit([(("layers", 1, "type"), "convolution")]), "layers[1].type", "h2"),
    "missing layer type": (edit([(("layers", 1, "type"), DELETE)]), "layers[1].type", "h2"),
    "layer that is not an object": (edit([(("layers", 1), 8)]), "layers[1]", None),
    "optimizer given as a bare name": (edit([(("optimizer",), "adam")]), "optimizer", None),
    "unknown activation": (edit([(("layers", 0, "activation"), "swish")]), "layers[0].activation", "h1"),
    "unknown loss": (edit([(("loss",), "hinge")]), "loss", None),
    "unknown optimizer": (edit([(("optimizer",), {"type": "lbfgs"})]), "optimizer.type", None),
    "negative batch size": (edit([(("batch_size",), -1)]), "batch_size", None),
    "beta out of range": (edit([(("optimizer",), {"type": "adam", "betas": [0.9, 1.5]})]), "optimizer.betas[1]", None),
    "nesterov without momentum": (edit([(("optimizer",), {"type": "sgd", "nesterov": True})]), "optimizer", None),
    "bad layer id": (edit([(("layers", 0, "id"), "h 1")]), "layers[0].id", "h 1"),
    "reserved id": (edit([(("layers", 0, "id"), "input"), (("layers", 1, "inputs"), ["h2"])]), "layers[0].id", "input"),
    "duplicate id": (edit([(("layers", 1, "id"), "h1")]), "layers[1].id", "h1"),
    "unknown input id": (edit([(("layers", 1, "inputs"), ["nope"])]), "layers[1].inputs[0]", "h2"),
    "cycle": (edit([(("layers", 0, "inputs"), ["h2"])]), "layers[0].inputs", "h1"),
    "shape mismatch in add": (edit([(("layers", 3, "inputs"), ["side", "h2"])], graph_spec), "layers[3].inputs[1]", "res"),
    "concat with mismatched shapes": ({"input": {"shape": [1, 4, 4]}, "layers": [
        {"id": "bn", "type": "batch_norm"},
        {"id": "d", "type": "dense", "units": 3, "inputs": ["input"]},
        {"id": "cat", "type": "concat", "inputs": ["bn", "d"]}]}, "layers[2].inputs[1]", "cat"),
    "layer feeding nothing": (edit([(("layers", 2, "inputs"), ["h1"])]), "layers[1]", "h2"),
    "add with one input": (edit([(("layers", 3, "inputs"), ["h1"])], graph_spec), "layers[3].inputs", "res"),
    "cross entropy on a sigmoid output": (edit([(("loss",), "cross_entropy")]), "loss", "out"),
    "binary cross entropy on tanh": (edit([(("layers", 2, "activation"), "tanh")]), "loss", "out"),
    "dropout on the output layer": (edit([(("layers", 2, "dropout"), 0.5)]), "layers[2].dropout", "out"),
    "perceptron with hidden layers": (edit([(("mode",), "perceptron")]), "mode", None),
    "unknown mode": (edit([(("mode",), "gan-ish")]), "mode", None),
    "batch norm with batch size 1": (edit([(("batch_size",), 1)], graph_spec), "batch_size", None),
    "empty layer list": (edit([(("layers",), [])]), "layers", None),
    "input shape with zero": (edit([(("input", "shape"), [0])]), "input.shape[0]", None),
    "schedule without step size": (edit([(("lr_schedule",), {"type": "step"})]), "lr_schedule.step_size", None),
    "negative clip": (edit([(("grad_clip",), {"type": "value", "clip_value": -1.0})]), "grad_clip.clip_value", None),
    "regularization rate too big": (edit([(("regularization", "rate"), 5.0)]), "regularization.rate", None),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_bad_spec_is_reported_with_field_and_layer(case):
    spec, field, layer = BAD_SPECS[case]
    with pytest.raises(SpecError) as caught:
        build_model(spec)
    problems = caught.value.problems
    assert problems, "a SpecError must carry at least one problem"
    assert all(set(p) == {"field", "layer", "message"} and p["message"] for p in problems)
    json.dumps(problems)  # the server sends these as they are
    if field is not None:
        matching = [p for p in problems if p["field"] == field]
        assert matching, f"no problem for {field}: {problems}"
        assert matching[0]["layer"] == layer


def test_every_problem_is_reported_at_once():
    spec = edit([(("layers", 0, "units"), 0), (("layers", 1, "activation"), "swish"), (("optimizer", "lr"), -1.0),
                 (("layers", 2, "id"), "h1")])
    with pytest.raises(SpecError) as caught:
        validate_spec(spec)
    fields = {p["field"] for p in caught.value.problems}
    assert {"layers[0].units", "layers[1].activation", "optimizer.lr", "layers[2].id"} <= fields


def test_shape_errors_are_found_even_when_other_fields_are_invalid():
    spec = edit([(("optimizer", "lr"), -1.0), (("layers", 3, "inputs"), ["side", "h2"])], graph_spec)
    with pytest.raises(SpecError) as caught:
        validate_spec(spec)
    assert {"optimizer.lr", "layers[3].inputs[1]"} <= {p["field"] for p in caught.value.problems}


def test_messages_tell_the_learner_what_is_allowed():
    with pytest.raises(SpecError) as caught:
        validate_spec(edit([(("layers", 1, "units"), 100_000)]))
    assert caught.value.problems[0]["message"] == "units must be at most 4096, got 100000"


def test_spec_error_is_raised_before_any_parameter_is_allocated(monkeypatch):
    import engine.model

    monkeypatch.setattr(engine.model.Model, "_allocate", lambda self: pytest.fail("allocated"))
    with pytest.raises(SpecError):
        build_model(edit([(("layers", 1, "units"), 0)]))


def test_input_spec_is_not_mutated():
    spec = base_spec()
    frozen = copy.deepcopy(spec)
    build_model(spec)
    assert spec == frozen


def test_an_invalid_layer_causes_no_follow_up_problems_in_its_neighbours():
    with pytest.raises(SpecError) as caught:
        validate_spec(edit([(("layers", 1), 8)]))
    assert [p["field"] for p in caught.value.problems] == ["layers[1]"]

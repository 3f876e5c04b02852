"""Freezing layers (``trainable: false``) and copying layers between models (transfer learning)."""

import numpy as np
import pytest

from engine import SpecError, Trainer, build_model, probes
from engine.modes import transfer_weights
from tests.engine import reference


def stack(frozen=(), head_units=3, loss="cross_entropy", head="softmax", **extra):
    layers = [{"id": "h1", "type": "dense", "units": 12, "activation": "tanh"},
              {"id": "bn", "type": "batch_norm"},
              {"id": "h2", "type": "dense", "units": 8, "activation": "relu"},
              {"id": "head", "type": "dense", "units": head_units, "activation": head}]
    for layer in layers:
        layer["trainable"] = layer["id"] not in frozen
    return {"input": {"shape": [5]}, "layers": layers, "loss": loss, "batch_size": 16,
            "optimizer": {"type": "adam", "lr": 0.05, "weight_decay": 0.01}, **extra}


def labelled(rng, n=64):
    x = rng.standard_normal((n, 5)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5)


def test_frozen_layers_stay_bit_identical_while_the_others_move(rng):
    """Adam with weight decay and momentum would move a frozen weight even with a zero gradient;
    frozen layers are left out of the update (and batch norm keeps its running statistics)."""
    spec = stack(frozen=("h1", "bn"), regularization={"type": "l2", "rate": 0.01},
                 grad_clip={"type": "norm", "max_norm": 1.0})
    model = build_model(spec)
    before = model.state_dict()
    trainer = Trainer(model, spec)
    assert trainer.fused is None  # the fused kernel would update everything
    trainer.train(*labelled(rng), steps=40)
    after = model.state_dict()
    for name in ("h1.weight", "h1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"):
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    for name in ("h2.weight", "head.weight", "head.bias"):
        assert not np.array_equal(after[name], before[name]), name


def test_a_frozen_layer_in_the_middle_passes_exact_gradients_through(rng):
    """Frozen h2 sits between trainable layers: h1 still learns through it; a frozen batch norm
    works as its fixed affine map of running statistics (checked by finite differences)."""
    spec = stack(frozen=("bn", "h2"))
    model = build_model(spec, dtype=np.float64)
    model.set_params({"bn.running_mean": rng.standard_normal(12), "bn.running_var": rng.random(12) + 0.5,
                      "bn.weight": rng.standard_normal(12)})
    x, y = labelled(rng, 6)
    x = x.astype(np.float64)
    _, grads = model.grads(x, y)
    for name, value in model.params().items():
        numeric = reference.numeric_gradient(lambda: model.loss(x, y, training=True), value)
        if name.startswith(("bn.", "h2.")):
            assert not grads[name].any(), name  # frozen: no gradient
        else:
            np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_nothing_upstream_of_a_frozen_prefix_is_backpropagated(rng, monkeypatch):
    model = build_model(stack(frozen=("h1", "bn", "h2")))
    assert model.backward_layers == {"head"}
    for layer_id in ("h1", "bn", "h2"):
        monkeypatch.setattr(model.layer_by_id[layer_id], "backward", lambda *a, **k: pytest.fail("visited"))
    assert model.layer_by_id["head"].needs_input_grad == [False]
    _, grads = model.grads(*labelled(rng, 8))
    assert grads["head.weight"].any() and not grads["h1.weight"].any()


def test_saliency_still_reaches_the_input_through_frozen_layers(rng):
    model = build_model(stack(frozen=("h1", "bn", "h2")))
    x, _ = labelled(rng, 4)
    assert np.abs(probes.saliency(model, x)).sum() > 0


def test_trainable_must_be_a_boolean():
    spec = stack()
    spec["layers"][0]["trainable"] = "no"
    with pytest.raises(SpecError) as error:
        build_model(spec)
    assert error.value.problems[0]["field"] == "layers[0].trainable"


def test_an_unfrozen_dense_stack_keeps_the_fused_path():
    spec = {"input": {"shape": [2]}, "layers": [{"id": "h", "type": "dense", "units": 4},
                                                 {"id": "out", "type": "dense", "units": 1}]}
    assert Trainer(build_model(spec), spec).fused is not None
    spec["layers"][0]["trainable"] = False
    assert Trainer(build_model(spec), spec).fused is None


# ------------------------------------------------------------------------------- transfer


def test_transfer_copies_matching_layers_and_reports_the_rest(rng):
    source = build_model(stack(), seed=1)
    target = build_model(stack(head_units=1, loss="binary_cross_entropy", head="sigmoid"), seed=2)
    report = transfer_weights(source, target)
    assert report["copied"] == ["h1.weight", "h1.bias", "bn.weight", "bn.bias", "h2.weight", "h2.bias",
                                "bn.running_mean", "bn.running_var"]
    assert set(report["skipped"]) == {"head.weight", "head.bias"} and "shape [3, 8]" in report["skipped"]["head.weight"]
    np.testing.assert_array_equal(target.params()["h2.weight"], source.params()["h2.weight"])
    only = transfer_weights(source.state_dict(), build_model(stack(), seed=3), layers=["h1"])
    assert only["copied"] == ["h1.weight", "h1.bias"]
    with pytest.raises(ValueError, match="unknown layer"):
        transfer_weights(source, target, layers=["nope"])


def test_train_on_a_freeze_and_fine_tune_on_b_beats_training_from_scratch():
    """A body learns digits 0-9 (task A); a new head on top of it, frozen, learns odd-vs-even
    (task B) from only 40 labelled images. Measured on the validation digits: transferred 0.90,
    the same net trained from scratch on the 40 images 0.80, a frozen random body 0.52.
    (Transferring a body trained on digits 0-4 to digits 5-9 did *not* help at this size: its
    16 relu features had specialized; a more general task A is what transfers.)"""
    from engine.data import load_dataset

    data = load_dataset("digits8", flatten=True)
    x, y, x_val, y_val = data.x_train, data.y_train, data.x_val, data.y_val

    def spec(classes, body_trainable=True):
        layers = [{"id": "body1", "type": "dense", "units": 32, "activation": "relu", "trainable": body_trainable},
                  {"id": "body2", "type": "dense", "units": 16, "activation": "relu", "trainable": body_trainable},
                  {"id": "head", "type": "dense", "units": classes, "activation": "softmax"}]
        return {"input": {"shape": [64]}, "layers": layers, "loss": "cross_entropy", "batch_size": 32,
                "optimizer": {"type": "adam", "lr": 0.01}}

    source = build_model(spec(10))
    Trainer(source, spec(10)).train(x, y, steps=400)
    few_x, few_parity = x[:40], y[:40] % 2
    accuracies = {}
    for name, body, body_trainable in (("transferred", source, False), ("random", None, False),
                                       ("scratch", None, True)):
        model = build_model(spec(2, body_trainable), seed=5)
        if body is not None:
            assert transfer_weights(body, model, layers=["body1", "body2"])["skipped"] == {}
        start = model.params()["body1.weight"].copy()
        Trainer(model, spec(2, body_trainable)).train(few_x, few_parity, steps=150)
        assert np.array_equal(model.params()["body1.weight"], start) != body_trainable
        accuracies[name] = np.mean(model.forward(x_val).argmax(axis=1) == y_val % 2)
    assert accuracies["transferred"] > 0.85, accuracies
    assert accuracies["transferred"] > accuracies["scratch"] + 0.05, accuracies
    assert accuracies["transferred"] > accuracies["random"] + 0.2, accuracies


def test_freezing_is_a_hyperparameter_that_keeps_weights_and_optimizer_state(rng):
    """Train everything, then freeze the body mid-run (no rebuild), then unfreeze it again."""
    spec = stack()
    model = build_model(spec)
    trainer = Trainer(model, spec)
    x, y = labelled(rng)
    trainer.train(x, y, steps=10)
    momentum = trainer.optimizer.state.copy()
    frozen_spec = stack(frozen=("h1", "bn"))
    trainer.set_hyper({"layers": frozen_spec["layers"]})
    np.testing.assert_array_equal(trainer.optimizer.state, momentum)
    assert trainer.spec.layers[0].trainable is False and model.backward_layers == {"h2", "head"}
    body = model.state_dict()
    trainer.train(x, y, steps=10)
    np.testing.assert_array_equal(model.params()["h1.weight"], body["h1.weight"])
    np.testing.assert_array_equal(model.buffers()["bn.running_mean"], body["bn.running_mean"])
    trainer.set_hyper({"layers": stack()["layers"]})
    trainer.train(x, y, steps=2)
    assert not np.array_equal(model.params()["h1.weight"], body["h1.weight"])
    changed = stack()
    changed["layers"][0]["units"] = 7
    with pytest.raises(SpecError, match="layers cannot be changed"):
        trainer.set_hyper({"layers": changed["layers"]})

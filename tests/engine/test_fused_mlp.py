"""The fused dense-stack kernel (engine/fused/mlp.py) against the layer-by-layer Trainer path.

Two trainers are built from one spec and seed; one has its fused plan switched off. Both see the
same minibatches, so losses, parameters and optimizer state must agree up to float32 summation
order (the fused kernel uses its own loops for small layers where the general path calls BLAS).
"""

import numpy as np
import pytest

from engine import Diverged, Trainer, build_model
from engine.fused.mlp import draw_batches, ineligibility, plan_fused

RTOL, ATOL = 2e-5, 2e-6
HIDDEN_ACTIVATIONS = ["linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
                      "softplus", "softmax"]
OPTIMIZERS = [
    {"type": "sgd", "lr": 0.05},
    {"type": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3},
    {"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"type": "sgd", "lr": 0.05, "momentum": 0.5, "dampening": 0.3},
    {"type": "adam", "lr": 0.01},
    {"type": "adam", "lr": 0.01, "weight_decay": 1e-2, "betas": [0.8, 0.99]},
    {"type": "adamw", "lr": 0.01, "weight_decay": 0.1},
    {"type": "rmsprop", "lr": 0.005},
    {"type": "rmsprop", "lr": 0.005, "momentum": 0.9, "centered": True},
    {"type": "adagrad", "lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
]
# (loss, output activation, outputs): every loss, with and without its fused logits form
LOSSES = [
    ("mse", "linear", 2), ("mse", "tanh", 1), ("mae", "linear", 1), ("huber", "linear", 2),
    ("binary_cross_entropy", "sigmoid", 1), ("binary_cross_entropy", "linear", 2),
    ("cross_entropy", "softmax", 3), ("cross_entropy", "linear", 4),
]


def make_spec(hidden=("tanh", "tanh"), widths=(8, 8), inputs=2, output=("linear", 1), loss="mse",
              optimizer=None, batch_size=10, **extra):
    layers = [{"id": f"h{i}", "type": "dense", "units": w, "activation": a}
              for i, (w, a) in enumerate(zip(widths, hidden))]
    layers.append({"id": "out", "type": "dense", "units": output[1], "activation": output[0]})
    spec = {"input": {"shape": [inputs]}, "layers": layers, "loss": loss,
            "optimizer": optimizer or {"type": "sgd", "lr": 0.05}, "batch_size": batch_size, "seed": 3}
    spec.update(extra)
    return spec


def make_data(spec, samples=120, seed=0):
    rng = np.random.default_rng(seed)
    inputs = spec["input"]["shape"][0]
    outputs = spec["layers"][-1]["units"]
    x = rng.standard_normal((samples, inputs)).astype(np.float32)
    if spec["loss"] == "cross_entropy":
        return x, (np.abs(x.sum(axis=1)) * 2).astype(np.int64) % outputs
    y = np.tanh(x @ rng.standard_normal((inputs, outputs))).astype(np.float32)
    if spec["loss"] == "binary_cross_entropy":
        y = (y > 0).astype(np.float32)
    return x, y


def twin_trainers(spec):
    """(fused trainer, layer-by-layer trainer) from identical models."""
    fused = Trainer(build_model(spec), spec)
    general = Trainer(build_model(spec), spec)
    assert fused.fused is not None, ineligibility(fused.model, fused)
    general.fused = None
    return fused, general


def assert_same_state(fused, general):
    np.testing.assert_allclose(fused.model.flat_params, general.model.flat_params, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(fused.model.flat_grads, general.model.flat_grads, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fused.optimizer.state, general.optimizer.state, rtol=1e-4, atol=ATOL)
    assert fused.step_count == general.step_count
    assert fused.optimizer.steps == general.optimizer.steps
    assert fused.samples_seen == general.samples_seen
    assert fused._cursor == general._cursor


def train_both(spec, steps=40):
    fused, general = twin_trainers(spec)
    x, y = make_data(spec)
    got, want = fused.train(x, y, steps), general.train(x, y, steps)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    assert_same_state(fused, general)
    return fused, general


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_hidden_activation_trains_like_the_general_path(activation):
    train_both(make_spec(hidden=(activation, activation)))


@pytest.mark.parametrize("loss,output,outputs", LOSSES)
def test_every_loss_trains_like_the_general_path(loss, output, outputs):
    train_both(make_spec(output=(output, outputs), loss=loss))


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_every_optimizer_trains_like_the_general_path(optimizer):
    train_both(make_spec(optimizer=optimizer, output=("softmax", 3), loss="cross_entropy"))


@pytest.mark.parametrize("extra", [
    {"regularization": {"type": "l2", "rate": 0.01}},
    {"regularization": {"type": "l1", "rate": 0.01}},
    {"grad_clip": {"type": "norm", "max_norm": 0.1}},
    {"grad_clip": {"type": "value", "clip_value": 0.01}},
    {"lr_schedule": {"type": "step", "step_size": 7, "gamma": 0.5}},
    {"lr_schedule": {"type": "cosine", "T_max": 30, "eta_min": 0.001}},
], ids=lambda e: next(iter(e)) + "-" + next(iter(e.values()))["type"])
def test_regularization_clipping_and_schedules_match(extra):
    train_both(make_spec(optimizer={"type": "adam", "lr": 0.01}, **extra))


def test_deep_net_without_biases_and_an_mlp_on_the_blas_branch_match():
    train_both(make_spec(hidden=("relu",) * 4, widths=(5, 3, 7, 4)), steps=25)  # all loops
    train_both(make_spec(hidden=("tanh", "tanh"), widths=(40, 3), batch_size=30), steps=25)  # mixed
    spec = make_spec(hidden=("relu", "relu"), widths=(128, 64), inputs=64, output=("linear", 10),
                     loss="cross_entropy", optimizer={"type": "adam", "lr": 1e-3}, batch_size=32)
    spec["layers"][0]["use_bias"] = False
    train_both(spec, steps=10)


def test_step_matches_and_mixes_with_train():
    spec = make_spec(optimizer={"type": "adam", "lr": 0.01})
    fused, general = twin_trainers(spec)
    x, y = make_data(spec)
    for start in range(0, 60, 10):
        got, want = fused.step(x[start:start + 10], y[start:start + 10]), general.step(x[start:start + 10], y[start:start + 10])
        assert got == pytest.approx(want, rel=RTOL, abs=ATOL)
    np.testing.assert_allclose(fused.train(x, y, 15), general.train(x, y, 15), rtol=RTOL, atol=ATOL)
    fused.step(x[:7], y[:7]), general.step(x[:7], y[:7])  # another batch size
    assert_same_state(fused, general)


def test_hyperparameter_changes_between_calls_match():
    spec = make_spec(optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.9})
    fused, general = twin_trainers(spec)
    x, y = make_data(spec)
    changes = [{"optimizer": {"lr": 0.01}}, {"optimizer": {"type": "adam", "lr": 0.003}},
               {"batch_size": 17}, {"regularization": {"type": "l2", "rate": 0.1}},
               {"grad_clip": {"type": "norm", "max_norm": 0.2}}]
    for change in changes:
        fused.set_hyper(change), general.set_hyper(change)
        np.testing.assert_allclose(fused.train(x, y, 12), general.train(x, y, 12), rtol=RTOL, atol=ATOL)
    assert_same_state(fused, general)


def test_fused_training_is_bit_for_bit_deterministic():
    spec = make_spec(optimizer={"type": "adam", "lr": 0.01}, regularization={"type": "l2", "rate": 0.01})
    runs = []
    for _ in range(2):
        trainer = Trainer(build_model(spec), spec)
        x, y = make_data(spec)
        runs.append((trainer.train(x, y, 50), trainer.model.flat_params.copy()))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])


def test_bulk_batch_draw_replays_the_trainers_generator():
    spec = make_spec(batch_size=7)
    a, b = Trainer(build_model(spec), spec), Trainer(build_model(spec), spec)
    bulk = draw_batches(a, 50, 7, 23)
    one_by_one = np.stack([b._next_batch(50, 7) for _ in range(23)])
    assert np.array_equal(bulk, one_by_one) and a._cursor == b._cursor


@pytest.mark.parametrize("where", ["loss", "parameters"])
def test_divergence_is_reported_like_the_general_path(where):
    spec = make_spec(optimizer={"type": "sgd", "lr": 0.05 if where == "loss" else 10.0})
    fused, general = twin_trainers(spec)
    x, y = make_data(spec)
    if where == "loss":
        y[37] = np.nan  # a bad target: the loss turns NaN at the step that draws it
    else:
        y = y * 1e19  # lr 10 on huge targets: the parameters overflow float32 within a few steps
    errors = []
    for trainer in (fused, general):
        with pytest.raises(Diverged) as caught:
            trainer.train(x, y, 50)
        errors.append(caught.value)
    got, want = errors
    assert (got.step, got.tensor, str(got)) == (want.step, want.tensor, str(want))
    np.testing.assert_allclose(got.losses, want.losses, rtol=RTOL)
    assert fused.step_count == general.step_count and fused.optimizer.steps == general.optimizer.steps


@pytest.mark.parametrize("change,reason", [
    (lambda s: s["layers"][0].update(dropout=0.2), "dropout"),
    (lambda s: s["layers"].insert(1, {"id": "bn", "type": "batch_norm"}), "batch_norm"),
    (lambda s: s.update(mode="perceptron", layers=[{"id": "out", "type": "dense", "units": 1, "activation": "step"}]),
     "perceptron"),
])
def test_ineligible_networks_train_layer_by_layer(change, reason):
    spec = make_spec()
    change(spec)
    model = build_model(spec)
    trainer = Trainer(model, spec)
    assert trainer.fused is None and plan_fused(model, trainer) is None
    assert reason in ineligibility(model, trainer)

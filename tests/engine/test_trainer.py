"""Trainer: determinism, divergence reports, hyperparameter changes, the perceptron rule, and
small networks that must learn XOR and a circle."""

import numpy as np
import pytest
import reference

from engine import Diverged, SpecError, Trainer, build_model
from engine.kernels.perceptron import perceptron_update


def playground_spec(**extra):
    return {"input": {"shape": [2]},
            "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
                       {"id": "h2", "type": "dense", "units": 8, "activation": "tanh"},
                       {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
            "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.03}, "batch_size": 10, **extra}


def xor_data(n=400, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 2)).astype(np.float32)
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.float32)[:, None]


def circle_data(n=400, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 2)).astype(np.float32)
    return x, (np.hypot(x[:, 0], x[:, 1]) < 0.6).astype(np.float32)[:, None]


def accuracy(model, x, y):
    return float(np.mean((model.forward(x) > 0.5) == (y > 0.5)))


def train(spec, x, y, steps, seed=None):
    model = build_model(spec, seed=seed)
    trainer = Trainer(model, spec)
    return model, trainer, trainer.train(x, y, steps=steps)


@pytest.mark.parametrize("dropout", [0.3, 0.0])  # layer by layer, and the fused path of dense stacks
def test_same_spec_and_seed_give_bit_identical_losses(dropout):
    x, y = xor_data()
    spec = playground_spec(layers=[{"id": "h1", "type": "dense", "units": 8, "activation": "relu", "dropout": dropout},
                                   {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}])
    first, second = train(spec, x, y, 300)[2], train(spec, x, y, 300)[2]
    assert first.tobytes() == second.tobytes()
    assert train(spec | {"seed": 1}, x, y, 300)[2].tobytes() != first.tobytes()


@pytest.mark.parametrize("make_data", [xor_data, circle_data])
def test_2_8_8_1_tanh_network_learns(make_data):
    x, y = make_data()
    model, trainer, losses = train(playground_spec(), x, y, 3000)
    assert accuracy(model, x, y) >= 0.95
    assert losses[-100:].mean() < 0.25 * losses[:100].mean()
    assert trainer.step_count == 3000 and trainer.epoch == pytest.approx(3000 * 10 / len(x))


def test_train_returns_one_loss_per_step_and_counts_samples():
    x, y = xor_data(n=25)
    _, trainer, losses = train(playground_spec(), x, y, 7)
    assert losses.shape == (7,) and losses.dtype == np.float64
    assert trainer.samples_seen == 70 and trainer.epoch == pytest.approx(70 / 25)


def test_nan_loss_is_reported_with_step_tensor_and_advice():
    x, y = xor_data(n=40)
    model = build_model(playground_spec())
    trainer = Trainer(model, playground_spec())
    trainer.train(x, y, steps=5)
    x[3, 0] = np.nan
    with pytest.raises(Diverged) as caught:
        trainer.train(x, y, steps=20)
    error = caught.value
    assert error.tensor == "loss" and np.isnan(error.value) and 6 <= error.step <= 9
    assert error.message == f"loss became NaN at step {error.step}: try a smaller learning rate or gradient clipping"
    assert error.losses.shape == (error.step - 6,)


def test_overflowing_parameter_is_named():
    spec = {"input": {"shape": [1]}, "layers": [{"id": "out", "type": "dense", "units": 1}], "loss": "mse",
            "optimizer": {"type": "sgd", "lr": 1.0}}
    model = build_model(spec)
    model.set_params({"out.weight": [[1e37]], "out.bias": [0.0]})
    with pytest.raises(Diverged) as caught:
        Trainer(model, spec).step(np.full((4, 1), 30.0, np.float32), np.zeros((4, 1), np.float32))
    assert caught.value.tensor == "out.weight" and caught.value.step == 1
    assert "out.weight became infinite at step 1" in caught.value.message


def test_exploding_learning_rate_is_caught_within_a_few_hundred_steps():
    x, y = xor_data()
    spec = playground_spec(layers=[{"id": "h1", "type": "dense", "units": 8, "activation": "relu"},
                                   {"id": "out", "type": "dense", "units": 1}],
                           loss="mse", optimizer={"type": "sgd", "lr": 10.0})
    with pytest.raises(Diverged) as caught:
        train(spec, x * 100, y * 1000, 500)
    assert caught.value.step < 500 and "smaller learning rate" in caught.value.message


def test_set_hyper_changes_batch_size_regularization_and_rejects_bad_values():
    x, y = xor_data()
    model, trainer, _ = train(playground_spec(), x, y, 3)
    trainer.set_hyper({"batch_size": 32, "regularization": {"type": "l1", "rate": 0.001},
                       "grad_clip": {"type": "value", "clip_value": 0.5}, "lr_schedule": {"type": "step", "step_size": 2}})
    trainer.train(x, y, steps=2)
    assert trainer.samples_seen == 3 * 10 + 2 * 32
    assert model.to_dict()["batch_size"] == 32
    with pytest.raises(SpecError) as caught:
        trainer.set_hyper({"batch_size": 0, "optimizer": {"lr": float("nan")}})
    assert {p["field"] for p in caught.value.problems} == {"batch_size", "optimizer.lr"}
    with pytest.raises(SpecError, match="layers cannot be changed while training"):
        trainer.set_hyper({"layers": [{"id": "out", "type": "dense", "units": 1}]})
    assert trainer.spec.batch_size == 32  # a rejected change leaves everything as it was


def test_set_hyper_accepts_a_whole_spec_and_a_new_loss():
    x, y = xor_data()
    model, trainer, _ = train(playground_spec(), x, y, 3)
    whole = playground_spec(loss="mse", optimizer={"type": "adam", "lr": 0.001})
    trainer.set_hyper(whole)
    assert trainer.spec.loss == "mse" and not model.fused_output and trainer.optimizer.steps == 3
    losses = trainer.train(x, y, steps=5)
    assert np.all(np.isfinite(losses))  # trains on with the new loss


def test_learning_rate_schedule_reaches_the_optimizer():
    x, y = xor_data()
    spec = playground_spec(optimizer={"type": "sgd", "lr": 0.1}, lr_schedule={"type": "step", "step_size": 10, "gamma": 0.5})
    _, trainer, _ = train(spec, x, y, 25)
    assert trainer.current_lr() == pytest.approx(0.1 * 0.5**2)


def test_perceptron_kernel_matches_reference(rng):
    x = rng.standard_normal((20, 3)).astype(np.float32)
    t = (rng.random((20, 2)) > 0.5).astype(np.float32)
    w, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
    ref_w, ref_b, ref_mistakes = reference.perceptron(x, t, w, b, 0.1)
    assert perceptron_update(x, t, w, b, 0.1) == ref_mistakes
    np.testing.assert_allclose(w, ref_w, rtol=1e-5, atol=1e-6)  # float32 sums
    np.testing.assert_allclose(b, ref_b, rtol=1e-5, atol=1e-6)


def perceptron_spec():
    return {"input": {"shape": [2]}, "layers": [{"id": "p", "type": "dense", "units": 1, "activation": "step"}],
            "mode": "perceptron", "optimizer": {"type": "sgd", "lr": 0.1}, "batch_size": 10}


def test_perceptron_learns_linearly_separable_data():
    x = np.random.default_rng(3).uniform(-1, 1, (200, 2)).astype(np.float32)
    margin = x[:, 0] + 0.5 * x[:, 1] - 0.1
    x, y = x[np.abs(margin) > 0.05], (margin[np.abs(margin) > 0.05] > 0).astype(np.float32)[:, None]
    model, _, errors = train(perceptron_spec(), x, y, 2000)
    assert accuracy(model, x, y) == 1.0 and errors[-50:].max() == 0.0


def test_perceptron_cannot_learn_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10, np.float32)
    y = np.array([[0], [1], [1], [0]] * 10, np.float32)
    model, _, errors = train(perceptron_spec(), x, y, 2000)
    assert accuracy(model, x, y) <= 0.75 and errors[-200:].mean() > 0.2  # it keeps making mistakes


def test_evaluate_reports_loss_and_accuracy_for_classifiers():
    from engine.metrics import evaluate

    x, y = xor_data()
    model, _, _ = train(playground_spec(), x, y, 3000)
    result = evaluate(model, playground_spec(), x, y, chunk=64)
    assert result["accuracy"] >= 0.95 and result["loss"] == pytest.approx(model.loss(x, y), rel=1e-5)
    regression = build_model(playground_spec(loss="mse"))
    assert set(evaluate(regression, None, x, y)) == {"loss"}
    perceptron = build_model(perceptron_spec())
    scored = evaluate(perceptron, perceptron_spec(), x, y)
    assert scored["loss"] == pytest.approx(1 - scored["accuracy"])


def test_trainer_rejects_a_spec_of_another_architecture():
    model = build_model(playground_spec())
    with pytest.raises(SpecError, match="layers cannot be changed"):
        Trainer(model, playground_spec(layers=[{"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]))
    Trainer(model, playground_spec(loss="mse"))
    assert model.spec.loss == "mse"


def test_float64_models_train_like_float32_ones():
    x, y = xor_data()
    spec = playground_spec(optimizer={"type": "rmsprop", "lr": 0.01, "centered": True},
                           regularization={"type": "l2", "rate": 0.001}, grad_clip={"type": "norm", "max_norm": 1.0})
    single, double = build_model(spec), build_model(spec, dtype=np.float64)
    losses32 = Trainer(single, spec).train(x, y, steps=50)
    losses64 = Trainer(double, spec).train(x, y, steps=50)
    np.testing.assert_allclose(losses32, losses64, rtol=1e-3)
    np.testing.assert_allclose(single.flat_params, double.flat_params, rtol=1e-3, atol=1e-4)

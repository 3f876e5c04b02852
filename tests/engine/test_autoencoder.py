"""Autoencoder mode: spec checks, the clean-target rule, noise, bottleneck probes, and measured
learning on digits8 (reconstruction beats the mean image; denoising removes noise; anomalies
score high)."""

import numpy as np
import pytest

from engine import SpecError, Trainer, build_model
from engine.metrics import evaluate
from engine.modes import (AutoencoderTrainer, anomaly_scores, bottleneck_id, decode_codes, latent_codes,
                          reconstructions)


def ae_spec(code=8, loss="mse", noise_std=0.0, mask_fraction=0.0, features=64, **extra):
    return {"mode": "autoencoder", "input": {"shape": [features]}, "loss": loss, "batch_size": 32, "seed": 0,
            "optimizer": {"type": "adam", "lr": 0.01},
            "autoencoder": {"noise_std": noise_std, "mask_fraction": mask_fraction},
            "layers": [{"id": "enc", "type": "dense", "units": 32, "activation": "relu"},
                       {"id": "code", "type": "dense", "units": code},
                       {"id": "dec", "type": "dense", "units": 32, "activation": "relu"},
                       {"id": "out", "type": "dense", "units": features, "activation": "sigmoid"}],
            **extra}


@pytest.fixture(scope="module")
def digits():
    from engine.data import load_dataset

    data = load_dataset("digits8", flatten=True)
    return data.x_train, data.x_val


def problems_of(spec):
    with pytest.raises(SpecError) as error:
        build_model(spec)
    return {p["field"]: (p["layer"], p["message"]) for p in error.value.problems}


# ------------------------------------------------------------------------------------- spec


def test_output_must_have_the_input_shape_and_the_loss_must_reconstruct():
    spec = ae_spec(loss="cross_entropy")
    spec["layers"][-1].update(units=10, activation="softmax")
    found = problems_of(spec)
    assert found["layers"][0] == "out" and "input's shape [64]" in found["layers"][1]
    assert "reconstruction loss" in found["loss"][1]


def test_bottleneck_must_name_a_layer_and_settings_need_the_mode():
    assert "unknown layer 'nope'" in problems_of(ae_spec(autoencoder={"bottleneck": "nope"}))["autoencoder.bottleneck"][1]
    assert "mode" in problems_of({**ae_spec(), "mode": "supervised"})["autoencoder"][1]
    assert "mask_fraction" in problems_of(ae_spec(mask_fraction=1.5))["autoencoder.mask_fraction"][1]


def test_the_bottleneck_defaults_to_the_narrowest_layer_and_can_be_named():
    assert bottleneck_id(build_model(ae_spec(code=2))) == "code"
    named = ae_spec(code=2)
    named["autoencoder"]["bottleneck"] = "enc"
    model = build_model(named)
    assert bottleneck_id(model) == "enc"
    assert latent_codes(model, np.zeros((3, 64), np.float32)).shape == (3, 32)


# --------------------------------------------------------------------- training semantics


def test_the_target_is_the_clean_input_and_noise_reaches_only_the_input(rng, monkeypatch):
    spec = ae_spec(noise_std=0.5, mask_fraction=0.25)
    x = rng.random((16, 64)).astype(np.float32)
    trainer = Trainer(build_model(spec), spec)
    assert isinstance(trainer, AutoencoderTrainer)
    noisy = trainer.corrupt(x)
    zeroed = np.mean(noisy == 0.0)
    assert 0.2 < zeroed < 0.3  # the mask fraction
    kept = noisy != 0.0
    assert np.std(noisy[kept] - x[kept]) == pytest.approx(0.5, rel=0.1)  # the gaussian part
    seen = []
    fixed = rng.random((16, 64)).astype(np.float32)
    monkeypatch.setattr(trainer, "corrupt", lambda batch: seen.append(batch.copy()) or fixed)
    expected = trainer.model.loss(fixed, x, training=True)
    assert trainer.step(x, y=np.arange(16)) == pytest.approx(expected, rel=1e-6)  # labels are ignored
    np.testing.assert_array_equal(seen[0], x)


def test_training_with_noise_repeats_exactly_per_seed(rng):
    x = rng.random((64, 64)).astype(np.float32)
    runs = [Trainer(build_model(ae_spec(noise_std=0.3, mask_fraction=0.1)), ae_spec(noise_std=0.3, mask_fraction=0.1))
            .train(x, None, steps=20) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_noise_is_a_hyperparameter_that_changes_mid_run(rng):
    spec = ae_spec()
    trainer = Trainer(build_model(spec), spec)
    x = rng.random((8, 64)).astype(np.float32)
    assert trainer.corrupt(x) is x
    trainer.set_hyper({"autoencoder": {"noise_std": 0.2}})
    assert not np.array_equal(trainer.corrupt(x), x)


# --------------------------------------------------------------------------------- learning


def test_an_autoencoder_reconstructs_digits_better_than_the_mean_image(digits):
    x, x_val = digits
    model = build_model(ae_spec())
    Trainer(model, ae_spec()).train(x, None, steps=800)
    mean_image_error = np.mean((x_val - x.mean(axis=0)) ** 2)  # the best constant guess: 0.074
    error = np.mean((reconstructions(model, x_val) - x_val) ** 2)
    assert error < 0.35 * mean_image_error, (error, mean_image_error)  # measured 0.017 at 1000 steps
    assert evaluate(model, None, x_val, None)["loss"] == pytest.approx(error, rel=1e-4)  # target = input


def test_a_denoising_autoencoder_removes_noise(digits):
    x, x_val = digits
    noisy = (x_val + 0.3 * np.random.default_rng(5).standard_normal(x_val.shape)).astype(np.float32)
    spec = ae_spec(noise_std=0.3)
    denoiser = build_model(spec)
    Trainer(denoiser, spec).train(x, None, steps=1200)
    noise_error = np.mean((noisy - x_val) ** 2)                            # measured 0.089
    denoised_error = np.mean((reconstructions(denoiser, noisy) - x_val) ** 2)  # measured 0.026
    assert denoised_error < 0.4 * noise_error, (denoised_error, noise_error)


def test_two_unit_codes_scatter_and_strange_inputs_score_as_anomalies(digits):
    x, x_val = digits
    model = build_model(ae_spec(code=2))
    Trainer(model, ae_spec(code=2)).train(x, None, steps=600)
    codes = latent_codes(model, x_val)
    assert codes.shape == (len(x_val), 2) and np.all(codes.std(axis=0) > 0)
    normal = anomaly_scores(model, x_val)
    strange = anomaly_scores(model, np.random.default_rng(1).random((50, 64)).astype(np.float32))
    assert normal.shape == (len(x_val),)
    assert strange.min() > np.percentile(normal, 95)


def test_a_convolutional_autoencoder_on_digit_images(digits):
    """Conv encoder (8x8 -> 4x4 -> 2x2 maps), transposed-conv decoder back to 1x8x8: measured
    validation error 0.020 after 300 steps against 0.074 for the mean image."""
    x, x_val = digits[0].reshape(-1, 1, 8, 8), digits[1].reshape(-1, 1, 8, 8)
    spec = {"mode": "autoencoder", "input": {"shape": [1, 8, 8]}, "loss": "mse",
            "batch_size": 32, "optimizer": {"type": "adam", "lr": 0.01},
            "layers": [{"id": "enc1", "type": "conv2d", "out_channels": 8, "kernel_size": 3, "stride": 2,
                        "padding": 1, "activation": "relu"},
                       {"id": "code", "type": "conv2d", "out_channels": 8, "kernel_size": 3, "stride": 2,
                        "padding": 1, "activation": "relu"},
                       {"id": "dec1", "type": "conv2d_transpose", "out_channels": 8, "kernel_size": 2, "stride": 2,
                        "activation": "relu"},
                       {"id": "out", "type": "conv2d_transpose", "out_channels": 1, "kernel_size": 2, "stride": 2,
                        "activation": "sigmoid"}]}
    model = build_model(spec)
    assert bottleneck_id(model) == "code" and latent_codes(model, x[:3]).shape == (3, 8, 2, 2)
    Trainer(model, spec).train(x, None, steps=300)
    error = np.mean((reconstructions(model, x_val) - x_val) ** 2)
    assert error < 0.5 * np.mean((x_val - x.mean(axis=0)) ** 2), error


def test_a_sigmoid_conv_output_is_fused_into_binary_cross_entropy(rng):
    """Before the fix a conv output's sigmoid was not seen by the loss, which then took the
    probabilities for logits (the loss sat at about 0.69 and the autoencoder learned nothing)."""
    layers = [{"id": "enc", "type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1, "activation": "relu"},
              {"id": "out", "type": "conv2d_transpose", "out_channels": 1, "kernel_size": 1, "activation": "sigmoid"}]
    spec = {"mode": "autoencoder", "input": {"shape": [1, 4, 4]}, "loss": "binary_cross_entropy", "layers": layers}
    model = build_model(spec)
    x = rng.random((3, 1, 4, 4)).astype(np.float32)
    p = model.forward(x).astype(np.float64)
    expected = -np.mean(x * np.log(p) + (1 - x) * np.log(1 - p))
    assert model.loss(x, x) == pytest.approx(expected, rel=1e-5)
    layers[1]["activation"] = "tanh"
    with pytest.raises(SpecError, match="expects a sigmoid"):
        build_model(spec)


def test_a_mode_trainer_copies_like_any_object():
    """copy/pickle create objects without arguments; the mode dispatch must let them."""
    import copy

    trainer = Trainer(build_model(ae_spec(noise_std=0.1)), ae_spec(noise_std=0.1))
    assert type(copy.copy(trainer)) is AutoencoderTrainer
    assert type(copy.deepcopy(trainer)) is AutoencoderTrainer


def test_the_decoder_runs_alone_from_codes(rng):
    model = build_model(ae_spec(code=2))
    x = rng.random((5, 64)).astype(np.float32)
    np.testing.assert_allclose(decode_codes(model, latent_codes(model, x)), reconstructions(model, x), rtol=1e-6)
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 4), np.linspace(-2, 2, 4)), axis=-1).reshape(-1, 2)
    assert decode_codes(model, grid).shape == (16, 64)  # the picture of the 2-D code space
    skip = ae_spec(code=2)
    skip["layers"].insert(3, {"id": "skip", "type": "concat", "inputs": ["dec", "enc"]})
    with pytest.raises(ValueError, match="also reads"):
        decode_codes(build_model(skip), grid)
    with pytest.raises(ValueError, match="codes must have shape"):
        decode_codes(model, np.zeros((2, 3)))

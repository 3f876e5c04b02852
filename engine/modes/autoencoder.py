"""Autoencoder mode: the network learns to reproduce its input through a narrow layer.

Spec: an ordinary network spec with ``"mode": "autoencoder"``; its output must have the input's
shape and its loss must be a reconstruction loss (mse, mae, huber, or binary_cross_entropy for
inputs in [0, 1]). Optional settings:

    "autoencoder": {"bottleneck": "code",     # layer whose output is the code; default: narrowest
                    "noise_std": 0.3,          # gaussian noise added to the inputs while training
                    "mask_fraction": 0.2}      # fraction of input values zeroed while training

Noise (denoising) corrupts only what the network sees while training; the target is always the
clean input. It is drawn from its own generator seeded by the spec's seed, so runs repeat
exactly. ``Trainer.train(x, y, steps)`` ignores ``y`` (pass None): the data are the targets.

    >>> import numpy as np
    >>> from engine import build_model
    >>> model = build_model({"mode": "autoencoder", "input": {"shape": [6]},
    ...     "layers": [{"id": "enc", "type": "dense", "units": 4, "activation": "tanh"},
    ...                {"id": "code", "type": "dense", "units": 2},
    ...                {"id": "dec", "type": "dense", "units": 4, "activation": "tanh"},
    ...                {"id": "out", "type": "dense", "units": 6}]})
    >>> bottleneck_id(model), latent_codes(model, np.zeros((5, 6), np.float32)).shape
    ('code', (5, 2))
"""

import numpy as np

from engine.probes import unobserved
from engine.spec import problem
from engine.train import Trainer

RECONSTRUCTION_LOSSES = ("mse", "mae", "huber", "binary_cross_entropy")
_NOISE_STREAM = 3_000_017  # seed-sequence key of the input-noise generator, apart from the others


def autoencoder_problems(spec, shapes) -> list[dict]:
    """Spec checks of the mode (called by validate_spec once the layers are valid)."""
    if spec.mode != "autoencoder":
        return [problem("autoencoder", "autoencoder settings need \"mode\": \"autoencoder\"")]
    out, last = [], spec.layers[-1]
    output_shape, input_shape = list(shapes[last.id][0]), list(spec.input.shape)
    if output_shape != input_shape:
        out.append(problem("layers", f"an autoencoder's output must have the input's shape {input_shape}, "
                           f"but {last.id!r} outputs {output_shape}", last.id))
    if spec.loss not in RECONSTRUCTION_LOSSES:
        out.append(problem("loss", f"an autoencoder needs a reconstruction loss ({', '.join(RECONSTRUCTION_LOSSES)}), "
                           f"got {spec.loss}"))
    chosen = spec.autoencoder.bottleneck if spec.autoencoder is not None else None
    if chosen is not None and chosen not in shapes:
        out.append(problem("autoencoder.bottleneck", f"unknown layer {chosen!r}; known ids: {', '.join(shapes)}"))
    return out


def bottleneck_id(model) -> str:
    """The layer the spec names, else the narrowest layer before the output (the first if tied)."""
    settings = getattr(model.spec, "autoencoder", None)
    if settings is not None and settings.bottleneck is not None:
        return settings.bottleneck
    in_order = sorted(model.layers, key=lambda layer: layer.index)
    hidden = [layer for layer in in_order if layer.id != model.output_id] or in_order
    return min(hidden, key=lambda layer: int(np.prod(layer.output_shape))).id


class AutoencoderTrainer(Trainer):
    """Trainer of mode "autoencoder": each step reconstructs the clean batch from a corrupted copy."""

    def __init__(self, model, spec=None):
        super().__init__(model, spec)
        self._noise_rng = np.random.default_rng([model.seed, _NOISE_STREAM])

    def corrupt(self, x) -> np.ndarray:
        """What the network sees while training: x plus gaussian noise, then a random fraction of
        values zeroed, as the spec asks (x itself when it asks for no noise)."""
        settings = self.spec.autoencoder
        if settings is None or (settings.noise_std == 0.0 and settings.mask_fraction == 0.0):
            return x
        noisy = np.array(x, dtype=self.model.dtype)
        if settings.noise_std > 0.0:
            noisy += (settings.noise_std * self._noise_rng.standard_normal(noisy.shape)).astype(noisy.dtype)
        if settings.mask_fraction > 0.0:
            noisy[self._noise_rng.random(noisy.shape) < settings.mask_fraction] = 0.0
        return noisy

    def step(self, x, y=None) -> float:
        """One optimizer step reconstructing the batch x (``y`` is ignored: x is the target)."""
        clean = self.model._check_input(x)
        loss = self.model.loss_and_backward(self.corrupt(clean), clean)
        return self.apply_gradients(loss, len(clean))

    def train(self, x, y=None, steps: int = 1) -> np.ndarray:
        """``steps`` seeded minibatch steps on x alone; returns the reconstruction losses."""
        x = np.ascontiguousarray(x, dtype=self.model.dtype)
        return super().train(x, x, steps)  # the base loop draws batches and calls self.step


# ---------------------------------------------------------------------------------- probes


def reconstructions(model, x) -> np.ndarray:
    """The network's output for x (eval mode), shaped like x."""
    return model.forward(x, training=False)


def latent_codes(model, x, layer_id=None) -> np.ndarray:
    """Bottleneck activations for x (eval mode): (batch, *code shape); a 2-unit code is a scatter."""
    layer_id = bottleneck_id(model) if layer_id is None else layer_id
    if layer_id not in model.layer_by_id:
        raise ValueError(f"unknown layer {layer_id!r}; choose one of {list(model.layer_by_id)}")
    with unobserved(model):
        return np.array(model.run(x, training=False)[layer_id])


def decode_codes(model, codes, layer_id=None) -> np.ndarray:
    """Run only the decoder: the layers after the bottleneck, fed ``codes`` (batch, *code shape)
    in eval mode. A grid of 2-D codes decodes to the picture of what the code space learned.
    Raises ValueError when a later layer also reads an earlier one (a skip around the code)."""
    layer_id = bottleneck_id(model) if layer_id is None else layer_id
    codes = np.ascontiguousarray(codes, dtype=model.dtype)
    expected = model.layer_by_id[layer_id].output_shape
    if codes.shape[1:] != expected:
        raise ValueError(f"codes must have shape (batch, {', '.join(map(str, expected))}), got {codes.shape}")
    order = [layer.id for layer in model.layers]
    values = {layer_id: codes}
    with unobserved(model):
        for layer in model.layers[order.index(layer_id) + 1:]:
            missing = [src for src in model.sources[layer.id] if src not in values]
            if missing:
                raise ValueError(f"layer {layer.id!r} also reads {missing}, not only the code: "
                                 f"the decoder cannot run on its own")
            values[layer.id] = layer.forward([values[src] for src in model.sources[layer.id]], False, model.dropout_rng)
        return np.array(values[model.output_id])


def anomaly_scores(model, x) -> np.ndarray:
    """Per-sample reconstruction error, mean squared over the sample's values: (batch,) float64.
    Inputs unlike the training data reconstruct badly and score high."""
    x = np.asarray(x, model.dtype)
    error = reconstructions(model, x).reshape(len(x), -1) - x.reshape(len(x), -1)
    return np.mean(np.square(error, dtype=np.float64), axis=1)

"""Composite training modes: one module per mode, each a Trainer subclass and its probes.

``Trainer(model, spec)`` picks the class from the model's ``mode`` (``trainer_class``), so the
same two calls train every kind of network:

    >>> import numpy as np
    >>> from engine import build_model, Trainer
    >>> spec = {"mode": "autoencoder", "input": {"shape": [4]}, "loss": "mse",
    ...         "layers": [{"id": "code", "type": "dense", "units": 2, "activation": "tanh"},
    ...                    {"id": "out", "type": "dense", "units": 4}]}
    >>> trainer = Trainer(build_model(spec), spec)
    >>> type(trainer).__name__, trainer.train(np.ones((8, 4), np.float32), None, steps=3).shape
    ('AutoencoderTrainer', (3,))

- autoencoder.py: the target is the input (optional input noise for denoising), bottleneck codes,
  reconstructions and anomaly scores.
- gan_spec.py / gan.py: a generator and a discriminator, each a network spec of its own, trained
  by alternating updates; generated samples for a fixed latent batch, latent interpolation.
- transfer.py: copying layers by id from a trained model (freeze with ``trainable: false``).
"""

from engine.modes.autoencoder import (AutoencoderTrainer, anomaly_scores, bottleneck_id, decode_codes,
                                      latent_codes, reconstructions)
from engine.modes.gan import GanModel, GanTrainer, gan_evaluation, generated_samples, latent_interpolation
from engine.modes.gan_spec import GanSpec, validate_gan_spec
from engine.modes.transfer import transfer_weights


def trainer_class(model, spec=None):
    """The Trainer class for the model's mode (the spec's mode must be the model's: it is fixed)."""
    from engine.train import Trainer

    mode = getattr(model.spec, "mode", "supervised")
    return {"autoencoder": AutoencoderTrainer, "gan": GanTrainer}.get(mode, Trainer)


__all__ = ["AutoencoderTrainer", "GanModel", "GanSpec", "GanTrainer", "anomaly_scores", "bottleneck_id",
           "decode_codes", "gan_evaluation", "generated_samples", "latent_codes", "latent_interpolation",
           "reconstructions", "trainer_class", "transfer_weights", "validate_gan_spec"]

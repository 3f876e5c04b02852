"""Layerlab's training engine: numerics only (Numba kernels, layers, models, trainer, probes).

    >>> import numpy as np
    >>> from engine import build_model, Trainer
    >>> spec = {"input": {"shape": [2]},
    ...         "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
    ...                    {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
    ...         "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}}
    >>> model = build_model(spec)
    >>> [row["params"] for row in model.summary()]
    [24, 9]

Never imports the server, asyncio or anything of the wire.
"""

from engine.model import Model, build_model
from engine.registry import (
    ACTIVATIONS,
    INITIALIZERS,
    LAYERS,
    LOSSES,
    OPTIMIZERS,
    REGISTRIES,
    SCHEDULES,
    catalog,
)
from engine.spec import LayerSpec, NetworkSpec, SpecError, validate_spec
from engine.spec_models import (
    AdagradSpec,
    AdamSpec,
    AdamWSpec,
    ClipNormSpec,
    ClipValueSpec,
    CosineScheduleSpec,
    InputSpec,
    RegularizationSpec,
    RMSpropSpec,
    SGDSpec,
    StepScheduleSpec,
)
from engine.train import Diverged, Trainer

__all__ = [
    "ACTIVATIONS", "INITIALIZERS", "LAYERS", "LOSSES", "OPTIMIZERS", "REGISTRIES", "SCHEDULES",
    "AdagradSpec", "AdamSpec", "AdamWSpec", "ClipNormSpec", "ClipValueSpec", "CosineScheduleSpec",
    "Diverged", "InputSpec", "LayerSpec", "Model", "NetworkSpec", "RMSpropSpec", "RegularizationSpec",
    "SGDSpec", "SpecError", "StepScheduleSpec", "Trainer", "build_model", "catalog", "validate_spec",
]

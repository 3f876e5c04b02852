"""The loaded data set: train and validation arrays plus what a model needs to know about them.

Layouts (batch first, as in PyTorch):
- x: float32 features (N, F), images (N, C, H, W), sequences (N, T, F); token ids (N, T) int64.
- y: classification -> int64 labels (N,) (what CrossEntropyLoss takes);
     binary -> float32 (N, 1) of 0/1 (for a sigmoid output and binary_cross_entropy);
     regression / forecasting -> float32 shaped like the network's output (N, K).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TASKS = (
    "binary_classification",
    "multiclass_classification",
    "regression",
    "sequence_classification",
    "forecasting",
    "generation",
)

# What the last layer and the loss should look like for each task; the UI suggests these.
SUGGESTED_HEAD = {
    "binary_classification": {"activation": "sigmoid", "loss": "binary_cross_entropy"},
    "multiclass_classification": {"activation": "linear", "loss": "cross_entropy"},
    "sequence_classification": {"activation": "linear", "loss": "cross_entropy"},
    "generation": {"activation": "linear", "loss": "cross_entropy"},
    "regression": {"activation": "linear", "loss": "mse"},
    "forecasting": {"activation": "linear", "loss": "mse"},
}


@dataclass
class Dataset:
    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int | None = None
    class_names: tuple[str, ...] | None = None
    options: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # e.g. vocabulary, feature names, scaler
    warnings: list[str] = field(default_factory=list)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of one sample of the network's output (logits for classification)."""
        if self.task in ("multiclass_classification", "sequence_classification", "generation"):
            return tuple(int(d) for d in self.y_train.shape[1:]) + (int(self.num_classes),)
        return tuple(int(d) for d in self.y_train.shape[1:])

    def metadata(self) -> dict:
        """JSON-able summary for the UI (no arrays)."""
        head = SUGGESTED_HEAD[self.task]
        return {
            "name": self.name,
            "task": self.task,
            "input_shape": list(self.input_shape),
            "input_dtype": str(self.x_train.dtype),
            "output_shape": list(self.output_shape),
            "num_classes": self.num_classes,
            "class_names": list(self.class_names) if self.class_names else None,
            "train_size": int(len(self.x_train)),
            "val_size": int(len(self.x_val)),
            "suggested_output_activation": head["activation"],
            "suggested_loss": head["loss"],
            "options": _jsonable(self.options),
            "extras": _small_extras(self.extras),
            "warnings": list(self.warnings),
        }


def _small_extras(extras: dict) -> dict:
    """The JSON-able extras (feature names, vocabulary, normalization, alphabet), without the
    per-sample arrays and texts, which would make every message large."""
    return {key: value for key, value in extras.items()
            if not isinstance(value, np.ndarray) and not key.endswith(("_train", "_val"))}


def _jsonable(options: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


def binary_targets(labels: np.ndarray) -> np.ndarray:
    """0/1 labels -> float32 (N, 1), the layout binary_cross_entropy expects."""
    return np.asarray(labels, dtype=np.float32).reshape(-1, 1)


def class_labels(labels: np.ndarray) -> np.ndarray:
    """Integer labels -> int64 (N,), the layout cross_entropy expects (as in PyTorch)."""
    return np.asarray(labels, dtype=np.int64).reshape(-1)

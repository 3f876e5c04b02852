"""TF-Playground-style input features computed from 2-D points.

The server uses the same function on a grid to draw decision boundaries, so a model trained on
(x1, x1², sin x2) sees exactly the columns it was trained on.

>>> expand_features(np.array([[1.0, 2.0]]), ("x1", "x1_x2")).tolist()
[[1.0, 2.0]]
"""
from __future__ import annotations

import numpy as np

FEATURE_LABELS = {
    "x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1_x2": "x₁·x₂",
    "sin_x1": "sin x₁", "sin_x2": "sin x₂",
}
FEATURES = tuple(FEATURE_LABELS)

_FEATURE_FUNCTIONS = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1_sq": lambda a, b: a * a,
    "x2_sq": lambda a, b: b * b,
    "x1_x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: np.sin(a),
    "sin_x2": lambda a, b: np.sin(b),
}


def expand_features(points: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """points: (N, 2) -> float32 (N, len(features)), columns in the order given."""
    points = np.asarray(points, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    columns = [_FEATURE_FUNCTIONS[name](x1, x2) for name in features]
    return np.stack(columns, axis=1).astype(np.float32)

"""Early stopping and the best checkpoint: engine-side helpers, no I/O.

    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}]})
    >>> best = BestCheckpoint(metric="val_loss", patience=2)
    >>> [best.update(model, step, {"val_loss": v}) for step, v in [(10, 0.5), (20, 0.4), (30, 0.45), (40, 0.6)]]
    [True, True, False, False]
    >>> best.step, best.should_stop
    (20, True)
"""

import math


class BestCheckpoint:
    """Remembers the parameters (and batch-norm running statistics) at the best value of one
    metric seen so far; with ``patience`` (evaluations without improvement) it also says when
    to stop. ``restore(model)`` puts the best parameters back."""

    def __init__(self, metric: str = "val_loss", mode: str | None = None, patience: int | None = None,
                 min_delta: float = 0.0):
        self.metric = metric
        self.mode = mode or ("max" if "accuracy" in metric else "min")
        self.patience, self.min_delta = patience, min_delta
        self.value = math.inf if self.mode == "min" else -math.inf
        self.step = None
        self.metrics = None
        self.evaluations_since_best = 0
        self._saved = None

    def _better(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.value - self.min_delta
        return value > self.value + self.min_delta

    def update(self, model, step: int, metrics: dict) -> bool:
        """Record an evaluation; returns True when it is the new best (and copies the parameters)."""
        value = metrics.get(self.metric)
        if value is None or not math.isfinite(value) or not self._better(value):
            self.evaluations_since_best += 1
            return False
        self.value, self.step, self.metrics = value, step, dict(metrics)
        self.evaluations_since_best = 0
        self._saved = model.state_dict()  # copies: parameters and running statistics
        return True

    @property
    def should_stop(self) -> bool:
        return self.patience is not None and self.evaluations_since_best >= self.patience

    def restore(self, model) -> bool:
        """Copy the best parameters back into the model; False if nothing was saved yet."""
        if self._saved is None:
            return False
        model.set_params(self._saved)
        return True

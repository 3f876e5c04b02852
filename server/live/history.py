"""A session's metric history: every step's training loss and every evaluation, kept whole.

Frames carry only what is new since the previous frame; a (re)connecting client gets all of it
at once in a `history` message, plus a display-sized summary so a chart can draw a million steps
without holding them:

    >>> h = MetricHistory()
    >>> h.append_losses(np.array([1.0, 0.5, 0.25], np.float32))
    >>> h.add_eval({"step": 3, "epoch": 0, "val_loss": 0.3})
    >>> h.steps, h.losses_since(1).tolist(), h.evals_since(0)
    (3, [0.5, 0.25], [{'step': 3, 'epoch': 0, 'val_loss': 0.3}])
"""
import threading

import numpy as np

from server.live.codec import encode_tensor


class MetricHistory:
    def __init__(self, first_step: int = 0):
        self._lock = threading.Lock()  # the worker appends while a socket task snapshots
        self._losses = np.empty(1024, np.float32)
        self.first_step = first_step  # the step before the first loss (a loaded network goes on)
        self.steps = 0  # losses held; the last one is step first_step + steps
        self._evals: list[dict] = []

    def append_losses(self, losses: np.ndarray) -> None:
        with self._lock:
            needed = self.steps + len(losses)
            if needed > len(self._losses):
                grown = np.empty(max(needed, 2 * len(self._losses)), np.float32)
                grown[: self.steps] = self._losses[: self.steps]
                self._losses = grown
            self._losses[self.steps:needed] = losses
            self.steps = needed

    def add_eval(self, record: dict) -> None:
        with self._lock:
            self._evals.append(record)

    def losses_since(self, step: int) -> np.ndarray:
        with self._lock:
            return self._losses[step: self.steps].copy()

    def evals_since(self, index: int) -> list[dict]:
        with self._lock:
            return self._evals[index:]

    @property
    def eval_count(self) -> int:
        return len(self._evals)

    def latest_eval(self) -> dict:
        with self._lock:
            return dict(self._evals[-1]) if self._evals else {}

    def to_message(self, display_points: int = 1000) -> dict:
        """The whole history, for a client that (re)connects."""
        with self._lock:
            losses = self._losses[: self.steps].copy()
            evals = list(self._evals)
        return {
            "type": "history",
            "steps": len(losses),
            "first_step": self.first_step,
            "losses": {"start": self.first_step, **encode_tensor(losses, "float32")},
            "display": downsample(losses, display_points),
            "evals": evals,
        }


def downsample(values: np.ndarray, points: int) -> dict:
    """Mean, min and max of equal buckets of steps: the shape of the curve, noise band included.

    >>> downsample(np.arange(10, dtype=np.float32), 5)["mean"]["shape"]
    [5]
    """
    count = len(values)
    bucket = max(1, -(-count // points))  # ceil: never more than `points` buckets
    whole = count // bucket * bucket
    rows = values[:whole].reshape(-1, bucket)
    tail = values[whole:]
    means, lows, highs = rows.mean(axis=1), rows.min(axis=1), rows.max(axis=1)
    if len(tail):
        means = np.append(means, tail.mean())
        lows, highs = np.append(lows, tail.min()), np.append(highs, tail.max())
    return {
        "bucket": bucket,
        "mean": encode_tensor(means, "float32"),
        "min": encode_tensor(lows, "float32"),
        "max": encode_tensor(highs, "float32"),
    }

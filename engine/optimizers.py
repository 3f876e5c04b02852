"""Optimizer state over a flat buffer, and learning-rate schedules (drivers of kernels/optim.py).

    >>> import numpy as np
    >>> from engine.spec_models import SGDSpec
    >>> opt = OptimizerState(SGDSpec(lr=0.1), size=3, dtype=np.float32)
    >>> p, g = np.ones(3, np.float32), np.ones(3, np.float32)
    >>> opt.apply(p, g, lr=0.1), p
    (0.0, array([0.9, 0.9, 0.9], dtype=float32))
"""

import math

import numpy as np

from engine.kernels.codes import OPTIMIZER_CODES
from engine.kernels.optim import (
    H_ALPHA,
    H_AMSGRAD,
    H_BETA1,
    H_BETA2,
    H_CENTERED,
    H_DAMPENING,
    H_EPS,
    H_LR,
    H_LR_DECAY,
    H_MOMENTUM,
    H_NESTEROV,
    H_WEIGHT_DECAY,
    HYPER_SIZE,
    STATE_SLOTS,
    optimizer_step,
)


def hyper_array(spec) -> np.ndarray:
    """Pack an optimizer spec into the float64 array optimizer_step reads."""
    hyper = np.zeros(HYPER_SIZE, np.float64)
    hyper[H_LR] = spec.lr
    hyper[H_WEIGHT_DECAY] = spec.weight_decay
    if spec.type == "sgd":
        hyper[H_MOMENTUM], hyper[H_DAMPENING], hyper[H_NESTEROV] = spec.momentum, spec.dampening, spec.nesterov
    elif spec.type in ("adam", "adamw"):
        hyper[H_BETA1], hyper[H_BETA2], hyper[H_EPS] = spec.betas[0], spec.betas[1], spec.eps
        hyper[H_AMSGRAD] = spec.amsgrad
    elif spec.type == "rmsprop":
        hyper[H_ALPHA], hyper[H_EPS], hyper[H_MOMENTUM], hyper[H_CENTERED] = spec.alpha, spec.eps, spec.momentum, spec.centered
    elif spec.type == "adagrad":
        hyper[H_LR_DECAY], hyper[H_EPS] = spec.lr_decay, spec.eps
    return hyper


class OptimizerState:
    """Flat optimizer state (momentum, moments, ...) for one parameter buffer."""

    def __init__(self, spec, size: int, dtype=np.float32):
        self.size, self.dtype = size, np.dtype(dtype)
        self.reset(spec)

    def reset(self, spec):
        self.spec = spec
        self.code = OPTIMIZER_CODES[spec.type]
        self.hyper = hyper_array(spec)
        self.state = np.zeros((STATE_SLOTS, self.size), self.dtype)
        if spec.type == "adagrad":
            self.state[0] = spec.initial_accumulator_value
        self.steps = 0

    def update(self, spec):
        """New hyperparameters: same optimizer keeps its state (as editing a torch param_group);
        another optimizer starts fresh, since moments of one rule mean nothing to another."""
        if spec.type != self.spec.type:
            self.reset(spec)
        else:
            self.spec, self.hyper = spec, hyper_array(spec)

    def apply(self, params, grads, lr: float, segments=None) -> float:
        """One update of ``params`` in place; returns 0.0, or NaN if a parameter is not finite.

        ``segments``: (n, 2) [start, stop) ranges to update (the trainable layers); the rest,
        frozen, is not touched at all, not even by weight decay or momentum."""
        self.steps += 1
        self.hyper[H_LR] = lr
        if segments is None:
            return float(optimizer_step(self.code, params, grads, self.state, self.hyper, self.steps))
        probe = 0.0
        for start, stop in segments:
            # a contiguous copy keeps the kernel's one compiled signature (a column slice would not)
            state = np.ascontiguousarray(self.state[:, start:stop])
            probe += optimizer_step(self.code, params[start:stop], grads[start:stop], state, self.hyper, self.steps)
            self.state[:, start:stop] = state
        return float(probe)


def scheduled_lr(base_lr: float, schedule, step: int) -> float:
    """Learning rate for the optimizer step after ``step`` completed steps (torch's closed forms:
    StepLR and CosineAnnealingLR, stepped once per optimizer step)."""
    if schedule is None:
        return base_lr
    if schedule.type == "step":
        return base_lr * schedule.gamma ** (step // schedule.step_size)
    if schedule.type == "cosine":
        return schedule.eta_min + (base_lr - schedule.eta_min) * (1 + math.cos(math.pi * step / schedule.T_max)) / 2
    raise ValueError(f"unknown schedule {schedule.type!r}")

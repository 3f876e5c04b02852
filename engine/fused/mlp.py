"""Fused training path for sequential dense networks (the playground case and plain MLPs).

``plan_fused(model, trainer)`` returns a :class:`FusedPlan` when the network qualifies, else None;
the Trainer then sends ``step``/``train`` through it, with results equal to the layer-by-layer path
(same minibatches, same kernels for activations, losses, regularization, clipping and optimizers)
up to float32 summation order. A network qualifies when:

- every layer is ``dense``, each fed by the one before (no ``inputs`` graph), the input is a
  flat feature vector and the model is float32;
- no layer has dropout (its masks come from the layer-by-layer path's generator, and a
  different stream would change training) and the trainer is not in perceptron mode.
Anything else (batch_norm, layer_norm, conv, recurrent, graphs) trains layer by layer.

    >>> import numpy as np
    >>> from engine import build_model, Trainer
    >>> spec = {"input": {"shape": [2]},
    ...         "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
    ...                    {"id": "out", "type": "dense", "units": 1}],
    ...         "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1}, "batch_size": 10}
    >>> model = build_model(spec)
    >>> plan = plan_fused(model, Trainer(model, spec))
    >>> plan is not None, plan.layers.shape
    (True, (2, 7))
"""

import numpy as np

from engine.fused.mlp_kernels import (
    CLIP_NONE,
    CLIP_NORM,
    CLIP_VALUE,
    F_ACTIVATION,
    F_COLUMN,
    F_FAN_IN,
    F_FAN_OUT,
    F_LOSS_ON_PRE,
    LAYER_FIELDS,
    STATUS_LOSS_NOT_FINITE,
    STATUS_OK,
    train_steps,
)
from engine.kernels.codes import ACTIVATION_CODES
from engine.kernels.regularize import REG_L1, REG_L2, REG_NONE
from engine.optimizers import scheduled_lr
from engine.spec_models import INPUT_ID


def dense_stack_problem(model) -> str | None:
    """Why the model is not a float32 stack of dense layers on flat inputs (None when it is)."""
    if model.dtype != np.float32:
        return "the fused kernels are compiled for float32 models"
    if len(model.input_shape) != 1:
        return "dense layers on non-flat inputs apply per position"
    previous = INPUT_ID
    for layer in sorted(model.layers, key=lambda layer: layer.index):
        if layer.spec.type != "dense":
            return f"layer {layer.id!r} is {layer.spec.type}, not dense"
        if model.sources[layer.id] != [previous]:
            return f"layer {layer.id!r} is not fed by the layer before it"
        previous = layer.id
    return None


def ineligibility(model, trainer) -> str | None:
    """Why this network cannot train on the fused path (None when it can)."""
    if trainer.spec.mode != "supervised":
        return "perceptron mode has its own update rule"
    problem = dense_stack_problem(model)
    if problem is None:
        dropped = [layer.id for layer in model.layers if layer.spec.dropout > 0.0]
        problem = f"layer {dropped[0]!r} uses dropout" if dropped else None
    return problem


def layer_table(model) -> np.ndarray:
    """The kernel's (L, LAYER_FIELDS) int64 description of the dense stack."""
    offsets = {name: offset for name, offset, _ in model.param_layout}
    layers = sorted(model.layers, key=lambda layer: layer.index)
    table = np.zeros((len(layers), LAYER_FIELDS), np.int64)
    column = model.input_shape[0]
    for row, layer in zip(table, layers):
        row[0] = offsets[f"{layer.id}.weight"]
        row[1] = offsets.get(f"{layer.id}.bias", -1)
        row[F_FAN_IN] = layer.input_shapes[0][-1]
        row[F_FAN_OUT] = layer.spec.units
        row[F_ACTIVATION] = ACTIVATION_CODES[layer.spec.activation]
        row[F_COLUMN] = column
        column += layer.spec.units
    table[-1, F_LOSS_ON_PRE] = 1 if model.fused_output else 0
    return table


def plan_fused(model, trainer):
    """A FusedPlan for (model, trainer), or None when the network needs the layer-by-layer path."""
    return None if ineligibility(model, trainer) else FusedPlan(model, trainer)


class Workspace:
    """Scratch arrays of the kernel for one batch size (reallocated only when it changes)."""

    def __init__(self, table, rows):
        total_width = int(table[-1, F_COLUMN] + table[-1, F_FAN_OUT])
        max_width = int(max(table[:, F_FAN_OUT].max(), table[:, F_FAN_IN].max()))
        outputs = int(table[-1, F_FAN_OUT])
        self.rows = rows
        self.acts = np.zeros(rows * total_width, np.float32)
        self.pres = np.zeros(rows * total_width, np.float32)
        self.grad_a = np.zeros(rows * max_width, np.float32)
        self.grad_z = np.zeros(rows * max_width, np.float32)
        self.batch_targets = np.zeros((rows, outputs), np.float32)
        self.batch_labels = np.zeros(rows, np.int64)
        self.own_rows = np.arange(rows, dtype=np.int64).reshape(1, rows)  # Trainer.step's index


def draw_batches(trainer, n, batch, steps):
    """The (steps, batch) row indices Trainer._next_batch would give over `steps` calls, drawn
    in bulk from the same generator (an epoch is a permutation; a short tail is skipped)."""
    index = np.empty((steps, batch), np.int64)
    k = 0
    while k < steps:
        order = trainer._order
        if order is None or len(order) != n or trainer._cursor + batch > n:
            trainer._order, trainer._cursor = trainer._rng.permutation(n), 0
        take = min((n - trainer._cursor) // batch, steps - k)
        start = trainer._cursor
        index[k:k + take] = trainer._order[start:start + take * batch].reshape(take, batch)
        trainer._cursor += take * batch
        k += take
    return index


class FusedPlan:
    """Runs Trainer.step / Trainer.train of one eligible (model, trainer) through train_steps."""

    def __init__(self, model, trainer):
        self.model, self.trainer = model, trainer
        self.layers = layer_table(model)
        self.outputs = int(self.layers[-1, F_FAN_OUT])
        self._workspace = None
        self._settings_for, self._settings = None, None
        self._one_lr = np.zeros(1, np.float64)
        self._one_loss = np.zeros(1, np.float64)

    # ------------------------------------------------------------------- public entry points

    def step(self, x, y) -> float:
        x = self.model._check_input(x)
        targets, labels = self.model._targets(y, len(x), self.outputs)
        work = self._workspace_for(len(x))
        spec = self.trainer.spec
        self._one_lr[0] = spec.optimizer.lr if spec.lr_schedule is None else self._learning_rates(1)[0]
        self._run(x, targets, labels, work.own_rows, self._one_lr, self._one_loss, in_train=False)
        return float(self._one_loss[0])

    def train(self, x, y, steps: int) -> np.ndarray:
        x = self.model._check_input(x)
        n = len(x)
        if n == 0 or len(y) != n:
            raise ValueError(f"x and y need the same, non-zero number of samples (got {n} and {len(y)})")
        targets, labels = self.model._targets(y, n, self.outputs)
        self.trainer.train_size = n
        batch = min(self.trainer.spec.batch_size, n)
        index = draw_batches(self.trainer, n, batch, steps)
        losses = np.empty(steps, np.float64)
        self._run(x, targets, labels, index, self._learning_rates(steps), losses, in_train=True)
        return losses

    # --------------------------------------------------------------------------- helpers

    def _workspace_for(self, rows):
        if self._workspace is None or self._workspace.rows != rows:
            self._workspace = Workspace(self.layers, rows)
        return self._workspace

    def _learning_rates(self, steps):
        spec, done = self.trainer.spec, self.trainer.step_count
        if spec.lr_schedule is None:
            return np.full(steps, spec.optimizer.lr, np.float64)
        # the Trainer's own formula, step by step, so both paths use bit-identical rates
        return np.array([scheduled_lr(spec.optimizer.lr, spec.lr_schedule, done + k) for k in range(steps)])

    def _settings_now(self):
        """(reg kind, rate, clip kind, limit) of the current spec, recomputed after set_hyper."""
        spec = self.trainer.spec
        if spec is not self._settings_for:
            reg, clip = spec.regularization, spec.grad_clip
            reg_kind = REG_NONE if reg is None or reg.type == "none" or reg.rate == 0.0 else (
                REG_L1 if reg.type == "l1" else REG_L2)
            reg_rate = float(reg.rate) if reg_kind != REG_NONE else 0.0
            if clip is None:
                clip_kind, limit = CLIP_NONE, 0.0
            elif clip.type == "norm":
                clip_kind, limit = CLIP_NORM, float(clip.max_norm)
            else:
                clip_kind, limit = CLIP_VALUE, float(clip.clip_value)
            starts, stops = self.model.regularized_segments
            segments = np.ascontiguousarray(np.stack([starts, stops], axis=1).astype(np.int64))
            self._settings = (segments, reg_kind, reg_rate, clip_kind, limit)
            self._settings_for = spec
        return self._settings

    def _run(self, x, targets, labels, index, lr, losses, in_train):
        model, trainer, opt = self.model, self.trainer, self.trainer.optimizer
        work = self._workspace_for(index.shape[1])
        segments, reg_kind, reg_rate, clip_kind, limit = self._settings_now()
        updates, status = train_steps(
            self.layers, model.flat_params, model.flat_grads, opt.code, opt.state, opt.hyper,
            opt.steps + 1, model.loss_code, segments, reg_kind, reg_rate, clip_kind, limit,
            x, targets, labels, index, lr, work.acts, work.pres, work.grad_a, work.grad_z,
            work.batch_targets, work.batch_labels, losses)
        opt.steps += updates
        trainer.step_count += updates
        trainer.samples_seen += updates * index.shape[1]
        if status != STATUS_OK:
            self._report_divergence(status, updates, losses, in_train)

    def _report_divergence(self, status, updates, losses, in_train):
        """Raise engine.Diverged exactly as the layer-by-layer Trainer would."""
        from engine.train import Diverged, _describe  # engine.train imports this module

        trainer = self.trainer
        if status == STATUS_LOSS_NOT_FINITE:
            trainer.step_count += 1  # the failed step counts, as in Trainer.step
            t, loss = trainer.step_count, float(losses[updates])
            error = Diverged(t, "loss", loss, f"loss became {_describe(loss)} at step {t}: {trainer._advice()}")
            kept = updates
        else:
            kept = updates - 1
            try:
                trainer._raise_for_parameters(trainer.step_count)
            except Diverged as raised:
                error = raised
        if in_train:
            error.losses = losses[:kept].copy()
        raise error

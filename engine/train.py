"""Trainer: optimizer, regularization, clipping, schedules, minibatches and divergence checks.

    >>> import numpy as np
    >>> from engine import build_model, Trainer
    >>> spec = {"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}],
    ...         "optimizer": {"type": "sgd", "lr": 0.1}, "batch_size": 4}
    >>> trainer = Trainer(build_model(spec), spec)
    >>> x = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> losses = trainer.train(x, x.sum(axis=1, keepdims=True), steps=50)
    >>> bool(losses[-1] < losses[0]), trainer.step_count
    (True, 50)
"""

import math

import numpy as np

from engine.fused.mlp import plan_fused
from engine.kernels.perceptron import perceptron_update
from engine.kernels.regularize import REG_L1, REG_L2, add_penalty_grads, clip_grads_by_norm, clip_grads_by_value
from engine.optimizers import OptimizerState, scheduled_lr
from engine.spec import SpecError, problem, validate_spec

_BATCH_STREAM = 2_000_003  # seed-sequence key of the minibatch generator
HYPER_KEYS = ("optimizer", "batch_size", "regularization", "grad_clip", "lr_schedule", "loss")
FIXED_KEYS = ("input", "layers", "mode", "seed")


def _architecture(spec, key):
    """What of the spec's ``key`` needs a new model: layers without their trainable flags."""
    if key == "layers":
        return [layer.model_dump(exclude={"trainable"}) for layer in spec.layers]
    return getattr(spec, key)


class Diverged(RuntimeError):
    """Training produced NaN/Inf. ``step``, ``tensor`` ("loss" or a parameter name), ``value``,
    ``message`` (what to try), and ``losses`` (the batch losses of a train() call so far)."""

    def __init__(self, step, tensor, value, message, losses=None):
        super().__init__(message)
        self.step, self.tensor, self.value, self.message = step, tensor, value, message
        self.losses = losses


def _describe(value):
    return "NaN" if math.isnan(value) else "infinite"


class Trainer:
    def __new__(cls, model=None, spec=None):
        # composite modes (autoencoder, gan) train through their subclass in engine/modes/;
        # without a model (copy, pickle) the class stays as it is
        if cls is Trainer and model is not None:
            from engine.modes import trainer_class  # engine.modes imports this module
            cls = trainer_class(model, spec)
        return super().__new__(cls)

    def __init__(self, model, spec=None):
        self.model = model
        self.spec = model.spec if spec is None else validate_spec(spec)
        self._check_architecture(self.spec, model.spec)
        model.use_spec(self.spec)  # the trainer's loss is the one the model computes
        model.set_trainable({layer.id: layer.trainable for layer in self.spec.layers})  # and its frozen layers
        self.optimizer = OptimizerState(self.spec.optimizer, model.flat_params.size, model.dtype)
        self.step_count = 0
        self.samples_seen = 0
        self.train_size = None
        self._rng = np.random.default_rng([model.seed, _BATCH_STREAM])
        self._order, self._cursor = None, 0
        # fused K-steps-per-call kernel for dense stacks (engine/fused/mlp.py); None = layer by layer
        self.fused = self._plan_fused()

    # -------------------------------------------------------------------------- state

    @property
    def epoch(self) -> float:
        """Passes over the training set so far (samples seen / train size)."""
        return self.samples_seen / self.train_size if self.train_size else 0.0

    def current_lr(self) -> float:
        return scheduled_lr(self.spec.optimizer.lr, self.spec.lr_schedule, self.step_count)

    def set_hyper(self, changes: dict) -> None:
        """Change hyperparameters mid-run (validated like a spec; raises SpecError, changing nothing).

        ``{"optimizer": {"lr": 0.003}}`` edits the current optimizer and keeps its state;
        ``{"optimizer": {"type": "sgd", ...}}`` switches optimizer and starts its state fresh.
        Also batch_size, regularization, grad_clip, lr_schedule (None removes them) and loss.
        A whole spec is accepted too, as long as its architecture (input, layers, mode, seed)
        is the one the model was built from: those need a new model.
        """
        data = self.spec.model_dump(mode="json")
        for key, value in changes.items():
            current = data.get(key)
            if key == "optimizer" and isinstance(value, dict) and isinstance(current, dict) \
                    and value.get("type", current["type"]) == current["type"]:
                value = {**current, **value}
            data[key] = value
        new_spec = validate_spec(data)
        self._check_architecture(new_spec, self.spec)
        self.spec = new_spec
        self.model.use_spec(new_spec)
        # freezing and unfreezing is a hyperparameter (fine-tuning): the layers stay as they are
        self.model.set_trainable({layer.id: layer.trainable for layer in new_spec.layers})
        self.optimizer.update(new_spec.optimizer)
        self.fused = self._plan_fused()  # the loss may have changed what it fuses

    def _plan_fused(self):
        """The fused kernel updates every parameter, so models with frozen layers go layer by layer."""
        return None if len(self.model.frozen_segments) else plan_fused(self.model, self)

    @staticmethod
    def _check_architecture(new_spec, old_spec):
        fixed = [key for key in FIXED_KEYS if _architecture(new_spec, key) != _architecture(old_spec, key)]
        if fixed:
            raise SpecError([problem(key, f"{key} cannot be changed while training; build a new model "
                                     f"(changeable: {', '.join(HYPER_KEYS)}, and layers' trainable flags)")
                             for key in fixed])

    # ----------------------------------------------------------------------- training

    def step(self, x, y) -> float:
        """One optimizer step on this batch; returns the batch loss (before the update)."""
        if self.spec.mode == "perceptron":
            return self._perceptron_step(x, y)
        if self.fused is not None:
            return self.fused.step(x, y)
        loss = self.model.loss_and_backward(x, y)
        return self.apply_gradients(loss, len(x))

    def apply_gradients(self, loss: float, samples: int) -> float:
        """The rest of a step once model.flat_grads holds this batch's gradients: divergence
        check, penalties, clipping, the optimizer update (trainable layers only). Returns loss."""
        model, t = self.model, self.step_count + 1
        lr = self.current_lr()
        if not math.isfinite(loss):
            self.step_count = t
            raise Diverged(t, "loss", loss, f"loss became {_describe(loss)} at step {t}: {self._advice()}")
        self._regularize()
        self._clip()
        segments = model.trainable_segments if len(model.frozen_segments) else None
        probe = self.optimizer.apply(model.flat_params, model.flat_grads, lr, segments)
        self.step_count = t
        self.samples_seen += samples
        if probe != 0.0:
            self._raise_for_parameters(t)
        return loss

    def train(self, x, y, steps: int) -> np.ndarray:
        """``steps`` optimizer steps on minibatches drawn from (x, y) without replacement within
        an epoch, in an order fixed by the seed. Returns the batch losses, shape (steps,)."""
        if self.fused is not None:
            return self.fused.train(x, y, steps)
        x = np.ascontiguousarray(x, dtype=self.model.dtype)
        y = np.ascontiguousarray(y)
        n = len(x)
        if n == 0 or len(y) != n:
            raise ValueError(f"x and y need the same, non-zero number of samples (got {len(x)} and {len(y)})")
        self.train_size = n
        batch = min(self.spec.batch_size, n)
        losses = np.empty(steps, np.float64)
        for k in range(steps):
            index = self._next_batch(n, batch)
            try:
                losses[k] = self.step(x[index], y[index])
            except Diverged as diverged:
                diverged.losses = losses[:k].copy()
                raise
        return losses

    def _next_batch(self, n, batch):
        if self._order is None or len(self._order) != n or self._cursor + batch > n:
            self._order = self._rng.permutation(n)
            self._cursor = 0
        index = self._order[self._cursor:self._cursor + batch]
        self._cursor += batch
        return index

    # ------------------------------------------------------------------------ helpers

    def _regularize(self):
        reg = self.spec.regularization
        if reg is None or reg.type == "none" or reg.rate == 0.0:
            return
        starts, stops = self.model.regularized_segments
        kind = REG_L1 if reg.type == "l1" else REG_L2
        add_penalty_grads(self.model.flat_params, self.model.flat_grads, starts, stops, kind, reg.rate)

    def _clip(self):
        clip = self.spec.grad_clip
        if clip is None:
            return
        if clip.type == "norm":
            clip_grads_by_norm(self.model.flat_grads, clip.max_norm)
        else:
            clip_grads_by_value(self.model.flat_grads, clip.clip_value)

    def _advice(self):
        advice = "try a smaller learning rate"
        if self.spec.grad_clip is None:
            advice += " or gradient clipping"
        return advice

    def _raise_for_parameters(self, t):
        params, grads = self.model.params(), self.model.grad_views()
        for name, values in params.items():
            bad = ~np.isfinite(values)
            if bad.any():
                value = float(values[bad][0])
                source = "its gradient" if not np.isfinite(grads[name]).all() else "the update"
                raise Diverged(t, name, value, f"parameter {name} became {_describe(value)} at step {t} "
                               f"({source} overflowed): {self._advice()}")
        raise Diverged(t, "parameters", math.nan, f"parameters became NaN at step {t}: {self._advice()}")

    def _perceptron_step(self, x, y):
        """Rosenblatt's rule, online over the batch; the returned "loss" is the error rate."""
        layer = self.model.layers[0]
        x = self.model._check_input(x)
        target = np.ascontiguousarray(y, dtype=self.model.dtype).reshape(len(x), -1)
        bias = layer.params["bias"] if layer.spec.use_bias else np.empty(0, self.model.dtype)
        mistakes = perceptron_update(x, target, layer.params["weight"], bias, self.current_lr())
        self.step_count += 1
        self.samples_seen += len(x)
        return mistakes / target.size

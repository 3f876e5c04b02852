"""GAN mode: a generator and a discriminator trained against each other (spec: gan_spec.py).

One training step is one round of the game:

1. ``d_steps`` times: draw latents z and a real batch x; fake = G(z) (training mode);
   d_loss = BCE(D(x), 1) + BCE(D(fake), 0), gradients of both terms summed (the fakes are
   constants here: G is not updated); one discriminator optimizer step.
2. The generator learns from the last round's fakes (as PyTorch's DCGAN example reuses them):
   g_loss = BCE(D(fake), 1) through the freshly updated D, the "non-saturating" loss (maximize
   log D(G(z)) rather than minimize log(1 - D(G(z))), which stalls while D wins); its gradient
   flows through D into G; one generator optimizer step. D's parameters do not move.

BCE is computed from D's logits. ``Trainer.step(x)`` / ``Trainer.train(x, None, steps)`` return
d_loss per step (``y`` is ignored); ``trainer.last_metrics`` holds d_loss, g_loss, d_real = mean
D(x) and d_fake = mean D(G(z)) of the last step (both from the last discriminator update, before
it), and after ``train`` ``trainer.metrics`` holds each as an array over its steps. Each half has
its own optimizer, penalties, clipping and schedule (counted in its own updates). NaN/Inf in either
half raises Diverged naming it ("discriminator.loss", "generator.g1.weight", ...).

    >>> import numpy as np
    >>> from engine import build_model, Trainer
    >>> spec = {"mode": "gan", "batch_size": 8,
    ...         "generator": {"input": {"shape": [2]}, "layers": [{"id": "g", "type": "dense", "units": 3}]},
    ...         "discriminator": {"input": {"shape": [3]}, "layers": [{"id": "d", "type": "dense", "units": 1}]}}
    >>> gan = build_model(spec)
    >>> trainer = Trainer(gan, spec)
    >>> d_losses = trainer.train(np.ones((32, 3), np.float32), None, steps=5)
    >>> sorted(trainer.metrics), generated_samples(gan, 4).shape
    (['d_fake', 'd_loss', 'd_real', 'g_loss'], (4, 3))
"""

import numpy as np

from engine.kernels.losses import loss_bwd, loss_fwd
from engine.model import Model
from engine.modes.gan_spec import HALVES
from engine.spec import SpecError, problem, validate_spec
from engine.train import _BATCH_STREAM, Diverged, Trainer

_LATENT_STREAM = 4_000_037        # seed-sequence keys, apart from the other generators
_FIXED_LATENT_STREAM = 4_000_039
FIXED_LATENTS = 64                # the latent batch the sample views follow over training
METRICS = ("d_loss", "g_loss", "d_real", "d_fake")
GAN_HYPER_KEYS = ("d_steps", "batch_size", *HALVES)


class GanModel:
    """Both networks of a GAN spec. The halves are ordinary Models; parameters are named
    "generator.<id>.<name>" / "discriminator.<id>.<name>" when seen together."""

    def __init__(self, spec, seed=None, dtype=np.float32):
        self.spec = spec
        self.seed = spec.seed if seed is None else int(seed)
        self.dtype = np.dtype(dtype)
        # distinct seeds, so layers at the same position of both halves start differently
        self.generator = Model(spec.generator, seed=2 * self.seed, dtype=dtype)
        self.discriminator = Model(spec.discriminator, seed=2 * self.seed + 1, dtype=dtype)
        self.latent_size = int(spec.generator.input.shape[0])
        self.input_shape = self.discriminator.input_shape  # one real (or fake) sample
        self.fixed_latent = self.sample_latent(np.random.default_rng([self.seed, _FIXED_LATENT_STREAM]),
                                               FIXED_LATENTS)

    def halves(self) -> dict:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def sample_latent(self, rng, n: int) -> np.ndarray:
        shape = (n, self.latent_size)
        z = rng.standard_normal(shape) if self.spec.latent == "normal" else rng.uniform(-1.0, 1.0, shape)
        return z.astype(self.dtype)

    def generate(self, z) -> np.ndarray:
        """G(z) in eval mode."""
        return self.generator.forward(z, training=False)

    def discriminate(self, x) -> np.ndarray:
        """D's probability that each sample is real, (batch,), eval mode."""
        return _sigmoid(self.verdict_logits(x))

    def verdict_logits(self, x) -> np.ndarray:
        """D's logit of "real" for each sample, (batch,) float64, eval mode."""
        values = self.discriminator.run(x, training=False)
        return np.asarray(self.discriminator._loss_input(values), np.float64).reshape(-1)

    # ------------------------------------------------------- the Model interface, both halves

    @property
    def num_params(self) -> int:
        return self.generator.num_params + self.discriminator.num_params

    def _both(self, method) -> dict:
        """{"<half>.<name>": value} over one Model method of both halves (params, buffers, ...)."""
        return {f"{half}.{name}": value for half, model in self.halves().items()
                for name, value in getattr(model, method)().items()}

    def params(self) -> dict:
        return self._both("params")

    def grad_views(self) -> dict:
        return self._both("grad_views")

    def buffers(self) -> dict:
        return self._both("buffers")

    def state_dict(self) -> dict:
        return self._both("state_dict")

    def set_params(self, values: dict) -> None:
        """Copy values in by prefixed name ("generator.g1.weight"); shapes must match."""
        split = {half: {} for half in HALVES}
        for name, value in values.items():
            half, _, rest = name.partition(".")
            if half not in split:
                raise ValueError(f"unknown parameter {name!r}: names start with 'generator.' or 'discriminator.'")
            split[half][rest] = value
        for half, model in self.halves().items():
            model.set_params(split[half])

    def reset_parameters(self) -> None:
        for model in self.halves().values():
            model.reset_parameters()

    def summary(self) -> list[dict]:
        return [{"network": half, **row} for half, model in self.halves().items() for row in model.summary()]

    def to_dict(self) -> dict:
        return self.spec.model_dump(mode="json")


def _sigmoid(logits):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(logits, np.float64)))  # no overflow for large |logits|


def bce_pass(model, x, target_value, input_grad=False):
    """Training-mode forward and backward of D with every target = target_value (1 real, 0 fake).
    Returns (mean BCE, mean D(x), gradient w.r.t. x or None); parameter gradients in flat_grads."""
    values = model.run(x, training=True)
    logits = model._loss_input(values)
    target = np.full(logits.shape, target_value, model.dtype)
    loss = float(loss_fwd(model.loss_code, logits, target, model._no_labels))
    grad = np.empty_like(logits)
    loss_bwd(model.loss_code, logits, target, model._no_labels, grad)
    grad_x = model.backward(grad.reshape(values[model.output_id].shape), model.fused_output, input_grad)
    return loss, float(np.mean(_sigmoid(logits))), grad_x


class GanTrainer(Trainer):
    """Trainer of mode "gan" (``Trainer(gan_model, spec)`` returns one); see the module docstring."""

    def __init__(self, model, spec=None):
        self.model = model
        self.spec = model.spec if spec is None else validate_spec(spec)
        _check_gan_architecture(self.spec, model.spec)
        self.halves = {"generator": Trainer(model.generator, self.spec.generator),
                       "discriminator": Trainer(model.discriminator, self.spec.discriminator)}
        self.step_count, self.samples_seen, self.train_size = 0, 0, None
        self._rng = np.random.default_rng([model.seed, _BATCH_STREAM])
        self._latent_rng = np.random.default_rng([model.seed, _LATENT_STREAM])
        self._order, self._cursor = None, 0
        self.fused, self.optimizer = None, None  # each half has its own (self.halves[...])
        self.last_metrics, self.metrics = {}, {}
        self._fake = None

    def current_lr(self) -> float:
        """The discriminator's current learning rate (the generator's: halves["generator"])."""
        return self.halves["discriminator"].current_lr()

    # ----------------------------------------------------------------------- training

    def step(self, x, y=None) -> float:
        """One round on the real batch x (every discriminator update of the round uses it, with
        fresh latents). Returns d_loss; last_metrics holds all four metrics."""
        real = self.model.discriminator._check_input(x)
        return self._round(lambda: real)[0]

    def train(self, x, y=None, steps: int = 1) -> np.ndarray:
        """``steps`` rounds; each discriminator update draws its own seeded minibatch of x.
        Returns d_loss per round; ``metrics`` holds every metric per round."""
        x = self.model.discriminator._check_input(x)
        n = len(x)
        if n == 0:
            raise ValueError("x needs at least one sample")
        self.train_size, batch = n, min(self.spec.batch_size, n)
        history = np.full((steps, len(METRICS)), np.nan)
        try:
            for k in range(steps):
                history[k] = self._round(lambda: x[self._next_batch(n, batch)])
        except Diverged as diverged:
            diverged.losses = history[:k, 0].copy()
            raise
        finally:
            self.metrics = {name: history[:, j].copy() for j, name in enumerate(METRICS)}
        return history[:, 0].copy()

    def _round(self, next_real):
        t = self.step_count + 1
        for _ in range(self.spec.d_steps):
            d_loss, d_real, d_fake = self._discriminator_update(next_real(), t)
        g_loss = self._generator_update(t)
        self.step_count = t
        self.last_metrics = dict(zip(METRICS, (d_loss, g_loss, d_real, d_fake)))
        return d_loss, g_loss, d_real, d_fake

    def _discriminator_update(self, real, t):
        generator, discriminator = self.model.generator, self.model.discriminator
        z = self.model.sample_latent(self._latent_rng, len(real))
        # G's layers keep this forward's values: the generator update backpropagates through it
        self._fake = np.array(generator.run(z, training=True)[generator.output_id])
        loss_real, d_real, _ = bce_pass(discriminator, real, 1.0)
        grads_real = discriminator.flat_grads.copy()
        loss_fake, d_fake, _ = bce_pass(discriminator, self._fake, 0.0)
        discriminator.flat_grads += grads_real  # as two backward() calls accumulate in torch
        self._apply("discriminator", loss_real + loss_fake, len(real), t)
        self.samples_seen += len(real)
        return loss_real + loss_fake, d_real, d_fake

    def _generator_update(self, t):
        g_loss, _, grad_fake = bce_pass(self.model.discriminator, self._fake, 1.0, input_grad=True)
        self.model.generator.backward(grad_fake.reshape(self._fake.shape), from_logits=False)
        self._apply("generator", g_loss, len(self._fake), t)
        return g_loss

    def _apply(self, half, loss, samples, t):
        try:
            self.halves[half].apply_gradients(loss, samples)
        except Diverged as diverged:
            raise Diverged(t, f"{half}.{diverged.tensor}", diverged.value,
                           f"{half}: {diverged.message} (GAN step {t})") from None

    # -------------------------------------------------------------------- hyperparameters

    def set_hyper(self, changes: dict) -> None:
        """d_steps, batch_size, and per half {"generator": {"optimizer": {"lr": 1e-4}}, ...} with
        the keys a network's Trainer.set_hyper takes. Raises SpecError and keeps the old values
        (a half that had switched optimizer type before the error restarts that state fresh)."""
        unknown = [key for key in changes if key not in GAN_HYPER_KEYS]
        if unknown:
            raise SpecError([problem(key, f"{key} cannot be changed while training (changeable: "
                                     f"{', '.join(GAN_HYPER_KEYS)})") for key in unknown])
        before = {half: trainer.spec.model_dump(mode="json") for half, trainer in self.halves.items()}
        try:
            for half in HALVES:
                if half in changes:
                    _set_half_hyper(self.halves[half], half, changes[half])
            data = self.spec.model_dump(mode="json")
            data.update({key: changes[key] for key in ("d_steps", "batch_size") if key in changes})
            data.update({half: trainer.spec.model_dump(mode="json") for half, trainer in self.halves.items()})
            self.spec = validate_spec(data)
        except SpecError:
            for half, spec in before.items():
                self.halves[half].set_hyper(spec)
            raise


def _set_half_hyper(trainer, half, changes):
    try:
        trainer.set_hyper(changes)
    except SpecError as error:
        raise SpecError([{**p, "field": f"{half}.{p['field']}"} for p in error.problems]) from None


def _check_gan_architecture(new_spec, old_spec):
    if getattr(new_spec, "mode", None) != "gan":
        raise SpecError([problem("mode", "a GAN model trains with a GAN spec")])
    fixed = [key for key in ("seed", "latent") if getattr(new_spec, key) != getattr(old_spec, key)]
    fixed += [f"{half}.{key}" for half in HALVES for key in ("input", "layers")
              if getattr(getattr(new_spec, half), key) != getattr(getattr(old_spec, half), key)]
    if fixed:
        raise SpecError([problem(key, f"{key} cannot differ from the model's; build a new model") for key in fixed])


# ---------------------------------------------------------------------------------- probes


def gan_evaluation(model: GanModel, x) -> dict:
    """How the game stands on real data x (eval mode, nothing changes): d_real = mean D(x),
    d_fake = mean D(G(z)) over as many fixed latents (cycled), and the two losses from them.
    "loss" is the discriminator's, as Trainer.train reports it."""
    real = model.verdict_logits(x)
    z = np.resize(model.fixed_latent, (len(real), model.latent_size))  # repeats the fixed batch
    fake = model.verdict_logits(model.generate(z))
    # BCE from logits: -log sigmoid(l) = log(1 + e^-l), stable for saturated verdicts
    d_loss = np.mean(np.logaddexp(0.0, -real)) + np.mean(np.logaddexp(0.0, fake))
    g_loss = np.mean(np.logaddexp(0.0, -fake))
    return {"loss": float(d_loss), "g_loss": float(g_loss),
            "d_real": float(_sigmoid(real).mean()), "d_fake": float(_sigmoid(fake).mean())}


def generated_samples(model: GanModel, n: int | None = None) -> np.ndarray:
    """G(z) for the first n of the model's fixed latents (eval mode): the same z every call, so a
    view shows the same samples evolving as training goes on. (n, *sample shape)."""
    n = FIXED_LATENTS if n is None else int(n)
    if not 1 <= n <= FIXED_LATENTS:
        raise ValueError(f"n must be between 1 and {FIXED_LATENTS}, got {n}")
    return model.generate(model.fixed_latent[:n])


def latent_interpolation(model: GanModel, steps: int = 8, start: int = 0, end: int = 1) -> np.ndarray:
    """G along the straight line between fixed latents ``start`` and ``end``: (steps, *sample shape).
    Smooth changes along the path show the generator learned a continuous space, not a lookup."""
    if not (0 <= start < FIXED_LATENTS and 0 <= end < FIXED_LATENTS) or steps < 2:
        raise ValueError(f"start and end must index the {FIXED_LATENTS} fixed latents; steps >= 2")
    t = np.linspace(0.0, 1.0, steps, dtype=np.float64)[:, None]
    z_start, z_end = model.fixed_latent[start], model.fixed_latent[end]
    return model.generate(((1.0 - t) * z_start + t * z_end).astype(model.dtype))

"""The GAN spec: two network specs (generator and discriminator) plus the game's settings.

    {"mode": "gan",
     "generator":     {"input": {"shape": [8]},            # the latent size: one axis
                       "layers": [{"id": "g1", "type": "dense", "units": 32, "activation": "relu"},
                                  {"id": "g_out", "type": "dense", "units": 64, "activation": "sigmoid"}],
                       "optimizer": {"type": "adam", "lr": 0.001, "betas": [0.5, 0.999]}},
     "discriminator": {"input": {"shape": [64]},           # a data sample; the generator's output shape
                       "layers": [{"id": "d1", "type": "dense", "units": 32, "activation": "leaky_relu"},
                                  {"id": "d_out", "type": "dense", "units": 1}],     # one logit: "real"
                       "optimizer": {"type": "adam", "lr": 0.001, "betas": [0.5, 0.999]}},
     "d_steps": 1,            # discriminator updates per generator update
     "latent": "normal",      # z ~ N(0, 1), or "uniform" on [-1, 1]
     "batch_size": 64, "seed": 0}

Each half is an ordinary network spec (layers, optimizer, regularization, grad_clip,
lr_schedule, trainable flags), validated as one; its problems come back with the half's name in
front of the field ("generator.layers[1].units"). ``mode``, ``seed`` and ``batch_size`` belong
to the top level only. The discriminator's loss is binary_cross_entropy (its default here);
the generator's ``loss`` field is unused: it learns from the discriminator's verdict.

    >>> spec = validate_gan_spec({"mode": "gan",
    ...     "generator": {"input": {"shape": [2]}, "layers": [{"id": "g", "type": "dense", "units": 3}]},
    ...     "discriminator": {"input": {"shape": [3]}, "layers": [{"id": "d", "type": "dense", "units": 1}]}})
    >>> spec.discriminator.loss, spec.d_steps
    ('binary_cross_entropy', 1)
"""

from pydantic import ValidationError

from engine.graph import check_graph, infer_shapes
from engine.registry import LAYERS
from engine.spec import NetworkSpec, SpecError, _pydantic_problems, problem, validate_spec
from engine.spec_models import GanSettings

HALVES = ("generator", "discriminator")
_TOP_LEVEL_ONLY = {"mode": "supervised", "seed": 0, "batch_size": 32}  # key: the value a half may repeat


class GanSpec(GanSettings):
    generator: NetworkSpec
    discriminator: NetworkSpec


def output_shape(spec: NetworkSpec) -> tuple:
    """Per-sample output shape of a validated network spec (no arrays allocated)."""
    _, order = check_graph([layer.model_dump() for layer in spec.layers])
    shapes, _ = infer_shapes(dict(enumerate(spec.layers)), order, tuple(spec.input.shape), LAYERS)
    return tuple(shapes[spec.layers[-1].id][0])


def validate_gan_spec(raw: dict) -> GanSpec:
    """A GanSpec, or SpecError with every problem of the settings and of both halves."""
    problems, halves, settings = [], {}, None
    top = {key: value for key, value in raw.items() if key not in HALVES}
    try:
        settings = GanSettings.model_validate(top)
    except ValidationError as error:
        problems.extend(_pydantic_problems(error, top))
    for name in HALVES:
        half, half_problems = _validate_half(name, raw.get(name))
        problems.extend(half_problems)
        if half is not None:
            halves[name] = half
    problems.extend(_game_problems(halves.get("generator"), halves.get("discriminator")))
    if problems:
        raise SpecError(problems)
    return GanSpec(**settings.model_dump(), **halves)


def _validate_half(name, raw_half):
    if not isinstance(raw_half, dict):
        return None, [problem(name, f"{name} must be a network spec: an object with input and layers")]
    problems = [problem(f"{name}.{key}", f"set {key} once, at the top level of the GAN spec")
                for key, allowed in _TOP_LEVEL_ONLY.items() if key in raw_half and raw_half[key] != allowed]
    if name == "discriminator":
        raw_half = {"loss": "binary_cross_entropy", **raw_half}
    try:
        return validate_spec(raw_half), problems
    except SpecError as error:
        return None, problems + [{**p, "field": f"{name}.{p['field']}" if p["field"] else name}
                                 for p in error.problems]


def _game_problems(generator: NetworkSpec | None, discriminator: NetworkSpec | None) -> list[dict]:
    """What makes two networks a GAN: latent in, fake samples shaped like real ones, one logit
    out. Each check runs when the halves it needs are valid (None: invalid, reported already)."""
    out = []
    if generator is not None and len(generator.input.shape) != 1:
        out.append(problem("generator.input.shape", "the generator's input is the latent vector z: "
                           f"one axis [latent size], got {generator.input.shape}"))
    if discriminator is not None:
        verdict = output_shape(discriminator)
        if verdict != (1,):
            out.append(problem("discriminator.layers", "the discriminator must end in one unit (the logit of "
                               f"'real'), but it outputs {list(verdict)}", discriminator.layers[-1].id))
        if discriminator.loss != "binary_cross_entropy":
            out.append(problem("discriminator.loss", "the discriminator learns real-vs-fake with "
                               f"binary_cross_entropy, got {discriminator.loss}"))
    if generator is not None and discriminator is not None:
        fake_shape, real_shape = output_shape(generator), tuple(discriminator.input.shape)
        if fake_shape != real_shape:
            out.append(problem("generator.layers", f"the generator makes samples of shape {list(fake_shape)} "
                               f"but the discriminator takes {list(real_shape)}", generator.layers[-1].id))
    return out

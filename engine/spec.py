"""The network spec: strict pydantic models plus whole-network checks, with every problem at once.

``validate_spec(raw)`` returns a :class:`NetworkSpec` or raises :class:`SpecError` whose
``problems`` list holds one ``{"field", "layer", "message"}`` per problem: field errors from
pydantic, graph errors (duplicate or unknown ids, cycles, layers that feed nothing) and shape
errors from inference, all found before any parameter array is allocated.

    >>> spec = validate_spec({"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}]})
    >>> spec.layers[0].activation, spec.optimizer.type
    ('linear', 'adam')
    >>> try:
    ...     validate_spec({"input": {"shape": [2]}, "layers": [{"id": "h", "type": "dense", "units": 0}]})
    ... except SpecError as error:
    ...     error.problems[0]["field"], error.problems[0]["layer"]
    ('layers[0].units', 'h')
"""

from typing import Annotated, Literal, Union

from pydantic import Field, TypeAdapter, ValidationError

from engine.graph import check_graph, infer_shapes
from engine.registry import LAYERS
from engine.spec_models import (
    MAX_LAYERS,
    AdamSpec,
    AutoencoderSpec,
    GradClipSpec,
    InputSpec,
    LossName,
    OptimizerSpec,
    RegularizationSpec,
    ScheduleSpec,
    StrictModel,
)

LayerSpec = Annotated[Union[tuple(entry.model for entry in LAYERS.values())], Field(discriminator="type")]
_LAYER_ADAPTER = TypeAdapter(LayerSpec)

MAX_PARAMS = 20_000_000


class NetworkSpec(StrictModel):
    input: InputSpec
    layers: list[LayerSpec] = Field(min_length=1, max_length=MAX_LAYERS)
    loss: LossName = "mse"
    optimizer: OptimizerSpec = Field(default_factory=AdamSpec)
    regularization: RegularizationSpec | None = None
    grad_clip: GradClipSpec | None = None
    lr_schedule: ScheduleSpec | None = None
    batch_size: int = Field(32, ge=1, le=4096, description="Samples per training step.")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Seeds weights, dropout and minibatch order.")
    # "gan" specs hold two networks (engine/modes/gan_spec.py); validate_spec routes them there
    mode: Literal["supervised", "perceptron", "autoencoder", "gan"] = "supervised"
    autoencoder: AutoencoderSpec | None = Field(None, description="Bottleneck and input noise of mode 'autoencoder'.")


class SpecError(ValueError):
    """An invalid spec; ``problems`` is a list of {"field", "layer", "message"} dicts."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else {"field": "", "message": "invalid spec"}
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first['field']}: {first['message']}{more}")


def problem(field, message, layer=None):
    return {"field": field, "layer": layer, "message": message}


# --------------------------------------------------------------- pydantic errors -> problems


def _field_path(loc, raw):
    """('layers', 1, 'dense', 'units') -> 'layers[1].units', dropping union tags."""
    parts, node = [], raw
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
            continue
        if isinstance(node, dict) and item not in node and node.get("type") == item:
            continue  # a discriminated-union tag, not a field
        parts.append(("." if parts else "") + str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def _layer_id(loc, raw):
    if len(loc) >= 2 and loc[0] == "layers" and isinstance(loc[1], int):
        layers = raw.get("layers") if isinstance(raw, dict) else None
        if isinstance(layers, list) and loc[1] < len(layers) and isinstance(layers[loc[1]], dict):
            layer_id = layers[loc[1]].get("id")
            return layer_id if isinstance(layer_id, str) else None
    return None


def _message(error, name):
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    bounds = {"greater_than_equal": ("at least", "ge"), "greater_than": ("greater than", "gt"),
              "less_than_equal": ("at most", "le"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"{name} must be {words} {ctx[key]}, got {value!r}"
    if kind == "finite_number":
        return f"{name} must be a finite number, got {value!r}"
    if kind == "extra_forbidden":
        return f"unknown field {name!r}"
    if kind in ("int_type", "int_from_float"):
        return f"{name} must be a whole number, got {value!r}"
    if kind == "too_short":
        return f"{name} needs at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"{name} allows at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "string_pattern_mismatch":
        return f"{name} must start with a letter or '_' and use only letters, digits, '_' or '-' (at most 32), got {value!r}"
    if kind == "missing":
        return f"{name} is required"
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "type is required"
    if kind in ("model_attributes_type", "model_type", "dict_type"):
        return f"{name} must be an object with named fields, got {value!r}"
    if kind == "literal_error":
        return f"{name} must be one of {ctx.get('expected')}, got {value!r}"
    return f"{name}: {error['msg']}"


def _pydantic_problems(error: ValidationError, raw):
    out = []
    for item in error.errors():
        loc = tuple(item["loc"])
        field = _field_path(loc, raw)
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field += ".type"
        name = field.rsplit(".", 1)[-1] if field else "spec"
        message = _message(item, name)
        if item["type"] == "value_error":
            message = str(item["ctx"].get("error", item["msg"])) if item.get("ctx") else item["msg"]
        out.append(problem(field, message, _layer_id(loc, raw)))
    return out


# --------------------------------------------------------------------------- validation


def _valid_layers(raw_layers):
    """Per-layer validation, so graph and shape checks can run on the layers that are valid."""
    valid = {}
    for index, raw_layer in enumerate(raw_layers):
        try:
            valid[index] = _LAYER_ADAPTER.validate_python(raw_layer)
        except ValidationError:
            pass
    return valid


def validate_spec(raw) -> NetworkSpec:
    if hasattr(raw, "model_dump"):  # a NetworkSpec or GanSpec
        raw = raw.model_dump(mode="json")
    if isinstance(raw, dict) and raw.get("mode") == "gan":
        from engine.modes.gan_spec import validate_gan_spec  # engine.modes imports this module
        return validate_gan_spec(raw)
    if not isinstance(raw, dict):
        raise SpecError([problem("", "a network spec must be a JSON object")])
    problems, spec = [], None
    try:
        spec = NetworkSpec.model_validate(raw)
    except ValidationError as error:
        problems.extend(_pydantic_problems(error, raw))
    raw_layers = raw.get("layers") if isinstance(raw.get("layers"), list) else []
    graph_problems, order = check_graph(raw_layers)
    problems.extend(graph_problems)
    valid = _valid_layers(raw_layers) if spec is None else dict(enumerate(spec.layers))
    input_shape = spec.input.shape if spec is not None else _raw_input_shape(raw)
    if input_shape is not None:
        shapes, shape_problems = infer_shapes(valid, order, tuple(input_shape), LAYERS)
        problems.extend(shape_problems)
        if not problems:
            problems.extend(_network_problems(spec, shapes))
    if problems:
        raise SpecError(problems)
    return spec


def _raw_input_shape(raw):
    try:
        return InputSpec.model_validate(raw.get("input")).shape
    except ValidationError:
        return None


def output_activation(spec: NetworkSpec) -> str:
    """The activation applied to the network's output: the last layer's own, when it has one
    (dense, activation, conv2d, conv2d_transpose), which losses then fuse; else linear."""
    last = spec.layers[-1]
    return getattr(last, "activation", "linear") if LAYERS[last.type].impl.has_activation else "linear"


def _network_problems(spec: NetworkSpec, shapes):
    """Checks that need the whole network: loss vs output, perceptron mode, totals."""
    out, last = [], spec.layers[-1]
    where = f"layers[{len(spec.layers) - 1}]"
    act = output_activation(spec)
    output_shape = shapes[last.id][0]
    if spec.loss == "cross_entropy":
        if act not in ("softmax", "linear"):
            out.append(problem("loss", f"cross_entropy expects a softmax (or linear) output, but {last.id!r} uses {act}", last.id))
        # (classes,) per sample, or (time, classes) with one label per step (character models)
        if len(output_shape) not in (1, 2) or output_shape[-1] < 2:
            out.append(problem("loss", f"cross_entropy needs one output per class (at least 2), "
                               f"but {last.id!r} outputs {list(output_shape)}", last.id))
    if spec.loss == "binary_cross_entropy" and act not in ("sigmoid", "linear"):
        out.append(problem("loss", f"binary_cross_entropy expects a sigmoid (or linear) output, but {last.id!r} uses {act}", last.id))
    if getattr(last, "dropout", 0.0) > 0.0:
        out.append(problem(f"{where}.dropout", "the output layer cannot use dropout; add it to a hidden layer", last.id))
    if spec.mode == "perceptron":
        if len(spec.layers) != 1 or last.type != "dense" or last.activation != "step":
            out.append(problem("mode", "perceptron mode needs exactly one dense layer with the step activation"))
    if spec.mode == "autoencoder" or spec.autoencoder is not None:
        from engine.modes.autoencoder import autoencoder_problems  # engine.modes imports this module
        out.extend(autoencoder_problems(spec, shapes))
    if spec.batch_size < 2 and any(layer.type == "batch_norm" for layer in spec.layers):
        out.append(problem("batch_size", "batch_norm needs batch_size of at least 2"))
    total = sum(count for _, count in shapes.values())
    if total > MAX_PARAMS:
        out.append(problem("layers", f"the network has {total:,} parameters; the limit is {MAX_PARAMS:,}"))
    return out

"""One registry per kind: layers, activations, losses, optimizers, initializers, schedules.

The model builder, the spec deserializer and the server's /api/catalog all read these; nothing
else keeps a list of names. Each entry carries what a palette needs: a name, a description for
learners and its fields (name, type, default, bounds, choices), derived from the pydantic model
so the bounds shown are the bounds enforced.

Field kinds are JSON-schema type names ("integer", "number", "boolean", "string", "array"), plus
"union" for a field that takes values of several kinds: its "variants" list each allowed form
with its own bounds or choices, e.g. conv2d's padding, a number of pixels or "same"/"valid":

    {"name": "padding", "type": "union", "default": 0,
     "variants": [{"type": "integer", "minimum": 0, "maximum": 32},
                  {"type": "string", "enum": ["same", "valid"]}]}

An optional field (one kind or null) keeps its kind and bounds and says "nullable": true.

Adding a layer type is one class in engine/layers/ plus one ``LAYERS.add(...)`` line below.

    >>> from engine.registry import LAYERS, catalog
    >>> next(f for f in LAYERS["dense"].fields() if f["name"] == "units")["minimum"]
    1
    >>> next(f for f in LAYERS["conv2d"].fields() if f["name"] == "padding")["type"]
    'union'
    >>> sorted(catalog())[:2]
    ['activations', 'initializers']
"""

from dataclasses import dataclass, field
from typing import Any

from engine.kernels.codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from engine.layers.attention import MultiHeadAttention, MultiHeadAttentionSpec
from engine.layers.conv import Conv2d, Conv2dSpec, Conv2dTranspose, Conv2dTransposeSpec, PatchEmbed, PatchEmbedSpec
from engine.layers.dense import Dense, DenseSpec
from engine.layers.elementwise import Activation, ActivationSpec, Dropout, DropoutSpec
from engine.layers.embedding import (Embedding, EmbeddingSpec, PositionalEncoding, PositionalEncodingSpec,
                                     SequencePool, SequencePoolSpec)
from engine.layers.merge import Add, AddSpec, Concat, ConcatSpec
from engine.layers.norm import BatchNorm, BatchNormSpec, LayerNorm, LayerNormSpec
from engine.layers.pool import (AvgPool2d, AvgPool2dSpec, GlobalAvgPool2d, GlobalAvgPool2dSpec, MaxPool2d,
                                MaxPool2dSpec, Upsample2d, Upsample2dSpec)
from engine.layers.shape import Flatten, FlattenSpec, Reshape, ReshapeSpec
from engine.layers.recurrent import GRU, LSTM, RNN, GRUSpec, LSTMSpec, RNNSpec
from engine.layers.transformer import TransformerBlock, TransformerBlockSpec
from engine.spec_models import (OPTIMIZER_SPECS, AutoencoderSpec, ClipNormSpec, ClipValueSpec, CosineScheduleSpec,
                                GanSettings, StepScheduleSpec)

_STRUCTURAL_FIELDS = {"type", "id", "inputs"}  # every layer has them; the palette wires them
_SCHEMA_KEYS = ("default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum",
                "description", "minItems", "maxItems")


def _variant(schema) -> dict:
    """One allowed form of a value: its kind plus the bounds or choices that apply to it."""
    return {"type": schema.get("type", "string"), **{key: schema[key] for key in _SCHEMA_KEYS if key in schema}}


def _kind_of(prop) -> dict:
    """The kind part of a field description: a single kind with its bounds (an optional field
    is nullable), or a union listing each variant, so no allowed value is hidden from the palette."""
    if "anyOf" not in prop:
        return {"type": prop.get("type", "string")}
    variants = [_variant(option) for option in prop["anyOf"] if option.get("type") != "null"]
    nullable = len(variants) < len(prop["anyOf"])
    if len(variants) == 1:
        kind = variants[0]
    elif variants:
        kind = {"type": "union", "variants": variants}
    else:
        kind = {"type": "null"}
    return {**kind, "nullable": True} if nullable else kind


def fields_of(model) -> list[dict]:
    """Plain-data description of a pydantic model's fields, bounds included."""
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        if name in _STRUCTURAL_FIELDS:
            continue
        item = {"name": name, **_kind_of(prop), "required": name in required}
        item.update({key: prop[key] for key in _SCHEMA_KEYS if key in prop})
        if "items" in prop:
            item["items"] = {k: v for k, v in prop["items"].items() if k in ("type", *_SCHEMA_KEYS)}
        out.append(item)
    return out


@dataclass(frozen=True)
class Entry:
    name: str
    description: str
    model: Any = None   # pydantic model of the entry's fields (None: no fields)
    impl: Any = None    # layer class, integer kernel code, or function
    extra: dict = field(default_factory=dict)

    def fields(self) -> list[dict]:
        return fields_of(self.model)

    def catalog(self) -> dict:
        return {"name": self.name, "description": self.description, "fields": self.fields(), **self.extra}


class Registry(dict):
    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def add(self, name, description, model=None, impl=None, **extra):
        if name in self:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self[name] = Entry(name, description, model, impl, extra)

    def catalog(self) -> list[dict]:
        return [entry.catalog() for entry in self.values()]


LAYERS = Registry("layer")
LAYERS.add("dense", "Every neuron sees every input: y = activation(x W^T + b).", DenseSpec, Dense, category="core")
LAYERS.add("activation", "Applies a nonlinearity on its own, without weights.", ActivationSpec, Activation, category="core")
LAYERS.add("dropout", "Randomly zeroes values while training, so the network cannot rely on any one neuron.",
           DropoutSpec, Dropout, category="regularization")
LAYERS.add("batch_norm", "Normalizes each feature over the batch, then rescales it; speeds up training.",
           BatchNormSpec, BatchNorm, category="normalization")
LAYERS.add("layer_norm", "Normalizes each sample over its features, then rescales it.",
           LayerNormSpec, LayerNorm, category="normalization")
LAYERS.add("add", "Adds the outputs of several layers of equal shape (residual connections).", AddSpec, Add,
           category="merge", min_inputs=2)
LAYERS.add("concat", "Joins the outputs of several layers side by side.", ConcatSpec, Concat,
           category="merge", min_inputs=2)
LAYERS.add("conv2d", "Slides small learned filters over the image; each filter makes one feature map.",
           Conv2dSpec, Conv2d, category="convolution")
LAYERS.add("conv2d_transpose", "A learned upsampling: each pixel stamps a filter onto a larger output (decoders, GANs).",
           Conv2dTransposeSpec, Conv2dTranspose, category="convolution")
LAYERS.add("max_pool2d", "Keeps the largest value of each window: smaller maps, small shifts ignored.",
           MaxPool2dSpec, MaxPool2d, category="convolution")
LAYERS.add("avg_pool2d", "Averages each window: smaller, smoother maps.", AvgPool2dSpec, AvgPool2d, category="convolution")
LAYERS.add("global_avg_pool2d", "Averages each feature map down to one number per channel.",
           GlobalAvgPool2dSpec, GlobalAvgPool2d, category="convolution")
LAYERS.add("upsample2d", "Enlarges images by repeating pixels (nearest neighbour).", Upsample2dSpec, Upsample2d,
           category="convolution")
LAYERS.add("patch_embed", "Cuts the image into patches and turns each into a vector (vision transformer).",
           PatchEmbedSpec, PatchEmbed, category="attention")
LAYERS.add("flatten", "Unrolls images (or sequences) into one long feature vector.", FlattenSpec, Flatten, category="shape")
LAYERS.add("reshape", "Gives each sample a new shape with the same number of values (e.g. 784 -> 1x28x28).",
           ReshapeSpec, Reshape, category="shape")
LAYERS.add("embedding", "Turns token ids into learned vectors, one row of its table per token.", EmbeddingSpec,
           Embedding, category="sequence")
LAYERS.add("positional_encoding", "Adds where each step sits in the sequence (fixed sines or learned).",
           PositionalEncodingSpec, PositionalEncoding, category="sequence")
LAYERS.add("rnn", "A simple recurrent layer: a memory updated from each step and the previous memory.", RNNSpec,
           RNN, category="sequence")
LAYERS.add("lstm", "A recurrent layer with gates that decide what to remember and forget; holds on longer.",
           LSTMSpec, LSTM, category="sequence")
LAYERS.add("gru", "A lighter gated recurrent layer: reset and update gates instead of an LSTM's cell.", GRUSpec,
           GRU, category="sequence")
LAYERS.add("multi_head_attention", "Every step looks at every other step and mixes what it finds relevant.",
           MultiHeadAttentionSpec, MultiHeadAttention, category="sequence")
LAYERS.add("transformer_block", "Attention plus a small feed-forward net, each with layer norm and a shortcut.",
           TransformerBlockSpec, TransformerBlock, category="sequence")
LAYERS.add("sequence_pool", "Turns a sequence into one vector (mean over time, or the last or first step).",
           SequencePoolSpec, SequencePool, category="sequence")

ACTIVATIONS = Registry("activation")
for _name, _description in [
    ("linear", "Identity: passes values through unchanged."),
    ("step", "1 if the input is positive, else 0: the perceptron's threshold (no gradient)."),
    ("sigmoid", "Squashes to (0, 1); for probabilities of a yes/no answer."),
    ("tanh", "Squashes to (-1, 1), centred on zero."),
    ("relu", "Keeps positives, zeroes negatives; the usual default for deep nets."),
    ("leaky_relu", "Like relu, but negatives keep a small slope (0.01), so neurons never die."),
    ("elu", "Like relu, but negatives curve smoothly towards -1."),
    ("gelu", "A smooth relu weighted by the normal distribution; used in transformers."),
    ("softplus", "A smooth relu: log(1 + e^x)."),
    ("softmax", "Turns a vector of scores into probabilities that sum to 1."),
]:
    ACTIVATIONS.add(_name, _description, impl=ACTIVATION_CODES[_name])

LOSSES = Registry("loss")
LOSSES.add("mse", "Mean squared error: average of (prediction - target)^2.", impl=LOSS_CODES["mse"], targets="values")
LOSSES.add("mae", "Mean absolute error: average of |prediction - target|.", impl=LOSS_CODES["mae"], targets="values")
LOSSES.add("huber", "Squared error for small mistakes, absolute error for large ones (delta 1).",
           impl=LOSS_CODES["huber"], targets="values")
LOSSES.add("binary_cross_entropy", "For yes/no targets (0 or 1) with a sigmoid output; computed stably from logits.",
           impl=LOSS_CODES["binary_cross_entropy"], targets="values", outputs=["sigmoid", "linear"])
LOSSES.add("cross_entropy", "For class labels with a softmax output; computed stably from logits.",
           impl=LOSS_CODES["cross_entropy"], targets="labels", outputs=["softmax", "linear"])

OPTIMIZERS = Registry("optimizer")
for _name, _description in [
    ("sgd", "Stochastic gradient descent: step against the gradient, optionally with momentum."),
    ("adam", "Adapts the step of every parameter from running averages of its gradient."),
    ("adamw", "Adam with weight decay applied directly to the weights."),
    ("rmsprop", "Divides the step by a running average of the gradient's size."),
    ("adagrad", "Steps shrink for parameters that have already moved a lot."),
]:
    OPTIMIZERS.add(_name, _description, OPTIMIZER_SPECS[_name], OPTIMIZER_CODES[_name])

INITIALIZERS = Registry("initializer")
for _name, _description in [
    ("default", "PyTorch's default: uniform in +-1/sqrt(inputs)."),
    ("glorot", "Glorot/Xavier uniform: keeps signal size through tanh and sigmoid layers."),
    ("xavier", "Same as glorot."),
    ("he", "He/Kaiming normal: keeps signal size through relu layers."),
    ("kaiming", "Same as he."),
    ("normal", "Small random normal values (std 0.05)."),
    ("zeros", "All zero: every neuron stays identical - try it to see why random starts matter."),
]:
    INITIALIZERS.add(_name, _description)

SCHEDULES = Registry("schedule")
SCHEDULES.add("step", "Multiply the learning rate by gamma every step_size steps.", StepScheduleSpec)
SCHEDULES.add("cosine", "Lower the learning rate along a half cosine to eta_min over T_max steps.", CosineScheduleSpec)

GRAD_CLIPS = Registry("grad_clip")
GRAD_CLIPS.add("norm", "Rescales the whole gradient when its length is above max_norm.", ClipNormSpec)
GRAD_CLIPS.add("value", "Clamps every gradient entry to +-clip_value.", ClipValueSpec)

# training modes; fields: the settings object of the mode (spec key "autoencoder", or the GAN
# spec's top level around its "generator" and "discriminator" network specs)
MODES = Registry("mode")
MODES.add("supervised", "Learn to map inputs to the given targets.")
MODES.add("perceptron", "One step-activation neuron trained by the perceptron rule.")
MODES.add("autoencoder", "Learn to reproduce the input through a narrow layer (targets are the inputs).",
          AutoencoderSpec, settings_key="autoencoder")
MODES.add("gan", "A generator learns to fool a discriminator that learns to tell real from generated.",
          GanSettings, networks=["generator", "discriminator"])

REGISTRIES = {
    "layers": LAYERS, "activations": ACTIVATIONS, "losses": LOSSES,
    "optimizers": OPTIMIZERS, "initializers": INITIALIZERS, "schedules": SCHEDULES, "grad_clips": GRAD_CLIPS,
    "modes": MODES,
}


def catalog() -> dict:
    """Everything a palette needs, as plain JSON-able data."""
    return {kind: registry.catalog() for kind, registry in REGISTRIES.items()}

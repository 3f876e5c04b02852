"""Convolution layers: conv2d, conv2d_transpose and patch_embed (ViT), PyTorch layouts.

conv2d weight (out, in, kh, kw) and conv2d_transpose weight (in, out, kh, kw) as torch.nn;
both take an activation (as dense does) so a spec needs no separate activation layer.
patch_embed is a conv with kernel = stride = patch_size whose output is read as a sequence
(num_patches, embed_dim), patches in row-major order: torch's conv(x).flatten(2).transpose(1, 2).

    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [1, 28, 28]}, "layers": [
    ...     {"id": "c1", "type": "conv2d", "out_channels": 8, "kernel_size": 5, "padding": "same", "activation": "relu"},
    ...     {"id": "up", "type": "conv2d_transpose", "out_channels": 2, "kernel_size": 2, "stride": 2},
    ...     {"id": "vit", "type": "patch_embed", "patch_size": 7, "embed_dim": 16}]})
    >>> [row["output_shape"] for row in model.summary()], model.params()["c1.weight"].shape
    ([[8, 28, 28], [2, 56, 56], [64, 16]], (8, 1, 5, 5))
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator

from engine.initializers import INITIALIZER_FUNCTIONS
from engine.kernels.codes import ACT_LINEAR
from engine.kernels.conv import conv2d_bwd, conv2d_fwd, conv2d_transpose_bwd, conv2d_transpose_fwd
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.kernels.patch import patches_bwd, patches_fwd
from engine.layers.base import Layer, ShapeProblem
from engine.layers.spatial import activate, activation_code, activation_grad, conv_padding, geometry, \
    image_input, windows
from engine.spec_models import ActivationName, InitName, LayerSpecBase

MAX_CHANNELS = 1024
KEEP_BYTES = 64 * 2**20  # conv2d keeps a batch's patches up to this size instead of recomputing them
KernelSize = Field(ge=1, le=31, description="Height and width of each filter (square).")
Stride = Field(1, ge=1, le=16, description="Step between neighbouring windows.")
Padding = Annotated[int, Field(ge=0, le=32)] | Literal["same", "valid"]
UseBias = Field(True, description="Add a learned offset to every output channel.")
Init = Field("default", description="How the weights start (default: as torch.nn.Conv2d).")
OutChannels = Field(ge=1, le=MAX_CHANNELS, description="Number of filters, i.e. output feature maps.")


class FilterLayer(Layer):
    """What every layer with a (out, in, kh, kw)-like weight and an optional bias shares."""

    def regularized_params(self):
        return ["weight"]

    def init_params(self, rng):
        INITIALIZER_FUNCTIONS[self.spec.init](rng, self.params["weight"], self.params.get("bias"))

    def _bias(self, store):
        return store["bias"] if self.spec.use_bias else np.empty(0, self.dtype)

    def _with_bias(self, shapes, size):
        return shapes + [("bias", (size,))] if self.spec.use_bias else shapes


class ConvLayer(FilterLayer):
    """conv2d and conv2d_transpose: a filter layer with an activation."""
    has_activation = True

    def logits(self):
        return self._z.reshape(self._a.shape)

    def _activate(self, z, out_shape):
        self._z = z
        self._a = activate(self, activation_code(self.spec), z)
        return self._a.reshape(out_shape)

    def _grad_z(self, grad_out):
        grad_a = np.ascontiguousarray(grad_out).reshape(self._z.shape)
        return activation_grad(self, activation_code(self.spec), self._z, self._a, grad_a)


class Conv2dSpec(LayerSpecBase):
    type: Literal["conv2d"] = "conv2d"
    out_channels: int = OutChannels
    kernel_size: int = KernelSize
    stride: int = Stride
    padding: Padding = Field(0, description="Zeros added around the input: a number, 'same' (keep the size) or 'valid' (none).")
    dilation: int = Field(1, ge=1, le=16, description="Spacing between filter taps (1: a dense filter).")
    activation: ActivationName = Field("linear", description="Nonlinearity applied to every output value.")
    use_bias: bool = UseBias
    init: InitName = Init

    @field_validator("padding", mode="wrap")
    @classmethod
    def _one_message_for_padding(cls, value, handler):
        try:  # one plain sentence instead of one error per member of the union
            return handler(value)
        except ValidationError:
            raise ValueError(f"padding must be a whole number from 0 to 32, 'same' or 'valid', got {value!r}") from None


class Conv2d(ConvLayer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        _, height, width = image_input(input_shapes, "conv2d")
        activation_code(spec)
        return (spec.out_channels, *cls._plan(spec, height, width)[:2])

    @staticmethod
    def _plan(spec, height, width):
        """(out_h, out_w, pad_top, pad_left)."""
        k, s, d = spec.kernel_size, spec.stride, spec.dilation
        top, total = conv_padding(spec.padding, k, s, d)
        out_h = windows(height, k, s, total, d, "height")
        out_w = windows(width, k, s, total, d, "width")
        return out_h, out_w, top, top

    def __init__(self, spec, input_shapes, dtype=np.float32):
        super().__init__(spec, input_shapes, dtype)
        channels, height, width = self.input_shapes[0]
        out_h, out_w, top, left = self._plan(spec, height, width)
        k, s, d = spec.kernel_size, spec.stride, spec.dilation
        self.geometry = geometry(k, k, s, s, top, left, d, d, out_h, out_w)
        self.patch_size = channels * k * k

    def param_shapes(self):
        k = self.spec.kernel_size
        return self._with_bias([("weight", (self.spec.out_channels, self.input_shapes[0][0], k, k))],
                               self.spec.out_channels)

    def forward(self, inputs, training, rng):
        x = np.ascontiguousarray(inputs[0])
        out_channels, out_h, out_w = self.output_shape
        z = self.workspace("z", (len(x), out_channels, out_h * out_w))
        code = activation_code(self.spec)
        a = z if code == ACT_LINEAR else self.workspace("a", z.shape)
        cols = self._patches(len(x), training)
        weight = self.params["weight"].reshape(out_channels, -1)
        conv2d_fwd(x, weight, self._bias(self.params), code, self.geometry, cols, z, a)
        self._x, self._cols, self._z, self._a = x, cols, z, a
        return a.reshape(len(x), *self.output_shape)

    def _patches(self, batch, training):
        """Every sample's patches while training (backward reuses them), if they fit KEEP_BYTES."""
        positions = self.output_shape[1] * self.output_shape[2]
        if training and batch * self.patch_size * positions * self.dtype.itemsize <= KEEP_BYTES:
            return self.workspace("cols_kept", (batch, self.patch_size, positions))
        return self.workspace("cols_one", (1, self.patch_size, positions))

    def backward(self, grad_out, from_logits=False):
        grad_a = np.ascontiguousarray(grad_out).reshape(self._z.shape)
        code = ACT_LINEAR if from_logits else activation_code(self.spec)  # from_logits: the loss did it
        grad_z = self.workspace("grad_z", self._z.shape) if code != ACT_LINEAR else grad_a
        out_channels = self.output_shape[0]
        weight = self.params["weight"].reshape(out_channels, -1)
        grad_x = self.workspace("grad_x", self._x.shape)
        kept = self._cols.shape[0] == len(self._x) and len(self._x) > 1
        cols = self._cols if kept else self._patches(1, False)
        scratch = self.workspace("grad_weight_parts", (2, weight.shape[1], weight.shape[0]))
        conv2d_bwd(self._x, weight, code, self._z, self._a, grad_a, self.geometry, cols, kept, scratch, grad_z,
                   grad_x, self.grads["weight"].reshape(out_channels, -1), self._bias(self.grads),
                   self.needs_input_grad[0])
        return [grad_x if self.needs_input_grad[0] else None]


class Conv2dTransposeSpec(LayerSpecBase):
    type: Literal["conv2d_transpose"] = "conv2d_transpose"
    out_channels: int = OutChannels
    kernel_size: int = KernelSize
    stride: int = Stride
    padding: int = Field(0, ge=0, le=32, description="Rows and columns cropped from each border of the output.")
    output_padding: int = Field(0, ge=0, le=15, description="Extra rows and columns added at the bottom and right "
                                                            "(picks among the sizes a stride allows).")
    activation: ActivationName = Field("linear", description="Nonlinearity applied to every output value.")
    use_bias: bool = UseBias
    init: InitName = Init


class Conv2dTranspose(ConvLayer):
    """The adjoint of a conv2d: every input pixel stamps a filter onto a larger output."""

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        _, height, width = image_input(input_shapes, "conv2d_transpose")
        activation_code(spec)
        if spec.output_padding >= spec.stride:
            raise ShapeProblem("output_padding", f"output_padding must be smaller than stride ({spec.stride}), "
                                                 f"got {spec.output_padding}")
        sizes = [(size - 1) * spec.stride - 2 * spec.padding + spec.kernel_size + spec.output_padding
                 for size in (height, width)]
        if min(sizes) < 1:
            raise ShapeProblem("padding", f"padding {spec.padding} crops the whole output; use less padding")
        return (spec.out_channels, *sizes)

    def __init__(self, spec, input_shapes, dtype=np.float32):
        super().__init__(spec, input_shapes, dtype)
        channels, height, width = self.input_shapes[0]
        k, s, p = spec.kernel_size, spec.stride, spec.padding
        # the conv2d this layer is the adjoint of: windows over the output, one per input pixel
        self.geometry = geometry(k, k, s, s, p, p, 1, 1, height, width)
        self.patch_size = spec.out_channels * k * k

    def param_shapes(self):
        k = self.spec.kernel_size
        return self._with_bias([("weight", (self.input_shapes[0][0], self.spec.out_channels, k, k))],
                               self.spec.out_channels)

    def forward(self, inputs, training, rng):
        x = np.ascontiguousarray(inputs[0])
        x3 = x.reshape(len(x), x.shape[1], -1)
        z = self.workspace("z", (len(x), *self.output_shape))
        cols = self.workspace("cols", (self.patch_size, x3.shape[2]))
        weight = self.params["weight"].reshape(x.shape[1], -1)
        conv2d_transpose_fwd(x3, weight, self._bias(self.params), self.geometry, cols, z)
        self._x3 = x3
        return self._activate(z, z.shape)

    def backward(self, grad_out, from_logits=False):
        grad_z = np.ascontiguousarray(grad_out).reshape(self._z.shape) if from_logits else self._grad_z(grad_out)
        in_channels = self._x3.shape[1]
        weight = self.params["weight"].reshape(in_channels, -1)
        grad_x = self.workspace("grad_x", self._x3.shape)
        cols = self.workspace("cols", (self.patch_size, self._x3.shape[2]))
        scratch = self.workspace("grad_weight_parts", (2, weight.shape[1], weight.shape[0]))
        conv2d_transpose_bwd(self._x3, weight, grad_z, self.geometry, cols, scratch, grad_x,
                             self.grads["weight"].reshape(in_channels, -1), self._bias(self.grads),
                             self.needs_input_grad[0])
        if not self.needs_input_grad[0]:
            return [None]
        return [grad_x.reshape(len(grad_x), *self.input_shapes[0])]


class PatchEmbedSpec(LayerSpecBase):
    type: Literal["patch_embed"] = "patch_embed"
    patch_size: int = Field(ge=1, le=32, description="Side of the square patches the image is cut into.")
    embed_dim: int = Field(ge=1, le=MAX_CHANNELS, description="Length of the vector each patch becomes.")
    use_bias: bool = Field(True, description="Add a learned offset to every embedding.")
    init: InitName = Init


class PatchEmbed(FilterLayer):
    """Cut the image into patches and project each one: a (num_patches, embed_dim) sequence."""

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        _, height, width = image_input(input_shapes, "patch_embed")
        p = spec.patch_size
        if p > height or p > width:
            raise ShapeProblem("patch_size", f"patch_size {p} is larger than the image ({height}x{width})")
        return ((height // p) * (width // p), spec.embed_dim)

    def param_shapes(self):
        p = self.spec.patch_size
        return self._with_bias([("weight", (self.spec.embed_dim, self.input_shapes[0][0], p, p))], self.spec.embed_dim)

    def forward(self, inputs, training, rng):
        x = np.ascontiguousarray(inputs[0])
        num_patches, embed_dim = self.output_shape
        patch_values = self.input_shapes[0][0] * self.spec.patch_size ** 2
        patches = self.workspace("patches", (len(x) * num_patches, patch_values))
        patches_fwd(x, self.spec.patch_size, patches)
        y = self.workspace("y", (len(patches), embed_dim))
        dense_fwd(patches, self.params["weight"].reshape(embed_dim, -1), self._bias(self.params), y)
        self._x, self._patches = x, patches
        return y.reshape(len(x), num_patches, embed_dim)

    def backward(self, grad_out, from_logits=False):
        embed_dim = self.spec.embed_dim
        grad_y = np.ascontiguousarray(grad_out).reshape(-1, embed_dim)
        grad_patches = self.workspace("grad_patches", self._patches.shape)
        dense_bwd(self._patches, self.params["weight"].reshape(embed_dim, -1), grad_y, grad_patches,
                  self.grads["weight"].reshape(embed_dim, -1), self._bias(self.grads), self.needs_input_grad[0])
        if not self.needs_input_grad[0]:
            return [None]
        grad_x = self.workspace("grad_x", self._x.shape)
        patches_bwd(grad_patches, self.spec.patch_size, grad_x)
        return [grad_x]

"""Pooling and upsampling layers: max_pool2d, avg_pool2d, global_avg_pool2d, upsample2d.

All take images (C, H, W) and work on every channel plane alike, as torch.nn.MaxPool2d,
AvgPool2d, AdaptiveAvgPool2d(1) (followed by a flatten: global_avg_pool2d outputs (C,)) and
Upsample(mode="nearest") do. None has parameters.

    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [3, 32, 32]}, "layers": [
    ...     {"id": "max", "type": "max_pool2d", "kernel_size": 2},
    ...     {"id": "avg", "type": "avg_pool2d", "kernel_size": 3, "stride": 2, "padding": 1},
    ...     {"id": "up", "type": "upsample2d", "scale_factor": 4},
    ...     {"id": "gap", "type": "global_avg_pool2d"}]})
    >>> [row["output_shape"] for row in model.summary()]
    [[3, 16, 16], [3, 8, 8], [3, 32, 32], [3]]
"""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.pool import (
    avg_pool2d_bwd,
    avg_pool2d_fwd,
    global_avg_pool2d_bwd,
    global_avg_pool2d_fwd,
    max_pool2d_bwd,
    max_pool2d_fwd,
    upsample2d_nearest_bwd,
    upsample2d_nearest_fwd,
)
from engine.layers.base import Layer
from engine.layers.spatial import geometry, image_input, pool_padding, windows
from engine.spec_models import LayerSpecBase


def _planes(array):
    """(N, C, H, W) -> (N*C, H, W) C-contiguous view (or copy when the input was not contiguous)."""
    array = np.ascontiguousarray(array)
    return array.reshape(-1, *array.shape[2:])


class PoolSpecBase(LayerSpecBase):
    kernel_size: int = Field(ge=1, le=31, description="Height and width of each pooling window (square).")
    stride: int | None = Field(None, ge=1, le=31, description="Step between windows (default: kernel_size, no overlap).")
    padding: int = Field(0, ge=0, le=15, description="Border added on each side (at most half the kernel).")


class _Pool2d(Layer):
    kind = ""

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        channels, height, width = image_input(input_shapes, cls.kind)
        return (channels, *cls._plan(spec, height, width))

    @staticmethod
    def _plan(spec, height, width):
        pad = pool_padding(spec)
        stride = spec.stride or spec.kernel_size
        return (windows(height, spec.kernel_size, stride, 2 * pad, 1, "height"),
                windows(width, spec.kernel_size, stride, 2 * pad, 1, "width"))

    def __init__(self, spec, input_shapes, dtype=np.float32):
        super().__init__(spec, input_shapes, dtype)
        k, s, p = spec.kernel_size, spec.stride or spec.kernel_size, spec.padding
        self.geometry = geometry(k, k, s, s, p, p, *self.output_shape[1:])

    def _output(self, x):
        return self.workspace("y", (len(x) * self.output_shape[0], *self.output_shape[1:]))

    def _grad_input(self, batch):
        return self.workspace("grad_x", (batch * self.input_shapes[0][0], *self.input_shapes[0][1:]))


class MaxPool2dSpec(PoolSpecBase):
    type: Literal["max_pool2d"] = "max_pool2d"


class MaxPool2d(_Pool2d):
    """Keeps the largest value of each window; the gradient flows only to that value."""
    kind = "max_pool2d"

    def forward(self, inputs, training, rng):
        x = inputs[0]
        y = self._output(x)
        self._argmax = self.workspace("argmax", y.shape, np.int64)
        max_pool2d_fwd(_planes(x), self.geometry, y, self._argmax)
        return y.reshape(len(x), *self.output_shape)

    def backward(self, grad_out, from_logits=False):
        grad_x = self._grad_input(len(grad_out))
        max_pool2d_bwd(_planes(grad_out), self._argmax, grad_x)
        return [grad_x.reshape(len(grad_out), *self.input_shapes[0])]


class AvgPool2dSpec(PoolSpecBase):
    type: Literal["avg_pool2d"] = "avg_pool2d"


class AvgPool2d(_Pool2d):
    """Averages each window (padding counts as zeros, as torch's default count_include_pad)."""
    kind = "avg_pool2d"

    def forward(self, inputs, training, rng):
        x = inputs[0]
        y = self._output(x)
        avg_pool2d_fwd(_planes(x), self.geometry, y)
        return y.reshape(len(x), *self.output_shape)

    def backward(self, grad_out, from_logits=False):
        grad_x = self._grad_input(len(grad_out))
        avg_pool2d_bwd(_planes(grad_out), self.geometry, grad_x)
        return [grad_x.reshape(len(grad_out), *self.input_shapes[0])]


class GlobalAvgPool2dSpec(LayerSpecBase):
    type: Literal["global_avg_pool2d"] = "global_avg_pool2d"


class GlobalAvgPool2d(Layer):
    """The mean of each channel over the whole image: (C, H, W) -> (C,)."""

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return image_input(input_shapes, "global_avg_pool2d")[:1]

    def forward(self, inputs, training, rng):
        x = np.ascontiguousarray(inputs[0])
        pooled = self.workspace("y", (len(x), x.shape[1]))
        global_avg_pool2d_fwd(x.reshape(len(x) * x.shape[1], -1), pooled.reshape(-1))
        return pooled

    def backward(self, grad_out, from_logits=False):
        grad_x = self.workspace("grad_x", (len(grad_out), *self.input_shapes[0]))
        global_avg_pool2d_bwd(np.ascontiguousarray(grad_out).reshape(-1),
                              grad_x.reshape(grad_x.shape[0] * grad_x.shape[1], -1))
        return [grad_x]


class Upsample2dSpec(LayerSpecBase):
    type: Literal["upsample2d"] = "upsample2d"
    scale_factor: int = Field(2, ge=1, le=8, description="Each pixel becomes a scale_factor x scale_factor block.")
    mode: Literal["nearest"] = Field("nearest", description="How new pixels are filled: copies of the nearest one.")


class Upsample2d(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        channels, height, width = image_input(input_shapes, "upsample2d")
        return (channels, height * spec.scale_factor, width * spec.scale_factor)

    def forward(self, inputs, training, rng):
        x = inputs[0]
        y = self.workspace("y", (len(x) * self.output_shape[0], *self.output_shape[1:]))
        upsample2d_nearest_fwd(_planes(x), self.spec.scale_factor, y)
        return y.reshape(len(x), *self.output_shape)

    def backward(self, grad_out, from_logits=False):
        channels, height, width = self.input_shapes[0]
        grad_x = self.workspace("grad_x", (len(grad_out) * channels, height, width))
        upsample2d_nearest_bwd(_planes(grad_out), self.spec.scale_factor, grad_x)
        return [grad_x.reshape(len(grad_out), channels, height, width)]

"""Layers that join branches of the graph: add (residual connections) and concat."""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.layers.base import Layer, ShapeProblem
from engine.spec_models import MAX_INPUTS, LayerSpecBase

TwoOrMoreInputs = Field(min_length=2, max_length=MAX_INPUTS, description="Ids of the layers to join.")


class AddSpec(LayerSpecBase):
    type: Literal["add"] = "add"
    inputs: list[str] = TwoOrMoreInputs


class Add(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        first = input_shapes[0]
        for k, shape in enumerate(input_shapes[1:], start=1):
            if shape != first:
                raise ShapeProblem(f"inputs[{k}]", f"add needs equal shapes: {spec.inputs[0]!r} gives "
                                   f"{list(first)} but {spec.inputs[k]!r} gives {list(shape)}")
        return first

    def forward(self, inputs, training, rng):
        out = self.workspace("y", inputs[0].shape)
        np.add(inputs[0], inputs[1], out=out)
        for extra in inputs[2:]:
            out += extra
        return out

    def backward(self, grad_out, from_logits=False):
        return [grad_out] * len(self.input_shapes)


class ConcatSpec(LayerSpecBase):
    type: Literal["concat"] = "concat"
    inputs: list[str] = TwoOrMoreInputs
    axis: int | None = Field(None, ge=0, le=2, description="Per-sample axis to join along; default: features "
                             "(the last axis), or channels (axis 0) for images.")


def concat_axis(spec, shape):
    if spec.axis is not None:
        return spec.axis
    return 0 if len(shape) == 3 else len(shape) - 1


class Concat(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        first = input_shapes[0]
        axis = concat_axis(spec, first)
        if axis >= len(first):
            raise ShapeProblem("axis", f"axis {axis} does not exist in shape {list(first)}")
        for k, shape in enumerate(input_shapes[1:], start=1):
            others = lambda s: s[:axis] + s[axis + 1:]  # noqa: E731
            if len(shape) != len(first) or others(shape) != others(first):
                raise ShapeProblem(f"inputs[{k}]", f"concat along axis {axis} needs the other axes equal: "
                                   f"{spec.inputs[0]!r} gives {list(first)} but {spec.inputs[k]!r} gives {list(shape)}")
        total = sum(shape[axis] for shape in input_shapes)
        return first[:axis] + (total,) + first[axis + 1:]

    def forward(self, inputs, training, rng):
        axis = concat_axis(self.spec, self.input_shapes[0]) + 1  # +1: batch axis
        out = self.workspace("y", (inputs[0].shape[0], *self.output_shape))
        np.concatenate(inputs, axis=axis, out=out)
        return out

    def backward(self, grad_out, from_logits=False):
        axis = concat_axis(self.spec, self.input_shapes[0]) + 1
        bounds = np.cumsum([shape[axis - 1] for shape in self.input_shapes])[:-1]
        return [np.ascontiguousarray(part) for part in np.split(grad_out, bounds, axis=axis)]

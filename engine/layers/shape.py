"""Shape layers: flatten (torch.nn.Flatten) and reshape (torch's view with a batch axis kept).

Both only relabel memory: the output is a view of the input (copied only when the input is not
C-contiguous), and the gradient is the incoming gradient relabelled back.

    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [784]}, "layers": [
    ...     {"id": "img", "type": "reshape", "shape": [1, 28, -1]}, {"id": "flat", "type": "flatten"}]})
    >>> [row["output_shape"] for row in model.summary()]
    [[1, 28, 28], [784]]
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from engine.layers.base import Layer, ShapeProblem, single_input_shape
from engine.spec_models import MAX_DIM, LayerSpecBase


class _Relabel(Layer):
    def forward(self, inputs, training, rng):
        x = inputs[0]
        return np.ascontiguousarray(x).reshape(len(x), *self.output_shape)

    def backward(self, grad_out, from_logits=False):
        return [np.ascontiguousarray(grad_out).reshape(len(grad_out), *self.input_shapes[0])]


class FlattenSpec(LayerSpecBase):
    type: Literal["flatten"] = "flatten"


class Flatten(_Relabel):
    """(C, H, W) or (T, F) -> one feature vector per sample, in C order (channel, row, column)."""

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return (int(np.prod(single_input_shape(input_shapes))),)


class ReshapeSpec(LayerSpecBase):
    type: Literal["reshape"] = "reshape"
    shape: list[Annotated[int, Field(ge=-1, le=MAX_DIM)]] = Field(
        min_length=1, max_length=3,
        description="New shape of one sample, e.g. [1, 28, 28]; one entry may be -1 (inferred).")


class Reshape(_Relabel):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        size = int(np.prod(single_input_shape(input_shapes)))
        shape = list(spec.shape)
        if 0 in shape:
            raise ShapeProblem("shape", f"every entry of shape must be positive (or one -1), got {shape}")
        if shape.count(-1) > 1:
            raise ShapeProblem("shape", f"only one entry of shape can be -1, got {shape}")
        known = int(np.prod([n for n in shape if n != -1]))
        if -1 in shape:
            if size % known:
                raise ShapeProblem("shape", f"cannot reshape {size} values into {shape}: "
                                            f"{size} is not divisible by {known}")
            shape[shape.index(-1)] = size // known
        elif known != size:
            raise ShapeProblem("shape", f"cannot reshape {size} values into {shape} ({known} values)")
        return tuple(shape)

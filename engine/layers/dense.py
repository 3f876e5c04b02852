"""The dense (fully connected) layer, PyTorch's nn.Linear plus an activation and dropout."""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.initializers import INITIALIZER_FUNCTIONS
from engine.kernels.activations import activation_bwd, activation_fwd
from engine.kernels.codes import ACT_LINEAR, ACTIVATION_CODES
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.layers.base import Layer, ShapeProblem, as_rows
from engine.layers.elementwise import apply_dropout, undo_dropout
from engine.spec_models import MAX_WIDTH, ActivationName, InitName, LayerSpecBase


class DenseSpec(LayerSpecBase):
    type: Literal["dense"] = "dense"
    units: int = Field(ge=1, le=MAX_WIDTH, description="Number of neurons (outputs) of the layer.")
    activation: ActivationName = Field("linear", description="Nonlinearity applied to every neuron.")
    use_bias: bool = Field(True, description="Add a learned offset to every neuron.")
    init: InitName = Field("default", description="How the weights start (default: as torch.nn.Linear).")
    dropout: float = Field(0.0, ge=0.0, le=0.95, description="Fraction of outputs zeroed while training.")


class Dense(Layer):
    has_activation = True

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        if len(input_shapes) != 1:
            raise ShapeProblem("inputs", "dense takes exactly one input")
        return (*input_shapes[0][:-1], spec.units)

    def param_shapes(self):
        shapes = [("weight", (self.spec.units, self.input_shapes[0][-1]))]
        if self.spec.use_bias:
            shapes.append(("bias", (self.spec.units,)))
        return shapes

    def regularized_params(self):
        return ["weight"]

    def init_params(self, rng):
        INITIALIZER_FUNCTIONS[self.spec.init](rng, self.params["weight"], self.params.get("bias"))

    def _bias(self, store):
        return store["bias"] if self.spec.use_bias else np.empty(0, self.dtype)

    def forward(self, inputs, training, rng):
        x = as_rows(inputs[0])
        rows = x.shape[0]
        z = self.workspace("z", (rows, self.spec.units))
        dense_fwd(x, self.params["weight"], self._bias(self.params), z)
        code = ACTIVATION_CODES[self.spec.activation]
        if code == ACT_LINEAR:
            a = z
        else:
            a = self.workspace("a", z.shape)
            activation_fwd(code, z, a)
        self._x, self._z, self._a = x, z, a
        out = a
        if training and self.spec.dropout > 0.0:
            out = apply_dropout(self, a, self.spec.dropout, rng)
        self._dropped = out is not a
        return out.reshape(inputs[0].shape[:-1] + (self.spec.units,))

    def logits(self):
        return self._z.reshape(self._a.shape)

    def backward(self, grad_out, from_logits=False):
        g = as_rows(grad_out)
        code = ACTIVATION_CODES[self.spec.activation]
        if self._dropped:
            g = undo_dropout(self, g, self.spec.dropout)
        if not from_logits and code != ACT_LINEAR:
            gz = self.workspace("grad_z", g.shape)
            activation_bwd(code, self._z, self._a, g, gz)
            g = gz
        gx = self.workspace("grad_x", self._x.shape)
        dense_bwd(self._x, self.params["weight"], np.ascontiguousarray(g), gx,
                  self.grads["weight"], self._bias(self.grads), self.needs_input_grad[0])
        if not self.needs_input_grad[0]:
            return [None]
        return [gx.reshape(self.input_shapes_batch())]

    def input_shapes_batch(self):
        return (-1, *self.input_shapes[0])

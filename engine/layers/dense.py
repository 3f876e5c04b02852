"""The dense (fully connected) layer, PyTorch's nn.Linear plus an activation and dropout."""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.initializers import INITIALIZER_FUNCTIONS
from engine.kernels.activations import activation_bwd, activation_fwd
from engine.kernels.codes import ACT_LINEAR, ACTIVATION_CODES
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.layers.base import Layer, as_rows, single_input_shape
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
        return (*single_input_shape(input_shapes)[:-1], spec.units)

    def param_shapes(self):
        shapes = [("weight", (self.spec.units, self.input_shapes[0][-1]))]
        if self.spec.use_bias:
            shapes.append(("bias", (self.spec.units,)))
        return shapes

    def regularized_params(self):
        return ["weight"]

    def init_params(self, rng):
        INITIALIZER_FUNCTIONS[self.spec.init](rng, self.params["weight"], self.params.get("bias"))

    def bind(self, params, grads, buffers):
        super().bind(params, grads, buffers)
        # looked up once: the per-step path is Python overhead on small nets
        no_bias = np.empty(0, self.dtype)  # kernels take a zero-length bias for "no bias"
        self._weight, self._bias = params["weight"], params.get("bias", no_bias)
        self._grad_weight, self._grad_bias = grads["weight"], grads.get("bias", no_bias)
        self._code = ACTIVATION_CODES[self.spec.activation]
        self._batch_input_shape = (-1, *self.input_shapes[0])

    def forward(self, inputs, training, rng):
        x = as_rows(inputs[0])
        z = self.workspace("z", (x.shape[0], self.spec.units))
        dense_fwd(x, self._weight, self._bias, z)
        a = z
        if self._code != ACT_LINEAR:
            a = self.workspace("a", z.shape)
            activation_fwd(self._code, z, a)
        self._x, self._z, self._a = x, z, a
        out = a
        if training and self.spec.dropout > 0.0:
            out = apply_dropout(self, a, self.spec.dropout, rng)
        self._dropped = out is not a
        self._out_shape = inputs[0].shape[:-1] + (self.spec.units,)  # (N, units) or (N, T, units)
        return out.reshape(self._out_shape)

    def logits(self):
        return self._z.reshape(self._out_shape)

    def backward(self, grad_out, from_logits=False):
        g = np.ascontiguousarray(as_rows(grad_out))
        if self._dropped:
            g = undo_dropout(self, g, self.spec.dropout)
        if not from_logits and self._code != ACT_LINEAR:
            gz = self.workspace("grad_z", g.shape)
            activation_bwd(self._code, self._z, self._a, g, gz)
            g = gz
        gx = self.workspace("grad_x", self._x.shape)
        dense_bwd(self._x, self._weight, g, gx, self._grad_weight, self._grad_bias, self.needs_input_grad[0])
        if not self.needs_input_grad[0]:
            return [None]
        return [gx.reshape(self._batch_input_shape)]

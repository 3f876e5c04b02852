"""Shape-preserving layers: a standalone activation, and dropout (plus its helpers for dense)."""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.activations import activation_bwd, activation_fwd
from engine.kernels.codes import ACTIVATION_CODES
from engine.kernels.dropout import dropout_bwd, dropout_fwd
from engine.layers.base import Layer, as_rows, single_input_shape
from engine.spec_models import ActivationName, LayerSpecBase


class ActivationSpec(LayerSpecBase):
    type: Literal["activation"] = "activation"
    activation: ActivationName = Field(description="Nonlinearity applied elementwise (softmax: over features).")


class Activation(Layer):
    has_activation = True

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return single_input_shape(input_shapes)

    def forward(self, inputs, training, rng):
        z = as_rows(inputs[0])
        a = self.workspace("a", z.shape)
        activation_fwd(ACTIVATION_CODES[self.spec.activation], z, a)
        self._z, self._a = z, a
        return a.reshape(inputs[0].shape)

    def logits(self):
        return self._z

    def backward(self, grad_out, from_logits=False):
        if from_logits:
            return [grad_out]
        g = as_rows(grad_out)
        gz = self.workspace("grad_z", g.shape)
        activation_bwd(ACTIVATION_CODES[self.spec.activation], self._z, self._a, np.ascontiguousarray(g), gz)
        return [gz.reshape(grad_out.shape)]


class DropoutSpec(LayerSpecBase):
    type: Literal["dropout"] = "dropout"
    rate: float = Field(0.5, ge=0.0, le=0.95, description="Fraction of values zeroed while training.")


def apply_dropout(layer, a, rate, rng):
    """Inverted dropout of ``a`` with a fresh mask from the model's seeded generator."""
    mask = layer.workspace("dropout_mask", a.shape, np.uint8)
    np.greater_equal(rng.random(a.shape, dtype=np.float32), rate, out=mask, casting="unsafe")
    out = layer.workspace("dropout_out", a.shape)
    dropout_fwd(a.reshape(-1), mask.reshape(-1), 1.0 / (1.0 - rate), out.reshape(-1))
    return out


def undo_dropout(layer, grad, rate):
    mask = layer.workspace("dropout_mask", grad.shape, np.uint8)  # same key: the forward's mask
    out = layer.workspace("dropout_grad", grad.shape)
    dropout_bwd(np.ascontiguousarray(grad).reshape(-1), mask.reshape(-1), 1.0 / (1.0 - rate), out.reshape(-1))
    return out


class Dropout(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return single_input_shape(input_shapes)

    def forward(self, inputs, training, rng):
        self._active = training and self.spec.rate > 0.0
        if not self._active:
            return inputs[0]
        return apply_dropout(self, inputs[0], self.spec.rate, rng)

    def backward(self, grad_out, from_logits=False):
        if not self._active:
            return [grad_out]
        return [undo_dropout(self, grad_out, self.spec.rate)]

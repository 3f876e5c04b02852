"""Normalization layers: batch_norm (torch BatchNorm1d/2d) and layer_norm (torch LayerNorm).

batch_norm normalizes features (N, F) or image channels (N, C, H, W) over the batch;
layer_norm normalizes each sample's last axis. Both own ``weight`` (ones) and ``bias`` (zeros);
batch_norm also keeps ``running_mean`` (zeros) and ``running_var`` (ones) buffers.
"""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.norm import (
    batch_norm_bwd,
    batch_norm_fwd_eval,
    batch_norm_fwd_train,
    layer_norm_bwd,
    layer_norm_fwd,
)
from engine.layers.base import Layer, ShapeProblem, as_rows, single_input_shape
from engine.spec_models import LayerSpecBase

Eps = Field(1e-5, gt=0.0, le=1.0, description="Added to the variance before the square root.")


class BatchNormSpec(LayerSpecBase):
    type: Literal["batch_norm"] = "batch_norm"
    momentum: float = Field(0.1, gt=0.0, le=1.0, description="Weight of each new batch in the running statistics.")
    eps: float = Eps


class BatchNorm(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        shape = single_input_shape(input_shapes)
        if len(shape) not in (1, 3):
            raise ShapeProblem("type", f"batch_norm needs features (F,) or images (C, H, W), got {list(shape)}")
        return shape

    def _channels(self):
        return self.input_shapes[0][0]

    def param_shapes(self):
        return [("weight", (self._channels(),)), ("bias", (self._channels(),))]

    def buffer_shapes(self):
        return [("running_mean", (self._channels(),), 0.0), ("running_var", (self._channels(),), 1.0)]

    def init_params(self, rng):
        self.params["weight"][...] = 1.0
        self.params["bias"][...] = 0.0

    def forward(self, inputs, training, rng):
        x = inputs[0]
        x3 = x.reshape(x.shape[0], self._channels(), -1)
        y = self.workspace("y", x3.shape)
        p, b = self.params, self.buffers
        training = training and self.trainable  # a frozen layer keeps its running statistics
        self._eval_x = None if training else x3
        if training:
            self._x_hat = self.workspace("x_hat", x3.shape)
            self._inv_std = self.workspace("inv_std", (self._channels(),))
            mean = self.workspace("mean", (self._channels(),))
            batch_norm_fwd_train(x3, p["weight"], p["bias"], b["running_mean"], b["running_var"],
                                 self.spec.momentum, self.spec.eps, self._x_hat, mean, self._inv_std, y)
        else:
            batch_norm_fwd_eval(x3, p["weight"], p["bias"], b["running_mean"], b["running_var"], self.spec.eps, y)
        return y.reshape(x.shape)

    def backward(self, grad_out, from_logits=False):
        if self._eval_x is not None:
            return [self._eval_backward(grad_out)]
        g3 = np.ascontiguousarray(grad_out).reshape(self._x_hat.shape)
        gx = self.workspace("grad_x", g3.shape)
        batch_norm_bwd(g3, self._x_hat, self.params["weight"], self._inv_std, gx,
                       self.grads["weight"], self.grads["bias"])
        return [gx.reshape(grad_out.shape)]

    def _eval_backward(self, grad_out):
        """After an eval-mode forward (frozen layer, probes) y = x_hat * weight + bias with the
        running statistics as constants, so every channel is a fixed affine map."""
        b = self.buffers
        inv_std = 1.0 / np.sqrt(b["running_var"].astype(np.float64) + self.spec.eps)
        g3 = np.asarray(grad_out, np.float64).reshape(self._eval_x.shape)
        x_hat = (self._eval_x - b["running_mean"][None, :, None]) * inv_std[None, :, None]
        self.grads["weight"][...] = np.sum(g3 * x_hat, axis=(0, 2))
        self.grads["bias"][...] = np.sum(g3, axis=(0, 2))
        gx = g3 * (self.params["weight"] * inv_std)[None, :, None]
        return gx.astype(self.dtype).reshape(grad_out.shape)


class LayerNormSpec(LayerSpecBase):
    type: Literal["layer_norm"] = "layer_norm"
    eps: float = Eps


class LayerNorm(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return single_input_shape(input_shapes)

    def param_shapes(self):
        features = self.input_shapes[0][-1]
        return [("weight", (features,)), ("bias", (features,))]

    def init_params(self, rng):
        self.params["weight"][...] = 1.0
        self.params["bias"][...] = 0.0

    def forward(self, inputs, training, rng):
        x = as_rows(inputs[0])
        y = self.workspace("y", x.shape)
        self._x_hat = self.workspace("x_hat", x.shape)
        self._inv_std = self.workspace("inv_std", (x.shape[0],))
        mean = self.workspace("mean", (x.shape[0],))
        layer_norm_fwd(x, self.params["weight"], self.params["bias"], self.spec.eps,
                       self._x_hat, mean, self._inv_std, y)
        return y.reshape(inputs[0].shape)

    def backward(self, grad_out, from_logits=False):
        g = np.ascontiguousarray(as_rows(grad_out))
        gx = self.workspace("grad_x", g.shape)
        layer_norm_bwd(g, self._x_hat, self.params["weight"], self._inv_std, gx,
                       self.grads["weight"], self.grads["bias"])
        return [gx.reshape(grad_out.shape)]

"""transformer_block: a pre-norm transformer encoder block, built from the engine's own layers.

    y1 = x + dropout(attn(norm1(x)))           attn: multi_head_attention (self, optional causal)
    y  = y1 + dropout(ff2(act(ff1(norm2(y1)))))  ff1: dense (ff_dim), ff2: dense back to E

act (gelu or relu) runs between two linear dense sub-layers through
engine/kernels/feedforward.py, which adds ff1's bias and saves the activation's slope in the
forward pass, so the backward pass is one multiply that also sums ff1's bias gradient; ff1's
product itself is dense_fwd/dense_bwd on ff1's own parameters, without the bias.

Input and output (T, E). Parameters are the sub-layers' under their prefixes, so a torch block
with modules named norm1, attn (nn.MultiheadAttention), norm2, ff1, ff2 (nn.Linear) loads by name:
norm1.weight/bias, attn.in_proj_weight/in_proj_bias/out_proj.weight/out_proj.bias, norm2.*,
ff1.weight (ff_dim, E)/bias, ff2.weight (E, ff_dim)/bias. ``dropout`` acts on the two residual
branches (torch's TransformerEncoderLayer also drops inside the feed-forward; we keep one rate
per branch so the picture stays simple). ``probe_state()`` gives the attention maps.
"""

from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.codes import ACTIVATION_CODES
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.kernels.feedforward import apply_slope, bias_activation_with_slope
from engine.layers.attention import Causal, MultiHeadAttention, MultiHeadAttentionSpec, NumHeads, attention_input_shape
from engine.layers.base import Layer
from engine.layers.dense import Dense, DenseSpec
from engine.layers.elementwise import apply_dropout, undo_dropout
from engine.layers.norm import LayerNorm, LayerNormSpec
from engine.layers.sequence import check_backward, forward_in_chunks
from engine.spec_models import MAX_WIDTH, LayerSpecBase

SUBLAYERS = ("norm1", "attn", "norm2", "ff1", "ff2")


class TransformerBlockSpec(LayerSpecBase):
    type: Literal["transformer_block"] = "transformer_block"
    num_heads: int = NumHeads
    ff_dim: int = Field(ge=1, le=MAX_WIDTH, description="Width of the hidden layer of the feed-forward part.")
    dropout: float = Field(0.0, ge=0.0, le=0.95, description="Fraction zeroed on both residual branches while "
                                                             "training.")
    activation: Literal["gelu", "relu"] = Field("gelu", description="Nonlinearity of the feed-forward part.")
    causal: bool = Causal


class TransformerBlock(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return attention_input_shape(spec, input_shapes)

    def __init__(self, spec, input_shapes, dtype=np.float32):
        super().__init__(spec, input_shapes, dtype)
        shape, width = self.input_shapes[0], self.input_shapes[0][1]
        hidden = (shape[0], spec.ff_dim)

        def sub(name, kind, **fields):  # internal specs: ids need not pass the user-facing pattern
            return kind.model_construct(id=f"{spec.id}.{name}", inputs=None, **fields)

        dense = dict(use_bias=True, init="default", dropout=0.0)
        self.sub = {
            "norm1": LayerNorm(sub("norm1", LayerNormSpec, type="layer_norm", eps=1e-5), [shape], dtype),
            "attn": MultiHeadAttention(sub("attn", MultiHeadAttentionSpec, type="multi_head_attention",
                                           num_heads=spec.num_heads, causal=spec.causal), [shape], dtype),
            "norm2": LayerNorm(sub("norm2", LayerNormSpec, type="layer_norm", eps=1e-5), [shape], dtype),
            "ff1": Dense(sub("ff1", DenseSpec, type="dense", units=spec.ff_dim, activation="linear", **dense),
                         [shape], dtype),
            "ff2": Dense(sub("ff2", DenseSpec, type="dense", units=width, activation="linear", **dense),
                         [hidden], dtype),
        }

    def param_shapes(self):
        return [(f"{name}.{p}", shape) for name in SUBLAYERS for p, shape in self.sub[name].param_shapes()]

    def regularized_params(self):
        return [f"{name}.{p}" for name in SUBLAYERS for p in self.sub[name].regularized_params()]

    def bind(self, params, grads, buffers):
        super().bind(params, grads, buffers)
        for name, layer in self.sub.items():
            prefix = name + "."
            own = lambda store: {k[len(prefix):]: v for k, v in store.items() if k.startswith(prefix)}  # noqa: E731
            layer.bind(own(params), own(grads), {})

    def init_params(self, rng):
        for name in SUBLAYERS:
            self.sub[name].init_params(rng)

    def _branch_dropout(self, holder, value, training, rng):
        if training and self.spec.dropout > 0.0:
            return apply_dropout(holder, value, self.spec.dropout, rng)
        return value

    def forward(self, inputs, training, rng):
        return forward_in_chunks(self, inputs[0], training, lambda x: self._forward_rows(x, training, rng))

    def _forward_rows(self, x, training, rng):
        s = self.sub
        self._dropped = training and self.spec.dropout > 0.0
        attended = s["attn"].forward([s["norm1"].forward([x], training, rng)], training, rng)
        mid = self.workspace("mid", x.shape)
        np.add(x, self._branch_dropout(s["attn"], attended, training, rng), out=mid)
        self._normed = s["norm2"].forward([mid], training, rng).reshape(-1, x.shape[2])
        ff1 = s["ff1"].params
        pre = self.workspace("pre", (self._normed.shape[0], self.spec.ff_dim))
        dense_fwd(self._normed, ff1["weight"], self.workspace("no_bias", (0,)), pre)  # the bias comes next
        hidden, self._slope = self.workspace("hidden", pre.shape), self.workspace("slope", pre.shape)
        bias_activation_with_slope(ACTIVATION_CODES[self.spec.activation], pre, ff1["bias"], hidden, self._slope)
        fed = s["ff2"].forward([hidden.reshape(*x.shape[:2], -1)], training, rng)
        out = self.workspace("out", x.shape)
        np.add(mid, self._branch_dropout(s["ff2"], fed, training, rng), out=out)
        return out

    def backward(self, grad_out, from_logits=False):
        check_backward(self)
        s = self.sub
        grad = np.ascontiguousarray(grad_out)
        branch = undo_dropout(s["ff2"], grad, self.spec.dropout) if self._dropped else grad
        grad_hidden = np.ascontiguousarray(s["ff2"].backward(branch)[0]).reshape(self._slope.shape)
        grad_pre = self.workspace("grad_pre", grad_hidden.shape)
        ff1, ff1_grads = s["ff1"].params, s["ff1"].grads
        apply_slope(grad_hidden, self._slope, grad_pre, ff1_grads["bias"])
        grad_normed = self.workspace("grad_normed", self._normed.shape)
        dense_bwd(self._normed, ff1["weight"], grad_pre, grad_normed, ff1_grads["weight"],
                  self.workspace("no_bias", (0,)), True)
        branch = s["norm2"].backward(grad_normed.reshape(grad.shape))[0]
        grad_mid = self.workspace("grad_mid", grad.shape)
        np.add(grad, branch, out=grad_mid)
        branch = undo_dropout(s["attn"], grad_mid, self.spec.dropout) if self._dropped else grad_mid
        branch = s["norm1"].backward(s["attn"].backward(branch)[0])[0]
        grad_x = self.workspace("grad_x", grad.shape)
        np.add(grad_mid, branch, out=grad_x)
        return [grad_x]

    def probe_state(self) -> dict:
        return self.sub["attn"].probe_state()

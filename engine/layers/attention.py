"""multi_head_attention: self-attention as torch.nn.MultiheadAttention(E, heads, batch_first=True)
called as mha(x, x, x) (with ``causal``: attn_mask = the upper triangle, no peeking ahead).

Input and output (T, E) per sample; E must divide by num_heads. Parameters as torch names them:
in_proj_weight (3E, E) xavier-uniform, in_proj_bias (3E,) zeros, out_proj.weight (E, E)
U(-1/sqrt(E), 1/sqrt(E)), out_proj.bias (E,) zeros.

Composed from tested kernels: dense_fwd (in_proj, without its bias) -> attention_fwd (adds the
bias while splitting heads, per-head softmax(q k^T / sqrt(D)) v) -> dense_fwd (out_proj); backward
runs the same three in reverse, attention_bwd giving in_proj's bias gradient. After a forward
pass ``probe_state()`` returns {"attention": (N, heads, T, T)}, row i = where query i looked.
"""

import math
from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.attention import attention_bwd, attention_fwd
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.layers.base import Layer, ShapeProblem
from engine.layers.sequence import check_backward, forward_in_chunks, sequence_shape
from engine.spec_models import LayerSpecBase

MAX_HEADS = 64


NumHeads = Field(ge=1, le=MAX_HEADS, description="Parallel attention heads; each sees features / heads dimensions.")
Causal = Field(False, description="Each step attends only to itself and earlier steps (for next-token prediction).")


class MultiHeadAttentionSpec(LayerSpecBase):
    type: Literal["multi_head_attention"] = "multi_head_attention"
    num_heads: int = NumHeads
    causal: bool = Causal


def attention_input_shape(spec, input_shapes):
    """A (T, E) sequence with E divisible by spec.num_heads, else a ShapeProblem."""
    shape = sequence_shape(spec, input_shapes)
    if shape[1] % spec.num_heads:
        raise ShapeProblem("num_heads", f"num_heads ({spec.num_heads}) must divide the feature size ({shape[1]})")
    return shape


def attention_scratch(layer, batch, steps, heads, size, backward=False):
    """The kernels' head-split copies of q, k, v (and k, v transposed) and their scratch, in
    attention_fwd's (with ``backward``: attention_bwd's) argument order after the outputs."""
    split = [layer.workspace("split_qkv", (batch, 3, heads, steps, size)),
             layer.workspace("split_kvt", (batch, 2, heads, size, steps))]
    if not backward:
        return [*split, layer.workspace("head_out", (steps, size))]
    return [layer.workspace("grad_head_out", (steps, size)), layer.workspace("grad_head", (3, steps, size)),
            layer.workspace("grad_scores", (steps, steps))]


class MultiHeadAttention(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return attention_input_shape(spec, input_shapes)

    def _width(self):
        return self.input_shapes[0][1]

    def param_shapes(self):
        e = self._width()
        return [("in_proj_weight", (3 * e, e)), ("in_proj_bias", (3 * e,)),
                ("out_proj.weight", (e, e)), ("out_proj.bias", (e,))]

    def regularized_params(self):
        return ["in_proj_weight", "out_proj.weight"]

    def init_params(self, rng):
        e = self._width()
        glorot = math.sqrt(6.0 / (e + 3 * e))
        self.params["in_proj_weight"][...] = rng.uniform(-glorot, glorot, (3 * e, e))
        self.params["in_proj_bias"][...] = 0.0
        bound = 1.0 / math.sqrt(e)
        self.params["out_proj.weight"][...] = rng.uniform(-bound, bound, (e, e))
        self.params["out_proj.bias"][...] = 0.0

    def _scratch(self, batch, steps, backward=False):
        """Scratch of the attention kernels (see engine/kernels/attention.py)."""
        heads = self.spec.num_heads
        return attention_scratch(self, batch, steps, heads, self._width() // heads, backward)

    def forward(self, inputs, training, rng):
        return forward_in_chunks(self, inputs[0], training, self._forward_rows)

    def _forward_rows(self, x):
        x = np.ascontiguousarray(x)
        batch, (steps, e) = x.shape[0], self.input_shapes[0]
        p = self.params
        self._x = x.reshape(-1, e)
        self._qkv = self.workspace("qkv", (batch, steps, 3 * e))
        no_bias = self.workspace("no_bias", (0,))  # attention_fwd adds in_proj's bias as it splits the heads
        dense_fwd(self._x, p["in_proj_weight"], no_bias, self._qkv.reshape(-1, 3 * e))
        self._probs = self.workspace("probs", (batch, self.spec.num_heads, steps, steps))
        self._ctx = self.workspace("ctx", (batch, steps, e))
        attention_fwd(self._qkv, p["in_proj_bias"], self.spec.num_heads, self.spec.causal, self._probs, self._ctx,
                      *self._scratch(batch, steps))
        out = self.workspace("out", (batch, steps, e))
        dense_fwd(self._ctx.reshape(-1, e), p["out_proj.weight"], p["out_proj.bias"], out.reshape(-1, e))
        return out

    def backward(self, grad_out, from_logits=False):
        check_backward(self)
        batch, steps, e = self._ctx.shape
        p, g = self.params, self.grads
        grad = np.ascontiguousarray(grad_out).reshape(-1, e)
        grad_ctx = self.workspace("grad_ctx", (batch, steps, e))
        dense_bwd(self._ctx.reshape(-1, e), p["out_proj.weight"], grad, grad_ctx.reshape(-1, e),
                  g["out_proj.weight"], g["out_proj.bias"], True)
        grad_qkv = self.workspace("qkv", (batch, steps, 3 * e))  # the forward's staging buffer: split_qkv holds q, k, v
        split_qkv, split_kvt, _ = self._scratch(batch, steps)  # filled by the forward pass
        attention_bwd(split_qkv, split_kvt, self._probs, grad_ctx, self.spec.causal, grad_qkv, g["in_proj_bias"],
                      *self._scratch(batch, steps, backward=True))
        need_x = self.needs_input_grad[0]
        grad_x = self.workspace("grad_x", (batch, steps, e))
        dense_bwd(self._x, p["in_proj_weight"], grad_qkv.reshape(-1, 3 * e), grad_x.reshape(-1, e),
                  g["in_proj_weight"], self.workspace("no_bias", (0,)), need_x)
        return [grad_x] if need_x else [None]

    def probe_state(self) -> dict:
        return {"attention": self._probs.copy()}

"""Token layers: embedding (torch.nn.Embedding), positional_encoding and sequence_pool.

- embedding: token ids (T,) -> vectors (T, embedding_dim); weight (num_embeddings, embedding_dim)
  drawn from N(0, 1) as torch. Ids arrive as the model's float input and must be whole numbers in
  [0, num_embeddings); anything else is a ValueError naming the layer. Ids get no gradient.
- positional_encoding: adds position information to a sequence (T, D). "sinusoidal" adds
  Vaswani et al.'s fixed table (sin on even features, cos on odd); "learned" adds a trained
  weight (max_len, D) drawn from N(0, 0.02). T must not exceed max_len.
- sequence_pool: (T, F) -> (F,) for classification heads: "mean" over time, or the "last" or
  "first" step (a [CLS]-style token). A layer, not a field, so any sequence layer can feed a head.
"""

import math
from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.embedding import embedding_bwd, embedding_fwd
from engine.layers.base import Layer, ShapeProblem, single_input_shape
from engine.layers.sequence import sequence_shape
from engine.spec_models import MAX_DIM, MAX_WIDTH, LayerSpecBase

LEARNED_POSITION_STD = 0.02


class EmbeddingSpec(LayerSpecBase):
    type: Literal["embedding"] = "embedding"
    num_embeddings: int = Field(ge=1, le=MAX_DIM, description="Vocabulary size: token ids run from 0 to this - 1.")
    embedding_dim: int = Field(ge=1, le=MAX_WIDTH, description="Length of the vector learned for every token.")


class Embedding(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        shape = single_input_shape(input_shapes)
        if len(shape) != 1:
            raise ShapeProblem("type", f"embedding needs token ids (time,) as input, got {list(shape)}")
        return (shape[0], spec.embedding_dim)

    def param_shapes(self):
        return [("weight", (self.spec.num_embeddings, self.spec.embedding_dim))]

    def regularized_params(self):
        return ["weight"]

    def init_params(self, rng):
        self.params["weight"][...] = rng.standard_normal(self.params["weight"].shape)

    def token_ids(self, x):
        flat = np.asarray(x).reshape(-1)
        ids = flat.astype(np.int64)
        if ids.size and (not np.array_equal(ids, flat) or ids.min() < 0 or ids.max() >= self.spec.num_embeddings):
            raise ValueError(f"layer {self.id!r}: token ids must be whole numbers from 0 to "
                             f"{self.spec.num_embeddings - 1} (num_embeddings)")
        return ids

    def forward(self, inputs, training, rng):
        x = inputs[0]
        self._ids = self.token_ids(x)
        out = self.workspace("out", (x.shape[0], *self.output_shape))
        embedding_fwd(self._ids, self.params["weight"], out.reshape(-1, self.spec.embedding_dim))
        return out

    def backward(self, grad_out, from_logits=False):
        grad = np.ascontiguousarray(grad_out).reshape(-1, self.spec.embedding_dim)
        embedding_bwd(self._ids, grad, self.grads["weight"])
        return [None]  # ids are not differentiable


class PositionalEncodingSpec(LayerSpecBase):
    type: Literal["positional_encoding"] = "positional_encoding"
    kind: Literal["sinusoidal", "learned"] = Field("sinusoidal", description="A fixed sine/cosine table, or "
                                                                             "one trained vector per position.")
    max_len: int = Field(512, ge=1, le=MAX_DIM, description="Longest sequence the layer accepts.")


def sinusoidal_table(steps, dim):
    """pe[t, 2i] = sin(t / 10000^(2i/dim)), pe[t, 2i+1] = cos(same angle)."""
    position = np.arange(steps, dtype=np.float64)[:, None]
    frequency = np.exp(-math.log(10000.0) * np.arange(0, dim, 2, dtype=np.float64) / dim)
    table = np.zeros((steps, dim))
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency)[:, :dim // 2]
    return table


class PositionalEncoding(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        shape = sequence_shape(spec, input_shapes)
        if shape[0] > spec.max_len:
            raise ShapeProblem("max_len", f"the sequence has {shape[0]} steps but max_len is {spec.max_len}")
        return shape

    def param_shapes(self):
        return [("weight", (self.spec.max_len, self.input_shapes[0][1]))] if self.spec.kind == "learned" else []

    def init_params(self, rng):
        if self.spec.kind == "learned":
            self.params["weight"][...] = rng.normal(0.0, LEARNED_POSITION_STD, self.params["weight"].shape)

    def _table(self):
        steps = self.input_shapes[0][0]
        if self.spec.kind == "learned":
            return self.params["weight"][:steps]
        if getattr(self, "_fixed", None) is None or self._fixed.dtype != self.dtype:
            self._fixed = sinusoidal_table(steps, self.input_shapes[0][1]).astype(self.dtype)
        return self._fixed

    def forward(self, inputs, training, rng):
        out = self.workspace("out", inputs[0].shape)
        np.add(inputs[0], self._table()[None], out=out)
        return out

    def backward(self, grad_out, from_logits=False):
        if self.spec.kind == "learned":
            steps = self.input_shapes[0][0]
            self.grads["weight"][...] = 0.0
            np.sum(grad_out, axis=0, out=self.grads["weight"][:steps])
        return [grad_out]


class SequencePoolSpec(LayerSpecBase):
    type: Literal["sequence_pool"] = "sequence_pool"
    mode: Literal["mean", "last", "first"] = Field("mean", description="Average over time, or keep only the "
                                                                        "last or first step.")


class SequencePool(Layer):
    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        return (sequence_shape(spec, input_shapes)[1],)

    def forward(self, inputs, training, rng):
        x = inputs[0]
        self._batch = x.shape[0]
        if self.spec.mode == "mean":
            return x.mean(axis=1, dtype=self.dtype)
        return np.ascontiguousarray(x[:, -1 if self.spec.mode == "last" else 0])

    def backward(self, grad_out, from_logits=False):
        steps, features = self.input_shapes[0]
        grad = self.workspace("grad_x", (self._batch, steps, features))
        if self.spec.mode == "mean":
            grad[...] = grad_out[:, None, :] / steps
        else:
            grad[...] = 0.0
            grad[:, -1 if self.spec.mode == "last" else 0] = grad_out
        return [grad]

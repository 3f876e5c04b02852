"""Helpers shared by the sequence layers (embedding, recurrent, attention, transformer).

- ``sequence_shape``: the (time, features) input check every sequence layer starts with.
- ``forward_in_chunks``: inference over a large batch, a bounded number of samples at a time.
  A recurrent layer keeps (T, N, 4H) gates and projections and attention keeps (N, heads, T, T)
  weights for backward; evaluating a validation set of thousands of sequences in one pass would
  hold hundreds of MB per layer. Training batches are bounded by the spec's batch_size instead.
"""

import numpy as np

from engine.layers.base import ShapeProblem, single_input_shape

INFERENCE_CHUNK = 256  # samples per inference pass; the probes' state covers the last chunk


def sequence_shape(spec, input_shapes):
    """The (time, features) input of a sequence layer, else a ShapeProblem naming ``type``."""
    shape = single_input_shape(input_shapes)
    if len(shape) != 2:
        hint = "; put an embedding first for token ids" if len(shape) == 1 else ""
        raise ShapeProblem("type", f"{spec.type} needs a sequence (time, features) as input, got {list(shape)}{hint}")
    return shape


def forward_in_chunks(layer, x, training, forward_rows):
    """``forward_rows(x_chunk)`` over the batch, chunked when not training and the batch is large.
    After a chunked pass the layer keeps only the last chunk's state: see ``check_backward``."""
    layer.chunked_rows = 0
    if training or x.shape[0] <= INFERENCE_CHUNK:
        return forward_rows(x)
    layer.chunked_rows = x.shape[0]
    out = layer.workspace("chunked_out", (x.shape[0], *layer.output_shape))
    for start in range(0, x.shape[0], INFERENCE_CHUNK):
        out[start:start + INFERENCE_CHUNK] = forward_rows(x[start:start + INFERENCE_CHUNK])
    return out


def check_backward(layer):
    """Backward needs the whole batch's state, which a chunked inference pass did not keep."""
    if getattr(layer, "chunked_rows", 0):
        raise ValueError(f"layer {layer.id!r}: backward after an inference pass over {layer.chunked_rows} samples; "
                         f"gradients in eval mode (saliency) take at most {INFERENCE_CHUNK} samples at a time")

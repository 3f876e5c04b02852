"""Embedding kernels: a table lookup forward, a scatter-add backward (torch.nn.Embedding).

Shapes:
    ids          (R,)    int64 token ids, already checked to lie in [0, num_embeddings)
    weight       (num_embeddings, D) float32 or float64, C-contiguous
    out          (R, D)  one row per id (R = batch * time)
    grad_out     (R, D)  -> grad_weight (num_embeddings, D), written (zeroed first), rows of
                            repeated ids summed
"""

from engine.config import njit


@njit
def embedding_fwd(ids, weight, out):
    for r in range(ids.shape[0]):
        src, dst = weight[ids[r]], out[r]
        for d in range(dst.shape[0]):
            dst[d] = src[d]


@njit
def embedding_bwd(ids, grad_out, grad_weight):
    grad_weight[:] = 0.0
    for r in range(ids.shape[0]):
        src, dst = grad_out[r], grad_weight[ids[r]]
        for d in range(dst.shape[0]):
            dst[d] += src[d]

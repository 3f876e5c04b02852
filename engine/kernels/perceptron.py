"""Rosenblatt's perceptron learning rule, online over a batch.

Shapes: x (N, in), target (N, out) in {0, 1}, weight (out, in), bias (out,) or zero-length,
all float32/float64 C-contiguous. Prediction: yhat = 1 if w.x + b > 0 else 0 (the step
activation). For each sample in order, for each output unit: w += lr (t - yhat) x; b += lr (t - yhat).
Returns the number of mistakes made during the pass (before each correction), so the trainer can
report the error rate as the "loss".
"""

from engine.config import njit
from engine.kernels.common import as_dtype_of


@njit
def perceptron_update(x, target, weight, bias, lr):
    lr = as_dtype_of(weight, lr)
    mistakes = 0
    for n in range(x.shape[0]):
        xn, tn = x[n], target[n]
        for j in range(weight.shape[0]):
            wj = weight[j]
            z = bias[j] if bias.shape[0] > 0 else 0.0
            for k in range(xn.shape[0]):
                z += wj[k] * xn[k]
            yhat = 1.0 if z > 0.0 else 0.0
            err = tn[j] - yhat
            if err != 0.0:
                mistakes += 1
                step = lr * err
                for k in range(xn.shape[0]):
                    wj[k] += step * xn[k]
                if bias.shape[0] > 0:
                    bias[j] += step
    return mistakes

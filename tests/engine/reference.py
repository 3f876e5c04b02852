"""Slow, obvious NumPy references for every engine kernel (float64, loops where clearer).

Each function states the textbook formula and nothing else; the kernels must agree with these.
"""

import math

import numpy as np

LEAKY_SLOPE = 0.01


def erf(values):
    return np.vectorize(math.erf)(values)


ACTIVATIONS = {
    "linear": lambda z: z,
    "step": lambda z: (z > 0).astype(np.float64),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))),
    "softplus": lambda z: np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20.0)))),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
}


def activation_grad(name, z, grad_a):
    """dL/dz from dL/da, by the derivative formulas."""
    a = ACTIVATIONS[name](z)
    if name == "softmax":
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))
    derivative = {
        "linear": np.ones_like(z),
        "step": np.zeros_like(z),
        "sigmoid": a * (1 - a),
        "tanh": 1 - a * a,
        "relu": (z > 0).astype(np.float64),
        "leaky_relu": np.where(z > 0, 1.0, LEAKY_SLOPE),
        "elu": np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))),
        "gelu": 0.5 * (1 + erf(z / math.sqrt(2))) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi),
        "softplus": np.where(z > 20, 1.0, 1 / (1 + np.exp(-z))),
    }[name]
    return grad_a * derivative


def dense(x, w, b):
    out = np.zeros((x.shape[0], w.shape[0]))
    for n in range(x.shape[0]):
        for j in range(w.shape[0]):
            out[n, j] = sum(x[n, k] * w[j, k] for k in range(x.shape[1])) + (b[j] if len(b) else 0.0)
    return out


def dense_grads(x, w, grad_y):
    return grad_y @ w, grad_y.T @ x, grad_y.sum(axis=0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    return ACTIVATIONS["softmax"](z)


def loss_and_grad(name, out, target=None, labels=None):
    """(mean loss, dL/d(out)) with torch's reduction='mean'."""
    if name == "cross_entropy":
        n = out.shape[0]
        logp = np.log(softmax(out))
        onehot = np.eye(out.shape[1])[labels]
        return -np.mean(logp[np.arange(n), labels]), (softmax(out) - onehot) / n
    d, count = out - target, out.size
    if name == "mse":
        return np.mean(d * d), 2 * d / count
    if name == "mae":
        return np.mean(np.abs(d)), np.sign(d) / count
    if name == "huber":
        small = np.abs(d) <= 1.0
        return np.mean(np.where(small, 0.5 * d * d, np.abs(d) - 0.5)), np.where(small, d, np.sign(d)) / count
    if name == "binary_cross_entropy":  # from logits
        p = sigmoid(out)
        return np.mean(-(target * np.log(p) + (1 - target) * np.log(1 - p))), (p - target) / count
    raise ValueError(name)


def batch_norm_train(x3, weight, bias, eps):
    mean = x3.mean(axis=(0, 2), keepdims=True)
    var = x3.var(axis=(0, 2), keepdims=True)
    x_hat = (x3 - mean) / np.sqrt(var + eps)
    return x_hat * weight[None, :, None] + bias[None, :, None], mean.ravel(), var.ravel()


def layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def adam(p, grads, lr, beta1, beta2, eps, weight_decay, decoupled):
    """A plain loop over steps of Adam/AdamW, by the paper's formulas with torch's eps placement."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p = p.astype(np.float64).copy()
    buf = None
    for g in grads:
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def rmsprop(p, grads, lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    """Hinton's RMSprop with torch's placement of eps (outside the square root)."""
    p = p.astype(np.float64).copy()
    square_avg, grad_avg, buf = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = g + weight_decay * p
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        variance = square_avg
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            variance = square_avg - grad_avg * grad_avg
        step = g / (np.sqrt(variance) + eps)
        if momentum:
            buf = momentum * buf + step
            step = buf
        p = p - lr * step
    return p


def adagrad(p, grads, lr, lr_decay, eps, weight_decay=0.0, initial_accumulator_value=0.0):
    p = p.astype(np.float64).copy()
    total = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        total = total + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(total) + eps)
    return p


def perceptron(x, target, w, b, lr):
    w, b = w.astype(np.float64).copy(), b.astype(np.float64).copy()
    mistakes = 0
    for xn, tn in zip(x, target):
        for j in range(w.shape[0]):
            yhat = 1.0 if w[j] @ xn + b[j] > 0 else 0.0
            if tn[j] != yhat:
                mistakes += 1
                w[j] += lr * (tn[j] - yhat) * xn
                b[j] += lr * (tn[j] - yhat)
    return w, b, mistakes


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of a scalar function f at float64 array x (modified in place, restored)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f()
        flat[i] = saved - eps
        down = f()
        flat[i] = saved
        gflat[i] = (up - down) / (2 * eps)
    return grad

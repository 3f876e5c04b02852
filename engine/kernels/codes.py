"""Integer codes shared by kernels, drivers and fused code (njit code cannot take strings).

Activations (``ACT_*``), losses (``LOSS_*``) and optimizers (``OPT_*``). The codes are stable:
fused kernels in engine/fused/ and cached compiled code depend on them, so append, never renumber.

    >>> ACTIVATION_CODES["tanh"] == ACT_TANH
    True
"""

ACT_LINEAR = 0
ACT_STEP = 1
ACT_SIGMOID = 2
ACT_TANH = 3
ACT_RELU = 4
ACT_LEAKY_RELU = 5
ACT_ELU = 6
ACT_GELU = 7
ACT_SOFTPLUS = 8
ACT_SOFTMAX = 9

ACTIVATION_CODES = {
    "linear": ACT_LINEAR,
    "step": ACT_STEP,
    "sigmoid": ACT_SIGMOID,
    "tanh": ACT_TANH,
    "relu": ACT_RELU,
    "leaky_relu": ACT_LEAKY_RELU,
    "elu": ACT_ELU,
    "gelu": ACT_GELU,
    "softplus": ACT_SOFTPLUS,
    "softmax": ACT_SOFTMAX,
}

LOSS_MSE = 0
LOSS_MAE = 1
LOSS_HUBER = 2
LOSS_BINARY_CROSS_ENTROPY = 3
LOSS_CROSS_ENTROPY = 4

LOSS_CODES = {
    "mse": LOSS_MSE,
    "mae": LOSS_MAE,
    "huber": LOSS_HUBER,
    "binary_cross_entropy": LOSS_BINARY_CROSS_ENTROPY,
    "cross_entropy": LOSS_CROSS_ENTROPY,
}

OPT_SGD = 0
OPT_ADAM = 1
OPT_ADAMW = 2
OPT_RMSPROP = 3
OPT_ADAGRAD = 4

OPTIMIZER_CODES = {
    "sgd": OPT_SGD,
    "adam": OPT_ADAM,
    "adamw": OPT_ADAMW,
    "rmsprop": OPT_RMSPROP,
    "adagrad": OPT_ADAGRAD,
}

# Slopes fixed to torch.nn defaults (LeakyReLU negative_slope, ELU alpha).
LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0
HUBER_DELTA = 1.0

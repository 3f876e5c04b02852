"""Optimizer kernels: one call updates a whole flat 1-D parameter buffer in place.

Shapes: ``params``, ``grads`` and every state slot are 1-D float arrays of one length ``P``
(the model's ``flat_params`` / ``flat_grads`` and the optimizer's flat state). ``grads`` is
read, never written. Every kernel returns a *finite probe*: ``sum(new_params * 0)``, which is 0.0
when every parameter is finite and NaN otherwise, so divergence is detected at no extra pass.

The update rules are exactly torch.optim's (single-tensor implementation, maximize=False,
differentiable=False), in the same order of operations:

- ``sgd_step(params, grads, buf, lr, momentum, dampening, nesterov, weight_decay, first)``
  g = grad + wd*p; if momentum: buf = g on the first step, else buf = momentum*buf + (1-dampening)*g;
  g = g + momentum*buf if nesterov else buf; p -= lr*g.
- ``adam_step(params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps,
  weight_decay, step, decoupled, amsgrad)``: Adam when ``decoupled`` is False (wd added to the
  gradient), AdamW when True (p *= 1 - lr*wd first). ``step`` counts from 1. With ``amsgrad``
  the denominator uses the running maximum of ``exp_avg_sq`` (kept in ``max_exp_avg_sq``, which
  starts at 0, as torch's), so the step size never grows back after a large gradient.
- ``rmsprop_step(params, grads, square_avg, grad_avg, buf, lr, alpha, eps, weight_decay,
  momentum, centered)``
- ``adagrad_step(params, grads, state_sum, lr, lr_decay, eps, weight_decay, step)``; torch starts
  ``state_sum`` at ``initial_accumulator_value``: the driver fills it when creating state.

Generic entry point for fused code: ``optimizer_step(code, params, grads, state, hyper, step)``
with ``code`` an ``OPT_*`` from codes.py, ``state`` a (STATE_SLOTS, P) array (slot use below),
``hyper`` a float64 array of HYPER_SIZE indexed by the ``H_*`` constants, ``step`` >= 1.

    slot 0: sgd momentum_buffer | adam exp_avg    | rmsprop square_avg | adagrad sum
    slot 1:                     | adam exp_avg_sq | rmsprop grad_avg   |
    slot 2:                     | adam max_exp_avg_sq (amsgrad) | rmsprop momentum_buffer |
"""

import math

from engine.config import njit
from engine.kernels.common import as_dtype_of
from engine.kernels.codes import OPT_ADAGRAD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_SGD

STATE_SLOTS = 3

H_LR = 0
H_WEIGHT_DECAY = 1
H_MOMENTUM = 2
H_DAMPENING = 3
H_NESTEROV = 4
H_BETA1 = 5
H_BETA2 = 6
H_EPS = 7
H_ALPHA = 8
H_CENTERED = 9
H_LR_DECAY = 10
H_AMSGRAD = 11
HYPER_SIZE = 12


@njit
def sgd_step(params, grads, buf, lr, momentum, dampening, nesterov, weight_decay, first):
    use_momentum = momentum != 0.0
    lr, wd = as_dtype_of(params, lr), as_dtype_of(params, weight_decay)
    mom, keep = as_dtype_of(params, momentum), as_dtype_of(params, 1.0 - dampening)
    zero = as_dtype_of(params, 0.0)  # typed zero: a literal 0 would promote the loop to float64
    probe = zero
    for i in range(params.shape[0]):
        g = grads[i] + wd * params[i]
        if use_momentum:
            b = g if first else mom * buf[i] + keep * g
            buf[i] = b
            g = g + mom * b if nesterov else b
        p = params[i] - lr * g
        params[i] = p
        probe += p * zero
    return probe


@njit
def adam_step(params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay, step,
              decoupled, amsgrad):
    bias_correction1 = 1.0 - beta1**step
    bias_correction2_sqrt = math.sqrt(1.0 - beta2**step)
    step_size = as_dtype_of(params, lr / bias_correction1)
    shrink = as_dtype_of(params, 1.0 - lr * weight_decay if decoupled else 1.0)
    coupled_decay = as_dtype_of(params, 0.0 if decoupled else weight_decay)
    one_minus_beta1, one_minus_beta2 = as_dtype_of(params, 1.0 - beta1), as_dtype_of(params, 1.0 - beta2)
    beta2 = as_dtype_of(params, beta2)
    bc2_sqrt, eps = as_dtype_of(params, bias_correction2_sqrt), as_dtype_of(params, eps)
    zero = as_dtype_of(params, 0.0)  # typed zero: a literal 0 would promote the loop to float64
    probe = zero
    for i in range(params.shape[0]):
        p = params[i] * shrink
        g = grads[i] + coupled_decay * p
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])  # torch: exp_avg.lerp_(g, 1 - beta1)
        v = beta2 * exp_avg_sq[i] + one_minus_beta2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:  # torch: torch.maximum(max_exp_avg_sq, exp_avg_sq), then the same denominator
            v = max(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        denom = math.sqrt(v) / bc2_sqrt + eps
        p = p - step_size * (m / denom)
        params[i] = p
        probe += p * zero
    return probe


@njit
def rmsprop_step(params, grads, square_avg, grad_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    use_momentum = momentum > 0.0
    lr, wd, eps = as_dtype_of(params, lr), as_dtype_of(params, weight_decay), as_dtype_of(params, eps)
    alpha, one_minus_alpha = as_dtype_of(params, alpha), as_dtype_of(params, 1.0 - alpha)
    momentum = as_dtype_of(params, momentum)
    zero = as_dtype_of(params, 0.0)  # typed zero: a literal 0 would promote the loop to float64
    probe = zero
    for i in range(params.shape[0]):
        g = grads[i] + wd * params[i]
        sq = alpha * square_avg[i] + one_minus_alpha * g * g
        square_avg[i] = sq
        if centered:
            ga = grad_avg[i] + one_minus_alpha * (g - grad_avg[i])  # torch: lerp_
            grad_avg[i] = ga
            avg = math.sqrt(sq - ga * ga) + eps
        else:
            avg = math.sqrt(sq) + eps
        if use_momentum:
            b = momentum * buf[i] + g / avg
            buf[i] = b
            p = params[i] - lr * b
        else:
            p = params[i] - lr * (g / avg)
        params[i] = p
        probe += p * zero
    return probe


@njit
def adagrad_step(params, grads, state_sum, lr, lr_decay, eps, weight_decay, step):
    clr = as_dtype_of(params, lr / (1.0 + (step - 1) * lr_decay))
    wd, eps = as_dtype_of(params, weight_decay), as_dtype_of(params, eps)
    zero = as_dtype_of(params, 0.0)  # typed zero: a literal 0 would promote the loop to float64
    probe = zero
    for i in range(params.shape[0]):
        g = grads[i] + wd * params[i]
        s = state_sum[i] + g * g
        state_sum[i] = s
        p = params[i] - clr * (g / (math.sqrt(s) + eps))
        params[i] = p
        probe += p * zero
    return probe


@njit
def optimizer_step(code, params, grads, state, hyper, step):
    """Dispatch on an OPT_* code; see the module docstring for the state slots and hyper layout."""
    lr = hyper[H_LR]
    wd = hyper[H_WEIGHT_DECAY]
    if code == OPT_SGD:
        return sgd_step(params, grads, state[0], lr, hyper[H_MOMENTUM], hyper[H_DAMPENING],
                        hyper[H_NESTEROV] != 0.0, wd, step == 1)
    if code == OPT_ADAM or code == OPT_ADAMW:
        return adam_step(params, grads, state[0], state[1], state[2], lr, hyper[H_BETA1], hyper[H_BETA2],
                         hyper[H_EPS], wd, step, code == OPT_ADAMW, hyper[H_AMSGRAD] != 0.0)
    if code == OPT_RMSPROP:
        return rmsprop_step(params, grads, state[0], state[1], state[2], lr, hyper[H_ALPHA],
                            hyper[H_EPS], wd, hyper[H_MOMENTUM], hyper[H_CENTERED] != 0.0)
    if code == OPT_ADAGRAD:
        return adagrad_step(params, grads, state[0], lr, hyper[H_LR_DECAY], hyper[H_EPS], wd, step)
    return math.nan  # unknown code: report as divergence rather than silently doing nothing

"""Optimizers: kernels against plain references, and 20 Trainer steps against torch.optim
(every optimizer configuration, with schedules, clipping and regularization)."""

import numpy as np
import pytest
import reference
from torch_bridge import TorchTwin

from engine import Trainer, build_model
from engine.kernels.optim import adagrad_step, adam_step, rmsprop_step, sgd_step

STEPS = 20


def test_adam_and_adamw_kernels_match_reference(rng):
    p0 = rng.standard_normal(50).astype(np.float32)
    grads = [rng.standard_normal(50).astype(np.float32) for _ in range(STEPS)]
    for decoupled in (False, True):
        p, m, v, vmax = p0.copy(), np.zeros(50, np.float32), np.zeros(50, np.float32), np.zeros(50, np.float32)
        for t, g in enumerate(grads, start=1):
            assert adam_step(p, g, m, v, vmax, 0.01, 0.9, 0.999, 1e-8, 0.05, t, decoupled, False) == 0.0
        assert not vmax.any()  # plain Adam never touches the AMSGrad slot
        np.testing.assert_allclose(p, reference.adam(p0, grads, 0.01, 0.9, 0.999, 1e-8, 0.05, decoupled), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("momentum,dampening,nesterov,wd", [(0, 0, False, 0), (0.9, 0, False, 0), (0.9, 0, True, 0.01), (0.8, 0.3, False, 0.1)])
def test_sgd_kernel_matches_reference(momentum, dampening, nesterov, wd, rng):
    p0 = rng.standard_normal(30).astype(np.float32)
    grads = [rng.standard_normal(30).astype(np.float32) for _ in range(STEPS)]
    p, buf = p0.copy(), np.zeros(30, np.float32)
    for t, g in enumerate(grads, start=1):
        sgd_step(p, g, buf, 0.05, momentum, dampening, nesterov, wd, t == 1)
    np.testing.assert_allclose(p, reference.sgd(p0, grads, 0.05, momentum, dampening, nesterov, wd), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("centered,momentum,wd", [(False, 0.0, 0.0), (True, 0.9, 0.01)])
def test_rmsprop_kernel_matches_reference(centered, momentum, wd, rng):
    p0 = rng.standard_normal(30).astype(np.float32)
    grads = [rng.standard_normal(30).astype(np.float32) for _ in range(STEPS)]
    p, sq, ga, buf = p0.copy(), np.zeros(30, np.float32), np.zeros(30, np.float32), np.zeros(30, np.float32)
    for g in grads:
        rmsprop_step(p, g, sq, ga, buf, 0.01, 0.99, 1e-8, wd, momentum, centered)
    expected = reference.rmsprop(p0, grads, 0.01, 0.99, 1e-8, wd, momentum, centered)
    np.testing.assert_allclose(p, expected, rtol=1e-5, atol=1e-5)


def test_adagrad_kernel_matches_reference(rng):
    p0 = rng.standard_normal(30).astype(np.float32)
    grads = [rng.standard_normal(30).astype(np.float32) for _ in range(STEPS)]
    p, total = p0.copy(), np.full(30, 0.1, np.float32)
    for t, g in enumerate(grads, start=1):
        adagrad_step(p, g, total, 0.1, 0.01, 1e-10, 0.01, t)
    np.testing.assert_allclose(p, reference.adagrad(p0, grads, 0.1, 0.01, 1e-10, 0.01, 0.1), rtol=1e-5, atol=1e-6)


def test_optimizer_kernel_reports_non_finite_parameters():
    p, g, m, v = np.array([1.0, np.inf], np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32)
    assert np.isnan(adam_step(p, g, m, v, v.copy(), 0.01, 0.9, 0.999, 1e-8, 0.0, 1, False, False))


CONFIGS = {
    "sgd": dict(optimizer={"type": "sgd", "lr": 0.1}),
    "sgd_momentum": dict(optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": dict(optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay_dampening": dict(optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.5, "dampening": 0.2, "weight_decay": 0.01}),
    "adam": dict(optimizer={"type": "adam", "lr": 0.01}),
    "adam_weight_decay": dict(optimizer={"type": "adam", "lr": 0.01, "betas": [0.8, 0.99], "weight_decay": 0.05}),
    "adamw": dict(optimizer={"type": "adamw", "lr": 0.01}),
    "adam_amsgrad": dict(optimizer={"type": "adam", "lr": 0.01, "amsgrad": True}),
    "adamw_amsgrad": dict(optimizer={"type": "adamw", "lr": 0.01, "amsgrad": True, "betas": [0.8, 0.9]}),
    "rmsprop": dict(optimizer={"type": "rmsprop", "lr": 0.01}),
    "rmsprop_centered_momentum": dict(optimizer={"type": "rmsprop", "lr": 0.005, "centered": True, "momentum": 0.9, "weight_decay": 0.01}),
    "adagrad": dict(optimizer={"type": "adagrad", "lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    "adam_step_schedule": dict(optimizer={"type": "adam", "lr": 0.02}, lr_schedule={"type": "step", "step_size": 5, "gamma": 0.5}),
    "sgd_cosine_schedule": dict(optimizer={"type": "sgd", "lr": 0.1, "momentum": 0.9}, lr_schedule={"type": "cosine", "T_max": 8, "eta_min": 0.01}),
    "adam_clip_norm": dict(optimizer={"type": "adam", "lr": 0.01}, grad_clip={"type": "norm", "max_norm": 0.5}),
    "sgd_clip_value": dict(optimizer={"type": "sgd", "lr": 0.1}, grad_clip={"type": "value", "clip_value": 0.05}),
    "sgd_l2": dict(optimizer={"type": "sgd", "lr": 0.1}, regularization={"type": "l2", "rate": 0.05}),
    "adam_l1_clip": dict(optimizer={"type": "adam", "lr": 0.01}, regularization={"type": "l1", "rate": 0.01},
                         grad_clip={"type": "norm", "max_norm": 1.0}),
}


def _torch_optimizer(torch, params, spec):
    o = spec.optimizer
    kw = o.model_dump(exclude={"type"})
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[o.type]
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    opt = cls(params, **kw)
    schedule = None
    if spec.lr_schedule is not None and spec.lr_schedule.type == "step":
        schedule = torch.optim.lr_scheduler.StepLR(opt, spec.lr_schedule.step_size, spec.lr_schedule.gamma)
    elif spec.lr_schedule is not None:
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, spec.lr_schedule.T_max, spec.lr_schedule.eta_min)
    return opt, schedule


def _penalty(torch, twin, spec):
    reg = spec.regularization
    if reg is None:
        return 0.0
    weights = [p for name, p in twin.net.named_parameters() if name.endswith("weight")]
    if reg.type == "l2":
        return reg.rate / 2 * sum((w * w).sum() for w in weights)
    return reg.rate * sum(w.abs().sum() for w in weights)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_twenty_trainer_steps_match_torch_optim(config, rng, torch):
    spec = {"input": {"shape": [3]}, "loss": "mse", "batch_size": 8,
            "layers": [{"id": "h1", "type": "dense", "units": 5, "activation": "tanh"},
                       {"id": "out", "type": "dense", "units": 2}], **CONFIGS[config]}
    model = build_model(spec, seed=3)
    trainer = Trainer(model, spec)
    twin = TorchTwin(torch, model)
    opt, schedule = _torch_optimizer(torch, twin.net.parameters(), trainer.spec)
    for _ in range(STEPS):
        x = rng.standard_normal((8, 3)).astype(np.float32)
        y = rng.standard_normal((8, 2)).astype(np.float32)
        ours = trainer.step(x, y)
        opt.zero_grad()
        data_loss = twin.loss(x, y)
        (data_loss + _penalty(torch, twin, trainer.spec)).backward()
        if trainer.spec.grad_clip is not None and trainer.spec.grad_clip.type == "norm":
            torch.nn.utils.clip_grad_norm_(twin.net.parameters(), trainer.spec.grad_clip.max_norm)
        elif trainer.spec.grad_clip is not None:
            torch.nn.utils.clip_grad_value_(twin.net.parameters(), trainer.spec.grad_clip.clip_value)
        opt.step()
        if schedule is not None:
            schedule.step()
        assert ours == pytest.approx(data_loss.item(), rel=1e-5, abs=1e-6)
    theirs = twin.params()
    for name, value in model.params().items():
        np.testing.assert_allclose(value, theirs[name], rtol=1e-4, atol=2e-5, err_msg=name)
    if schedule is not None:
        assert trainer.current_lr() == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9)


def test_changing_lr_keeps_optimizer_state_and_switching_optimizer_resets_it(rng):
    spec = {"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}],
            "optimizer": {"type": "adam", "lr": 0.01}}
    trainer = Trainer(build_model(spec), spec)
    x, y = rng.standard_normal((8, 2)).astype(np.float32), rng.standard_normal((8, 1)).astype(np.float32)
    trainer.step(x, y)
    moments = trainer.optimizer.state.copy()
    trainer.set_hyper({"optimizer": {"lr": 0.001}})
    assert trainer.spec.optimizer.type == "adam" and trainer.spec.optimizer.lr == 0.001
    np.testing.assert_array_equal(trainer.optimizer.state, moments)
    assert trainer.optimizer.steps == 1
    trainer.set_hyper({"optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}})
    assert trainer.optimizer.steps == 0 and not trainer.optimizer.state.any()
    trainer.step(x, y)


@pytest.mark.parametrize("decoupled", [False, True])
def test_amsgrad_kernel_matches_torch_adam_amsgrad(decoupled, rng, torch):
    # Large gradients first, then small ones: the running maximum of the second moment then
    # differs from the second moment itself, which is the whole point of AMSGrad.
    p0 = rng.standard_normal(40).astype(np.float32)
    grads = [(5.0 if t < 5 else 0.1) * rng.standard_normal(40).astype(np.float32) for t in range(STEPS)]
    p, m, v, vmax = p0.copy(), np.zeros(40, np.float32), np.zeros(40, np.float32), np.zeros(40, np.float32)
    plain, pm, pv = p0.copy(), np.zeros(40, np.float32), np.zeros(40, np.float32)
    theirs = torch.nn.Parameter(torch.tensor(p0))
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([theirs], lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.05, amsgrad=True)
    for t, g in enumerate(grads, start=1):
        assert adam_step(p, g, m, v, vmax, 0.01, 0.9, 0.99, 1e-8, 0.05, t, decoupled, True) == 0.0
        adam_step(plain, g, pm, pv, np.zeros(40, np.float32), 0.01, 0.9, 0.99, 1e-8, 0.05, t, decoupled, False)
        theirs.grad = torch.tensor(g)
        opt.step()
    state = opt.state[theirs]
    np.testing.assert_allclose(vmax, state["max_exp_avg_sq"].numpy(), rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(p, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(p - plain).max() > 1e-3  # AMSGrad really took other steps than plain Adam


def test_amsgrad_is_a_catalog_field_of_adam_and_adamw():
    from engine.registry import catalog
    optimizers = {entry["name"]: entry for entry in catalog()["optimizers"]}
    for name in ("adam", "adamw"):
        field = next(f for f in optimizers[name]["fields"] if f["name"] == "amsgrad")
        assert field["type"] == "boolean" and field["default"] is False and field["description"]
    assert all(f["name"] != "amsgrad" for f in optimizers["sgd"]["fields"])


def test_amsgrad_in_the_fused_k_step_loop_matches_one_step_at_a_time(rng):
    # Trainer.train runs K steps inside one compiled call; Trainer.step one at a time: the
    # AMSGrad maximum must be carried the same way by both.
    spec = {"input": {"shape": [2]}, "loss": "mse", "batch_size": 10,
            "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
                       {"id": "out", "type": "dense", "units": 1}],
            "optimizer": {"type": "adam", "lr": 0.05, "amsgrad": True}}
    x = rng.standard_normal((10, 2)).astype(np.float32)
    y = rng.standard_normal((10, 1)).astype(np.float32)
    fused, single = Trainer(build_model(spec, seed=1), spec), Trainer(build_model(spec, seed=1), spec)
    assert fused.fused is not None
    fused.train(x, y, steps=30)
    for _ in range(30):
        single.step(x, y)
    np.testing.assert_allclose(fused.model.flat_params, single.model.flat_params, rtol=1e-5, atol=1e-6)
    assert fused.optimizer.state[2].any()  # the maximum was kept

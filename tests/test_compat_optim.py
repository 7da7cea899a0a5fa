"""Optimisers and learning-rate schedulers against PyTorch: param_groups, RMSprop, AdamW, SGD's nesterov and
dampening, Adam's amsgrad, StepLR, MultiStepLR, ExponentialLR and LambdaLR. Each runs the same training loop on
both libraries from the same weights; losses, learning rates and final weights must agree step for step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 3)).astype(np.float32), rng.standard_normal((16, 2)).astype(np.float32)


def _model(m):
    return m.nn.Sequential(m.nn.Linear(3, 8), m.nn.Tanh(), m.nn.Linear(8, 2))


def _groups(m, model):
    """Two param groups: the first layer with the optimiser's defaults, the last with its own lr."""
    return [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.003}]


OPTIMISERS = {
    "rmsprop_defaults": lambda m, model: m.optim.RMSprop(model.parameters()),
    "rmsprop_lr_alpha": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.005, alpha=0.9),
    "rmsprop_momentum": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.003, momentum=0.9),
    "rmsprop_centered": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.003, centered=True),
    "rmsprop_everything": lambda m, model: m.optim.RMSprop(
        model.parameters(), lr=0.003, momentum=0.5, centered=True, weight_decay=0.01, eps=1e-6
    ),
    "adamw_defaults": lambda m, model: m.optim.AdamW(model.parameters()),
    "adamw_lr_wd": lambda m, model: m.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1),
    "adamw_amsgrad": lambda m, model: m.optim.AdamW(model.parameters(), lr=0.01, amsgrad=True),
    "adam_amsgrad": lambda m, model: m.optim.Adam(model.parameters(), lr=0.01, amsgrad=True),
    "sgd_nesterov": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True),
    "sgd_dampening": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, dampening=0.3),
    "sgd_maximize": lambda m, model: m.optim.SGD(model.parameters(), lr=0.01, maximize=True),
    "sgd_groups": lambda m, model: m.optim.SGD(_groups(m, model), lr=0.1, momentum=0.5),
    "adam_groups": lambda m, model: m.optim.Adam(_groups(m, model), lr=0.01),
    "rmsprop_groups": lambda m, model: m.optim.RMSprop(_groups(m, model), lr=0.001, momentum=0.3),
}

SCHEDULERS = {
    "none": None,
    "step": lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5),
    "multistep": lambda m, opt: m.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 7, 7], gamma=0.3),
    "exponential": lambda m, opt: m.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "lambda": lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1.0 / (1 + epoch)),
    "lambda_per_group": lambda m, opt: m.optim.lr_scheduler.LambdaLR(
        opt, [lambda e: 0.9**e, lambda e: min(1.0, (e + 1) / 4)]
    ),
}


def _run(m, model, make_opt, make_sched, epochs=12, manual_lr=None):
    x, y = _data()
    opt = make_opt(m, model)
    sched = make_sched(m, opt) if make_sched else None
    losses, lrs = [], []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = m.nn.functional.mse_loss(model(m.tensor(x)), m.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if sched is not None:
            sched.step()
            lrs.append(list(sched.get_last_lr()))
        if manual_lr is not None and epoch == 5:
            for group in opt.param_groups:
                group["lr"] = manual_lr
        lrs.append([group["lr"] for group in opt.param_groups])
    return losses, lrs


def _compare(make_opt, make_sched=None, **kwargs):
    ours, theirs = _model(ag), _model(torch)
    ours.load_state_dict(theirs.state_dict())
    la, ra = _run(ag, ours, make_opt, make_sched, **kwargs)
    lt, rt = _run(torch, theirs, make_opt, make_sched, **kwargs)
    np.testing.assert_allclose(ra, rt, rtol=1e-12, err_msg="learning rates")
    np.testing.assert_allclose(la, lt, rtol=2e-4, atol=1e-6, err_msg="losses")
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.dtype == ag.float32
        np.testing.assert_allclose(as_numpy(p), as_numpy(tp), rtol=2e-4, atol=1e-5, err_msg=name)
    return la


@pytest.mark.parametrize("opt_name", OPTIMISERS)
def test_optimiser_trajectory_matches_torch(opt_name):
    losses = _compare(OPTIMISERS[opt_name])
    if opt_name != "sgd_maximize":
        assert losses[-1] < losses[0]


@pytest.mark.parametrize("sched_name", [s for s in SCHEDULERS if s != "lambda_per_group"])
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_scheduler_trajectory_matches_torch(opt_name, sched_name):
    make_opt = {
        "sgd": lambda m, model: m.optim.SGD(model.parameters(), lr=0.1, momentum=0.5),
        "adam": lambda m, model: m.optim.Adam(model.parameters(), lr=0.02),
    }[opt_name]
    _compare(make_opt, SCHEDULERS[sched_name])


@pytest.mark.parametrize("sched_name", SCHEDULERS)
def test_schedulers_with_two_param_groups_match_torch(sched_name):
    _compare(lambda m, model: m.optim.SGD(_groups(m, model), lr=0.1), SCHEDULERS[sched_name])


@pytest.mark.parametrize("sched_name", ["none", "step", "exponential"])
def test_changing_group_lr_by_hand_changes_the_steps_as_in_torch(sched_name):
    _compare(lambda m, model: m.optim.Adam(model.parameters(), lr=0.01), SCHEDULERS[sched_name], manual_lr=0.05)


@pytest.mark.parametrize("m", LIBS)
def test_param_groups_hold_params_and_defaults(m):
    model = _model(m)
    opt = m.optim.SGD(_groups(m, model), lr=0.1, momentum=0.9)
    assert isinstance(opt.param_groups, list) and len(opt.param_groups) == 2
    g0, g1 = opt.param_groups
    assert g0["lr"] == 0.1 and g1["lr"] == 0.003 and g0["momentum"] == g1["momentum"] == 0.9
    assert [id(p) for p in g0["params"]] == [id(p) for p in model[0].parameters()]
    assert isinstance(g0["params"], list)
    opt.add_param_group({"params": [m.nn.Parameter(m.zeros(2))], "lr": 1.0})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["momentum"] == 0.9
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": model[2].parameters()})
    for name in ("adam", "adamw", "rmsprop"):
        cls = {"adam": m.optim.Adam, "adamw": m.optim.AdamW, "rmsprop": m.optim.RMSprop}[name]
        group = cls(model.parameters()).param_groups[0]
        assert group["lr"] == {"adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-2}[name]
    assert m.optim.AdamW(model.parameters()).param_groups[0]["weight_decay"] == 0.01
    assert m.optim.RMSprop(model.parameters()).param_groups[0]["alpha"] == 0.99


def test_param_group_keys_are_torchs():
    for name in ("SGD", "Adam", "AdamW", "RMSprop"):
        ours = getattr(ag.optim, name)([ag.nn.Parameter(ag.ones(1))], lr=0.1).param_groups[0]
        theirs = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], lr=0.1).param_groups[0]
        assert set(ours) <= set(theirs), name
        for key in ours:
            if key != "params":
                assert ours[key] == theirs[key], (name, key)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m, ps: m.optim.SGD(ps, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (lambda m, ps: m.optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero"),
        (lambda m, ps: m.optim.Adam(ps, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda m, ps: m.optim.Adam(ps, eps=-1), "Invalid epsilon value: -1"),
        (lambda m, ps: m.optim.AdamW(ps, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda m, ps: m.optim.RMSprop(ps, alpha=-1), "Invalid alpha value: -1"),
        (lambda m, ps: m.optim.RMSprop(ps, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda m, ps: m.optim.SGD([{"params": ps}, {"params": ps}], lr=0.1), "more than one parameter group"),
    ],
)
@pytest.mark.parametrize("m", LIBS)
def test_optimisers_refuse_bad_hyperparameters_with_torch_messages(m, make, message):
    with pytest.raises(ValueError, match=message):
        make(m, [m.nn.Parameter(m.ones(2))])


@pytest.mark.parametrize("m", LIBS)
def test_schedulers_refuse_what_is_not_an_optimiser_and_record_initial_lr(m):
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        m.optim.lr_scheduler.StepLR(5, 1)
    opt = m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.2)
    sched = m.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 0.2 and sched.base_lrs == [0.2] and sched.last_epoch == 0
    assert sched.get_last_lr() == [0.2]
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])


@pytest.mark.parametrize("m", LIBS)
def test_step_with_a_closure_returns_its_loss(m):
    w = m.nn.Parameter(m.tensor([1.0, -2.0]))
    opt = m.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 5.0
    np.testing.assert_allclose(as_numpy(w), [0.8, -1.6], rtol=1e-6)


def test_optimizer_repr_lists_each_group_like_torch():
    text = repr(ag.optim.SGD([ag.nn.Parameter(ag.ones(1))], lr=0.1))
    want = repr(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1))
    ours_lines = text.splitlines()
    assert ours_lines[:2] == ["SGD (", "Parameter Group 0"] and ours_lines[-1] == ")"
    assert set(ours_lines) <= set(want.splitlines())

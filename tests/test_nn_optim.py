"""nn and optim against PyTorch: the same initial weights give the same losses, step for step."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mini_autograd as ag
from mini_autograd import nn


def test_linear_shapes_and_initialisation_bounds():
    ag.manual_seed(0)
    layer = nn.Linear(16, 4)
    assert layer.weight.shape == (4, 16) and layer.bias.shape == (4,)
    bound = 1 / math.sqrt(16)
    assert np.all(np.abs(layer.weight.data) <= bound) and np.all(np.abs(layer.bias.data) <= bound)
    assert layer.weight.data.std() > bound / 3  # spread over the range, not all zeros
    assert layer.weight.requires_grad and layer.weight.is_leaf and layer.weight.dtype == ag.float32


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 5)
        self.act = nn.Tanh()
        self.out = nn.Linear(5, 2)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


class TorchTwoLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(3, 5)
        self.act = torch.nn.Tanh()
        self.out = torch.nn.Linear(5, 2)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


def test_registration_and_names_match_torch():
    ours, theirs = TwoLayer(), TorchTwoLayer()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    seq, tseq = (
        nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
        torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)),
    )
    assert [n for n, _ in seq.named_parameters()] == [n for n, _ in tseq.named_parameters()]
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU) and seq[2].out_features == 1
    assert len(list(seq.parameters())) == 4


def test_reassigning_an_attribute_unregisters_it_and_train_eval_flags():
    m = TwoLayer()
    m.out = None
    assert [n for n, _ in m.named_parameters()] == ["hidden.weight", "hidden.bias"]
    m.eval()
    assert not m.training and not m.hidden.training
    m.train()
    assert m.training and m.hidden.training


def test_zero_grad_clears_every_parameter():
    m = TwoLayer()
    m(ag.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y_reg = rng.standard_normal((16, 2)).astype(np.float32)
    y_cls = rng.integers(0, 2, 16)
    return x, y_reg, y_cls


OPTIMISERS = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_weight_decay": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.5, weight_decay=0.01),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "adam_weight_decay": lambda lib, p: lib.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.05),
}


@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
@pytest.mark.parametrize("opt_name", OPTIMISERS)
def test_training_trajectory_matches_torch(opt_name, loss_name):
    x, y_reg, y_cls = _data()
    ours, theirs = TwoLayer(), TorchTwoLayer()
    ours.load_state_dict(theirs.state_dict())  # accepts torch tensors
    opt, topt = OPTIMISERS[opt_name](ag, ours.parameters()), OPTIMISERS[opt_name](torch, theirs.parameters())
    if loss_name == "mse":
        loss_fn, tloss_fn = nn.MSELoss(), torch.nn.MSELoss()
        target, ttarget = ag.tensor(y_reg), torch.tensor(y_reg)
    else:
        loss_fn, tloss_fn = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
        target, ttarget = ag.tensor(y_cls), torch.tensor(y_cls)
    losses, tlosses = [], []
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn(ours(ag.tensor(x)), target)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = tloss_fn(theirs(torch.tensor(x)), ttarget)
        tloss.backward()
        topt.step()
        losses.append(loss.item())
        tlosses.append(tloss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=1e-4, atol=1e-5)
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
    assert losses[-1] < losses[0]


def test_optimiser_rejects_empty_or_frozen_parameters():
    with pytest.raises(ValueError, match="empty"):
        ag.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="requires grad"):
        ag.optim.SGD([ag.tensor(1.0)], lr=0.1)


def test_load_state_dict_checks_names_and_shapes():
    m = TwoLayer()
    with pytest.raises(KeyError, match="missing"):
        m.load_state_dict({"hidden.weight": np.zeros((5, 3))})
    state = m.state_dict()
    state["out.bias"] = np.zeros(3)
    with pytest.raises(RuntimeError, match="out.bias"):
        m.load_state_dict(state)

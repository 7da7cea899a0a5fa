"""nn and optim against PyTorch: layers, registration and names, losses, and whole training runs that start from the
same weights and stay together step for step."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mini_autograd as ag

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


# ---------------------------------------------------------------------------------------------------- Linear


@pytest.mark.parametrize("m", LIBS)
def test_linear_weight_is_out_by_in_and_a_leaf_parameter(m):
    layer = m.nn.Linear(16, 4)
    assert tuple(layer.weight.shape) == (4, 16) and tuple(layer.bias.shape) == (4,)
    for p in (layer.weight, layer.bias):
        assert isinstance(p, m.nn.Parameter) and p.requires_grad and p.is_leaf and p.grad is None
        assert repr(p.dtype).endswith("float32")
    no_bias = m.nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]


@pytest.mark.parametrize("m", LIBS)
def test_linear_initialisation_is_uniform_within_one_over_sqrt_in_features(m):
    m.manual_seed(0)
    layer = m.nn.Linear(100, 60)
    bound = 1 / math.sqrt(100)
    w, b = as_numpy(layer.weight), as_numpy(layer.bias)
    assert np.all(np.abs(w) <= bound) and np.all(np.abs(b) <= bound)
    # 6000 uniform draws fill the range: the extremes are near the bounds and the spread is bound / sqrt(3)
    assert w.max() > 0.99 * bound and w.min() < -0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert abs(w.mean()) < 0.05 * bound
    assert b.max() > 0.5 * bound and b.min() < -0.5 * bound
    # and a different layer gets different numbers
    assert not np.array_equal(as_numpy(m.nn.Linear(100, 60).weight), w)


@pytest.mark.parametrize(
    "shape",
    [pytest.param((5, 3), id="batch"), pytest.param((3,), id="one_sample"), pytest.param((2, 4, 3), id="batch_3d")],
)
def test_linear_forward_and_backward_match_torch(shape):
    theirs = torch.nn.Linear(3, 2)
    ours = ag.nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yt = ours(xa), theirs(xt)
    np.testing.assert_allclose(as_numpy(ya), as_numpy(yt), rtol=1e-6, atol=1e-6)
    (ya * ya).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(as_numpy(xa.grad), as_numpy(xt.grad), rtol=1e-5, atol=1e-6)
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(as_numpy(p.grad), as_numpy(tp.grad), rtol=1e-5, atol=1e-6, err_msg=name)


# -------------------------------------------------------------------------------------- modules and names


def make_custom(m):
    """A custom Module with a nested Sequential, a direct Parameter assigned last and a plain tensor attribute."""

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.Tanh())
            self.head = m.nn.Linear(3, 1)
            self.scale = m.nn.Parameter(m.ones(1))
            self.offset = m.tensor([0.5])  # a plain tensor: not a parameter

        def forward(self, x):
            return self.head(self.body(x)) * self.scale + self.offset

    return Net()


def make_shared(m):
    """The same Linear used twice: its parameters are listed once."""

    class Shared(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = m.nn.Linear(2, 2)
            self.second = self.first

        def forward(self, x):
            return self.second(self.first(x))

    return Shared()


MODELS = {
    "sequential": lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1)),
    "nested_sequential": lambda m: m.nn.Sequential(
        m.nn.Sequential(m.nn.Linear(2, 2), m.nn.Sigmoid()), m.nn.Linear(2, 1)
    ),
    "custom_module": make_custom,
    "shared_submodule": make_shared,
    "single_linear": lambda m: m.nn.Linear(4, 2),
}


@pytest.mark.parametrize("name", MODELS)
def test_named_parameters_and_shapes_as_in_torch(name):
    ours, theirs = MODELS[name](ag), MODELS[name](torch)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    assert [id(p) for p in ours.parameters()] == [id(p) for _, p in ours.named_parameters()]


@pytest.mark.parametrize("name", MODELS)
def test_state_dict_keys_as_in_torch(name):
    # PyTorch's state_dict lists a shared parameter under every name it is reachable by (named_parameters once)
    ours, theirs = MODELS[name](ag), MODELS[name](torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    state = ours.state_dict()
    params = dict(ours.named_parameters())
    for k, v in state.items():  # tensors sharing the parameters' storage, cut off from the graph, as PyTorch's
        assert isinstance(v, ag.Tensor) and not v.requires_grad
        assert v.data_ptr() == params[k].data_ptr() if k in params else True
    ours.load_state_dict(state)  # a round trip


@pytest.mark.parametrize("name", MODELS)
def test_a_model_loaded_from_torch_computes_what_torch_computes(name):
    ours, theirs = MODELS[name](ag), MODELS[name](torch)
    ours.load_state_dict(theirs.state_dict())  # accepts torch tensors
    x = np.random.default_rng(2).standard_normal((4, 2 if name != "single_linear" else 4)).astype(np.float32)
    np.testing.assert_allclose(as_numpy(ours(ag.tensor(x))), as_numpy(theirs(torch.tensor(x))), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_module_repr_matches_torch(name):
    ours, theirs = repr(MODELS[name](ag)), repr(MODELS[name](torch))
    assert ours == theirs, f"\nours:\n{ours}\ntorch:\n{theirs}"


@pytest.mark.parametrize("m", LIBS)
def test_attribute_assignment_registers_and_unregisters(m):
    net = make_custom(m)
    assert [n for n, _ in net.named_parameters()][:1] == ["scale"]
    net.extra = m.nn.Parameter(m.zeros(2))
    assert "extra" in dict(net.named_parameters())
    net.head = m.nn.Linear(3, 5)  # replacing a sub-module replaces its parameters
    assert tuple(dict(net.named_parameters())["head.weight"].shape) == (5, 3)
    net.head = None
    assert not any(n.startswith("head.") for n, _ in net.named_parameters())
    del net.extra
    assert "extra" not in dict(net.named_parameters())


@pytest.mark.parametrize("m", LIBS)
def test_assigning_before_super_init_raises_attribute_error(m):
    class Forgot(m.nn.Module):
        def __init__(self):
            self.layer = m.nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Forgot()


@pytest.mark.parametrize("m", LIBS)
def test_zero_grad_sets_every_gradient_to_none(m):
    net = make_custom(m)
    net(m.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("m", LIBS)
def test_train_and_eval_flags_reach_every_submodule(m):
    net = make_custom(m)
    modules = [net, net.body, net.body[0], net.body[1], net.head]
    assert all(mod.training for mod in modules)
    assert net.eval() is net
    assert not any(mod.training for mod in modules)
    assert net.train() is net
    assert all(mod.training for mod in modules)
    net.train(False)
    assert not any(mod.training for mod in modules)


@pytest.mark.parametrize("m", LIBS)
def test_sequential_indexing_length_and_iteration(m):
    first, act, last = m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1)
    seq = m.nn.Sequential(first, act, last)
    assert len(seq) == 3
    assert seq[0] is first and seq[1] is act and seq[-1] is last and seq[2] is last
    assert list(seq) == [first, act, last]
    tail = seq[1:]
    assert isinstance(tail, m.nn.Sequential) and len(tail) == 2 and tail[0] is act and tail[1] is last
    with pytest.raises(IndexError):
        seq[3]
    x = m.ones(4, 2)
    assert seq(x).tolist() == last(act(first(x))).tolist()


# ---------------------------------------------------------------------------------------------------- losses


def _loss_inputs(kind: str):
    rng = np.random.default_rng(3)
    logits = (rng.standard_normal((6, 4)) * 3).astype(np.float32)
    if kind == "mse":
        return logits, rng.standard_normal((6, 4)).astype(np.float32)
    return logits, rng.integers(0, 4, 6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("form", ["module", "functional"])
def test_mse_loss_value_and_gradients_match_torch(form, reduction):
    x, y = _loss_inputs("mse")
    results = []
    for m in (ag, torch):
        a, b = m.tensor(x, requires_grad=True), m.tensor(y, requires_grad=True)
        if form == "module":
            loss = m.nn.MSELoss(reduction=reduction)(a, b)
        else:
            loss = m.nn.functional.mse_loss(a, b, reduction=reduction)
        weights = m.tensor(np.linspace(0.5, 2.0, loss.numel()).reshape(tuple(loss.shape)).astype(np.float32))
        (loss * weights).sum().backward()
        results.append((as_numpy(loss), as_numpy(a.grad), as_numpy(b.grad), loss.grad_fn.name()))
    for ours, theirs in zip(*results):
        if isinstance(ours, str):
            assert ours == theirs
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scale", [1.0, 1000.0], ids=["ordinary_logits", "huge_logits"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("form", ["module", "functional"])
def test_cross_entropy_value_and_gradient_match_torch(form, reduction, scale):
    x, y = _loss_inputs("cross_entropy")
    x = (x * scale).astype(np.float32)
    results = []
    for m in (ag, torch):
        logits, target = m.tensor(x, requires_grad=True), m.tensor(y)
        if form == "module":
            loss = m.nn.CrossEntropyLoss(reduction=reduction)(logits, target)
        else:
            loss = m.nn.functional.cross_entropy(logits, target, reduction=reduction)
        weights = m.tensor(np.linspace(0.5, 2.0, loss.numel()).reshape(tuple(loss.shape)).astype(np.float32))
        (loss * weights).sum().backward()
        results.append((as_numpy(loss), as_numpy(logits.grad)))
    (loss, grad), (tloss, tgrad) = results
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(loss, tloss, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad, tgrad, rtol=1e-5, atol=1e-6)


# -------------------------------------------------------------------------------------------------- optimisers


@pytest.mark.parametrize("m", LIBS)
def test_optimiser_zero_grad_and_step_skip_parameters_without_gradient(m):
    a, b = m.nn.Parameter(m.tensor([1.0, 2.0])), m.nn.Parameter(m.tensor([3.0]))
    opt = m.optim.SGD([a, b], lr=0.5, momentum=0.9)
    (a * a).sum().backward()  # b gets no gradient
    opt.step()
    assert a.tolist() == [0.0, 0.0] and b.tolist() == [3.0] and b.grad is None
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


@pytest.mark.parametrize("m", LIBS)
def test_optimisers_refuse_bad_arguments(m):
    with pytest.raises(ValueError):
        m.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        m.optim.SGD([m.nn.Parameter(m.ones(1))], lr=-1.0)


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y_reg = rng.standard_normal((16, 2)).astype(np.float32)
    y_cls = rng.integers(0, 2, 16)
    return x, y_reg, y_cls


def _model(m):
    return m.nn.Sequential(m.nn.Linear(3, 8), m.nn.Tanh(), m.nn.Linear(8, 2))


OPTIMISERS = {
    "sgd": lambda m, p: m.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda m, p: m.optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_weight_decay": lambda m, p: m.optim.SGD(p, lr=0.1, weight_decay=0.01),
    "sgd_momentum_weight_decay": lambda m, p: m.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
    "adam_defaults": lambda m, p: m.optim.Adam(p),
    "adam_lr": lambda m, p: m.optim.Adam(p, lr=0.01),
    "adam_weight_decay": lambda m, p: m.optim.Adam(p, lr=0.01, weight_decay=0.01),
    "adam_betas_eps": lambda m, p: m.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
}


@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
@pytest.mark.parametrize("opt_name", OPTIMISERS)
def test_training_trajectory_matches_torch(opt_name, loss_name):
    x, y_reg, y_cls = _data()
    ours, theirs = _model(ag), _model(torch)
    ours.load_state_dict(theirs.state_dict())
    runs = {}
    for m, model in ((ag, ours), (torch, theirs)):
        opt = OPTIMISERS[opt_name](m, model.parameters())
        if loss_name == "mse":
            loss_fn, target = m.nn.MSELoss(), m.tensor(y_reg)
        else:
            loss_fn, target = m.nn.CrossEntropyLoss(), m.tensor(y_cls)
        inputs = m.tensor(x)
        losses = []
        for _ in range(30):
            opt.zero_grad()
            loss = loss_fn(model(inputs), target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[m.__name__] = losses
    np.testing.assert_allclose(runs["mini_autograd"], runs["torch"], rtol=1e-4, atol=1e-5)
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.dtype == ag.float32, f"{name} left float32"
        np.testing.assert_allclose(as_numpy(p), as_numpy(tp), rtol=1e-4, atol=1e-5, err_msg=name)
    assert runs["mini_autograd"][-1] < runs["mini_autograd"][0], "the loss did not go down"


def test_a_training_loop_written_for_torch_runs_unchanged():
    # the loop body of a typical lesson, with the module passed in as `torch`
    code = """
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
model.load_state_dict(state)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = torch.nn.MSELoss()
X, y = torch.tensor(x_data), torch.tensor(y_data)
history = []
for epoch in range(20):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        history.append(loss.item())
"""
    rng = np.random.default_rng(4)
    x_data = rng.standard_normal((10, 3)).astype(np.float32)
    y_data = rng.standard_normal((10, 1)).astype(np.float32)
    state = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).state_dict()
    histories = []
    for m in (ag, torch):
        scope = {"torch": m, "state": state, "x_data": x_data, "y_data": y_data}
        exec(code, scope)
        histories.append(scope["history"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-4, atol=1e-5)


def test_load_state_dict_checks_names_and_shapes():
    net = _model(ag)
    with pytest.raises(KeyError, match="missing"):
        net.load_state_dict({"0.weight": np.zeros((8, 3), dtype=np.float32)})
    state = net.state_dict()
    state["2.bias"] = np.zeros(3, dtype=np.float32)
    with pytest.raises(RuntimeError, match="2.bias"):
        net.load_state_dict(state)

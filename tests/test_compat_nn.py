"""nn beyond Linear against PyTorch: Softmax, Flatten, Dropout, ModuleList, Embedding, LeakyReLU, the binary
cross-entropy losses and their functional forms, one_hot, nn.init, nn.utils.clip_grad_norm_, Module.to and
Module.apply. Values and gradients are compared with the same lambda on both libraries; the new differentiable ops
also go through ``mini_autograd.testing.gradcheck``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mini_autograd as ag
from mini_autograd.testing import gradcheck

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


def same_repr(ours, theirs) -> None:
    assert repr(ours) == repr(theirs).replace("torch.", "mini_autograd.")


RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 3))
X_NONZERO = RNG.uniform(0.3, 2.0, (4, 3)) * RNG.choice([-1.0, 1.0], (4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
T = RNG.integers(0, 2, (4, 3)).astype(np.float64)
T_SOFT = RNG.uniform(0, 1, (4, 3))
W = RNG.uniform(0.5, 2.0, (4, 3))

# id: (fn(m, *leaves), inputs: the arrays that become leaves requiring grad)
CASES = {
    "leaky_relu": (lambda m, x: m.nn.functional.leaky_relu(x), [X_NONZERO]),
    "leaky_relu_slope": (lambda m, x: m.nn.functional.leaky_relu(x, 0.2), [X_NONZERO]),
    "LeakyReLU": (lambda m, x: m.nn.LeakyReLU(0.1)(x), [X_NONZERO]),
    "Softmax_dim1": (lambda m, x: m.nn.Softmax(dim=1)(x), [X]),
    "Softmax_dim0": (lambda m, x: m.nn.Softmax(0)(x), [X]),
    "Flatten": (lambda m, x: m.nn.Flatten()(x.reshape(2, 2, 3)), [X]),
    "Flatten_0": (lambda m, x: m.nn.Flatten(0)(x.reshape(2, 2, 3)), [X]),
    "bce": (lambda m, p, t: m.nn.functional.binary_cross_entropy(p, t), [P, T_SOFT]),
    "bce_hard_target": (lambda m, p: m.nn.functional.binary_cross_entropy(p, m.tensor(T)), [P]),
    "bce_sum": (lambda m, p, t: m.nn.functional.binary_cross_entropy(p, t, reduction="sum"), [P, T_SOFT]),
    "bce_none": (lambda m, p, t: m.nn.functional.binary_cross_entropy(p, t, reduction="none"), [P, T_SOFT]),
    "bce_weight": (lambda m, p, t: m.nn.functional.binary_cross_entropy(p, t, weight=m.tensor(W)), [P, T_SOFT]),
    "BCELoss_of_sigmoid": (lambda m, x: m.nn.BCELoss()(m.sigmoid(x), m.tensor(T)), [X]),
    "bce_logits": (lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, t), [X, T_SOFT]),
    "bce_logits_sum": (
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="sum"),
        [X * 10, T_SOFT],
    ),
    "bce_logits_none": (
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none"),
        [X, T_SOFT],
    ),
    "bce_logits_pos_weight": (
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(
            x, t, pos_weight=m.tensor([1.0, 2.0, 3.0], dtype=m.float64)
        ),
        [X, T_SOFT],
    ),
    "bce_logits_weight": (
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, t, weight=m.tensor(W)),
        [X, T_SOFT],
    ),
    "BCEWithLogitsLoss": (lambda m, x: m.nn.BCEWithLogitsLoss()(x, m.tensor(T)), [X]),
    "BCEWithLogitsLoss_pos_weight": (
        lambda m, x: m.nn.BCEWithLogitsLoss(pos_weight=m.tensor([3.0], dtype=m.float64))(x, m.tensor(T)),
        [X],
    ),
    "dropout_eval": (lambda m, x: m.nn.functional.dropout(x, 0.5, training=False) * 2, [X]),
    "dropout_p0": (lambda m, x: m.nn.functional.dropout(x, 0.0) * 2, [X]),
    "dropout_p1": (lambda m, x: m.nn.functional.dropout(x, 1.0) + x, [X]),
}


@pytest.mark.parametrize("case_id", CASES)
def test_matches_torch(case_id):
    fn, arrays = CASES[case_id]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = fn(ag, *ours), fn(torch, *theirs)
    assert out.shape == tuple(tout.shape) and out.dtype == ag.float64
    assert (out.grad_fn.name() if out.grad_fn else None) == (tout.grad_fn.name() if tout.grad_fn else None)
    np.testing.assert_allclose(as_numpy(out), as_numpy(tout), rtol=1e-10, atol=1e-12, err_msg="value")
    upstream = np.random.default_rng(3).standard_normal(tuple(tout.shape))
    out.backward(upstream)
    tout.backward(torch.tensor(upstream))
    for i, (x, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(as_numpy(x.grad), as_numpy(t.grad), rtol=1e-9, atol=1e-12, err_msg=f"input {i}")


@pytest.mark.parametrize("case_id", [c for c in CASES if not c.startswith("dropout")])
def test_gradcheck(case_id):
    fn, arrays = CASES[case_id]
    assert gradcheck(lambda *xs: fn(ag, *xs), *arrays, atol=1e-6, rtol=1e-5)


def test_bce_clamps_the_log_at_minus_100_and_leaky_relu_takes_the_slope_at_0():
    for m in (ag, torch):
        loss = m.nn.functional.binary_cross_entropy(m.tensor([0.0, 1.0]), m.tensor([1.0, 0.0]))
        assert loss.item() == 100.0
        x = m.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        m.nn.functional.leaky_relu(x, 0.1).sum().backward()
        np.testing.assert_allclose(as_numpy(x.grad), [0.1, 0.1, 1.0], rtol=1e-6)


def test_bce_with_logits_stays_finite_for_huge_logits():
    for m in (ag, torch):
        x = m.tensor([-1000.0, 1000.0, 50.0], requires_grad=True)
        loss = m.nn.functional.binary_cross_entropy_with_logits(x, m.tensor([1.0, 0.0, 1.0]))
        loss.backward()
        assert math.isfinite(loss.item()) and np.isfinite(as_numpy(x.grad)).all()
        np.testing.assert_allclose(loss.item(), 2000 / 3, rtol=1e-6)


@pytest.mark.parametrize("m", LIBS)
def test_losses_refuse_what_torch_refuses(m):
    F = m.nn.functional
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(m.tensor([1.5]), m.tensor([1.0]))
    with pytest.raises(ValueError, match="[Tt]arget size"):
        F.binary_cross_entropy(m.tensor([0.5, 0.5]), m.tensor([1.0]))
    with pytest.raises(ValueError, match="[Tt]arget size"):
        F.binary_cross_entropy_with_logits(m.zeros(2, 1), m.zeros(2))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        m.nn.Dropout(1.5)


def test_losses_and_activations_print_as_torch_for_float32():
    def outputs(m):
        x = m.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
        t = m.tensor([[1.0, 0.0], [0.0, 1.0]])
        return [
            m.nn.BCELoss()(m.sigmoid(x), t),
            m.nn.BCEWithLogitsLoss()(x, t),
            m.nn.functional.leaky_relu(x),
            m.nn.Softmax(dim=1)(x),
        ]

    for ours, theirs in zip(outputs(ag), outputs(torch)):
        same_repr(ours, theirs)


# ---------------------------------------------------------------------------------------------- modules


def test_module_reprs_match_torch():
    def build(m):
        nn = m.nn
        return [
            nn.Sequential(nn.Flatten(), nn.Linear(4, 2), nn.Dropout(0.5), nn.LeakyReLU(0.2), nn.Softmax(dim=-1)),
            nn.Softmax(),
            nn.Dropout(),
            nn.LeakyReLU(),
            nn.LeakyReLU(0.2, inplace=True),
            nn.ReLU(inplace=True),
            nn.Flatten(0, 2),
            nn.Embedding(10, 3),
            nn.Embedding(10, 3, padding_idx=0),
            nn.BCELoss(),
            nn.BCEWithLogitsLoss(),
            nn.ModuleList([nn.Linear(2, 2), nn.ReLU()]),
            nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh()]),
            nn.ModuleList(),
        ]

    for ours, theirs in zip(build(ag), build(torch)):
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("m", LIBS)
def test_softmax_without_dim_warns_and_picks_torchs_dim(m):
    x = m.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = m.nn.Softmax()(x)
    np.testing.assert_allclose(as_numpy(y).sum(axis=1), [1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("m", LIBS)
def test_flatten_shapes_and_returns_the_input_when_there_is_nothing_to_merge(m):
    x = m.zeros(2, 3, 4, 5)
    assert tuple(m.nn.Flatten()(x).shape) == (2, 60)
    assert tuple(m.nn.Flatten(0)(x).shape) == (120,)
    assert tuple(m.nn.Flatten(1, 2)(x).shape) == (2, 12, 5)
    assert tuple(m.nn.Flatten(-2)(x).shape) == (2, 3, 20)
    y = m.zeros(4, 3)
    assert m.nn.Flatten()(y) is y


@pytest.mark.parametrize("m", LIBS)
def test_dropout_zeroes_and_rescales_in_training_and_is_identity_in_eval(m):
    m.manual_seed(0)
    drop = m.nn.Dropout(p=0.25)
    x = m.ones(20000, requires_grad=True)
    y = drop(x)
    values = as_numpy(y)
    kept = values != 0
    np.testing.assert_allclose(np.unique(values), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), values, rtol=1e-6)  # the gradient is the same mask and scale
    drop.eval()
    assert not drop.training
    z = m.ones(5)
    assert drop(z) is z
    net = m.nn.Sequential(m.nn.Linear(2, 2), m.nn.Dropout())
    net.eval()
    assert not net[1].training
    net.train()
    assert net[1].training


def test_dropout_mask_is_reproducible_with_manual_seed():
    ag.manual_seed(3)
    a = ag.nn.functional.dropout(ag.ones(50)).tolist()
    ag.manual_seed(3)
    assert ag.nn.functional.dropout(ag.ones(50)).tolist() == a


def _module_list_net(m):
    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = m.nn.ModuleList([m.nn.Linear(3, 3) for _ in range(2)])
            self.layers.append(m.nn.Linear(3, 1))

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = m.relu(layer(x))
            return self.layers[-1](x)

    return Net()


def test_module_list_registers_parameters_and_runs_like_torch():
    ours, theirs = _module_list_net(ag), _module_list_net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    ya, yt = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(as_numpy(ya), as_numpy(yt), rtol=1e-5, atol=1e-6)
    ya.sum().backward()
    yt.sum().backward()
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(as_numpy(p.grad), as_numpy(tp.grad), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("m", LIBS)
def test_module_list_behaves_as_a_list(m):
    a, b, c = m.nn.ReLU(), m.nn.Tanh(), m.nn.Sigmoid()
    ml = m.nn.ModuleList([a])
    ml.extend([b])
    ml.insert(0, c)
    assert list(ml) == [c, a, b] and len(ml) == 3 and ml[-1] is b
    ml[1] = b
    assert list(ml) == [c, b, b]
    del ml[0]
    assert list(ml) == [b, b]
    ml += [a]
    assert isinstance(ml[1:], m.nn.ModuleList) and list(ml[1:]) == [b, a]
    with pytest.raises(NotImplementedError, match='Module \\[ModuleList\\] is missing the required "forward" function'):
        ml(m.ones(1))


def test_embedding_matches_torch_with_repeated_indices_and_padding():
    for padding_idx in (None, 1):
        theirs = torch.nn.Embedding(5, 3, padding_idx=padding_idx)
        ours = ag.nn.Embedding(5, 3, padding_idx=padding_idx)
        ours.load_state_dict(theirs.state_dict())
        idx = [[1, 2, 1], [4, 1, 0]]
        ya, yt = ours(ag.tensor(idx)), theirs(torch.tensor(idx))
        assert ya.grad_fn.name() == yt.grad_fn.name() == "EmbeddingBackward0"
        np.testing.assert_allclose(as_numpy(ya), as_numpy(yt))
        up = np.random.default_rng(0).standard_normal((2, 3, 3)).astype(np.float32)
        ya.backward(up)
        yt.backward(torch.tensor(up))
        np.testing.assert_allclose(as_numpy(ours.weight.grad), as_numpy(theirs.weight.grad), rtol=1e-6, atol=1e-7)
    assert gradcheck(lambda w: ag.nn.functional.embedding(ag.tensor([[0, 2], [2, 2]]), w), np.ones((3, 2)))


@pytest.mark.parametrize("m", LIBS)
def test_embedding_initialisation_and_errors(m):
    m.manual_seed(0)
    e = m.nn.Embedding(1000, 8, padding_idx=0)
    w = as_numpy(e.weight)
    assert e.weight.requires_grad and w.dtype == np.float32
    assert (w[0] == 0).all() and abs(w[1:].std() - 1) < 0.05 and abs(w[1:].mean()) < 0.05
    with pytest.raises(IndexError, match="index out of range in self"):
        e(m.tensor([1000]))
    with pytest.raises(IndexError, match="index out of range in self"):
        e(m.tensor([-1]))


@pytest.mark.parametrize("m", LIBS)
def test_one_hot_matches_torch(m):
    F = m.nn.functional
    same = F.one_hot(m.tensor([0, 2, 1]))
    assert same.dtype == m.int64 and same.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(m.tensor([[0], [3]]), num_classes=5).tolist() == [[[1, 0, 0, 0, 0]], [[0, 0, 0, 1, 0]]]
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(m.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(m.tensor([5]), 3)


def test_one_hot_prints_as_torch():
    same_repr(ag.nn.functional.one_hot(ag.tensor([0, 2])), torch.nn.functional.one_hot(torch.tensor([0, 2])))


# ---------------------------------------------------------------------------------------------- nn.init


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (("linear",), 1),
        (("conv2d",), 1),
        (("sigmoid",), 1),
        (("tanh",), 5 / 3),
        (("relu",), math.sqrt(2)),
        (("leaky_relu",), None),
        (("leaky_relu", 0.2), None),
        (("selu",), 0.75),
    ],
)
def test_calculate_gain_matches_torch(args, want):
    theirs = torch.nn.init.calculate_gain(*args)
    assert ag.nn.init.calculate_gain(*args) == pytest.approx(theirs, rel=1e-12)
    if want is not None:
        assert theirs == pytest.approx(want)


@pytest.mark.parametrize("m", LIBS)
def test_calculate_gain_refuses_unknown_names(m):
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        m.nn.init.calculate_gain("foo")


# name: (call, the distribution's std, its bound for uniform ones or None), for a (200, 300) weight
FAN_IN, FAN_OUT = 300, 200
INITS = {
    "uniform_": (lambda m, w: m.nn.init.uniform_(w, -0.5, 1.5), None, (-0.5, 1.5)),
    "normal_": (lambda m, w: m.nn.init.normal_(w, 0.0, 0.3), 0.3, None),
    "xavier_uniform_": (
        lambda m, w: m.nn.init.xavier_uniform_(w),
        math.sqrt(2 / (FAN_IN + FAN_OUT)),
        math.sqrt(6 / (FAN_IN + FAN_OUT)),
    ),
    "xavier_normal_gain": (
        lambda m, w: m.nn.init.xavier_normal_(w, gain=2.0),
        2 * math.sqrt(2 / (FAN_IN + FAN_OUT)),
        None,
    ),
    "kaiming_uniform_": (
        lambda m, w: m.nn.init.kaiming_uniform_(w, nonlinearity="relu"),
        math.sqrt(2 / FAN_IN),
        math.sqrt(6 / FAN_IN),
    ),
    "kaiming_uniform_a_sqrt5": (  # nn.Linear's own scheme
        lambda m, w: m.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
        1 / math.sqrt(3 * FAN_IN),
        1 / math.sqrt(FAN_IN),
    ),
    "kaiming_normal_": (lambda m, w: m.nn.init.kaiming_normal_(w), math.sqrt(2 / (1 + 0.01**2) / FAN_IN), None),
    "kaiming_normal_fan_out": (
        lambda m, w: m.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
        math.sqrt(2 / FAN_OUT),
        None,
    ),
}


@pytest.mark.parametrize("name", INITS)
@pytest.mark.parametrize("m", LIBS)
def test_random_inits_fill_in_place_with_the_right_spread(m, name):
    call, std, bound = INITS[name]
    m.manual_seed(0)
    layer = m.nn.Linear(FAN_IN, FAN_OUT)
    w = layer.weight
    out = call(m, w)
    assert out is w and w.requires_grad and w.is_leaf and w.grad_fn is None
    values = as_numpy(w)
    assert values.dtype == np.float32 and values.shape == (FAN_OUT, FAN_IN)
    if bound is not None:
        lo, hi = bound if isinstance(bound, tuple) else (-bound, bound)
        assert values.min() >= lo and values.max() <= hi
        assert values.min() < lo + 0.01 * (hi - lo) and values.max() > hi - 0.01 * (hi - lo)
        if std is None:
            std = (hi - lo) / math.sqrt(12)
    assert values.std() == pytest.approx(std, rel=0.03)


@pytest.mark.parametrize("m", LIBS)
def test_constant_inits_and_fan_errors(m):
    w = m.nn.Parameter(m.empty(3, 4))
    assert m.nn.init.constant_(w, 0.3) is w
    np.testing.assert_allclose(as_numpy(w), np.full((3, 4), 0.3, dtype=np.float32))
    m.nn.init.ones_(w)
    assert as_numpy(w).tolist() == [[1.0] * 4] * 3
    m.nn.init.zeros_(w)
    assert not as_numpy(w).any()
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2 dim"):
        m.nn.init.xavier_uniform_(m.empty(3))
    assert tuple(m.nn.init.kaiming_normal_(m.empty(4, 2, 3, 3)).shape) == (4, 2, 3, 3)  # a convolution's weight


@pytest.mark.parametrize("m", LIBS)
def test_inits_take_a_generator(m):
    a = m.nn.init.normal_(m.empty(5), generator=m.Generator().manual_seed(1)).tolist()
    b = m.nn.init.normal_(m.empty(5), generator=m.Generator().manual_seed(1)).tolist()
    assert a == b


# ----------------------------------------------------------------------------------- clip_grad_norm_


@pytest.mark.parametrize(("max_norm", "norm_type"), [(1.0, 2.0), (100.0, 2.0), (0.5, 1), (0.1, float("inf")), (2, 3)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32)]
    results = []
    for m in (ag, torch):
        params = [m.nn.Parameter(m.zeros(g.shape)) for g in grads] + [m.nn.Parameter(m.zeros(2))]  # no grad
        for p, g in zip(params, grads):
            p.grad = m.tensor(g)
        kept = params[0].grad
        total = m.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        assert params[0].grad is kept, "clipping is in place"
        results.append((total, [as_numpy(p.grad) for p in params[:2]]))
    (ta, ga), (tt, gt) = results
    assert ta.dtype == ag.float32 and ta.shape == ()
    np.testing.assert_allclose(as_numpy(ta), as_numpy(tt), rtol=1e-6)
    for a, b in zip(ga, gt):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("m", LIBS)
def test_clip_grad_norm_error_if_nonfinite(m):
    p = m.nn.Parameter(m.zeros(2))
    p.grad = m.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        m.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


# ------------------------------------------------------------------------------------ Module.to / apply


@pytest.mark.parametrize("m", LIBS)
def test_module_to_keeps_parameters_and_converts_dtype(m):
    net = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1))
    before = list(net.parameters())
    assert net.to("cpu") is net and net.to(m.device("cpu")) is net and net.to(device="cpu") is net
    assert net.to(m.float64) is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in before]
    assert all(p.dtype == m.float64 for p in net.parameters())
    y = net(m.ones(4, 2, dtype=m.float64))
    assert y.dtype == m.float64
    net.float()
    assert all(p.dtype == m.float32 for p in net.parameters())
    with pytest.raises(TypeError, match="floating point"):
        net.to(m.int64)


def test_module_to_refuses_a_gpu():
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.nn.Linear(2, 2).to("cuda")


@pytest.mark.parametrize("m", LIBS)
def test_module_apply_visits_children_first_and_initialises(m):
    net = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.Sequential(m.nn.Tanh(), m.nn.Linear(3, 1)))
    seen = []
    assert net.apply(lambda mod: seen.append(type(mod).__name__)) is net
    assert seen == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]

    def init(mod):
        if isinstance(mod, m.nn.Linear):
            m.nn.init.constant_(mod.weight, 0.5)
            m.nn.init.zeros_(mod.bias)

    net.apply(init)
    assert as_numpy(net[0].weight).tolist() == [[0.5, 0.5]] * 3 and not as_numpy(net[1][1].bias).any()

"""The PyTorch surface beyond the core ops, each name checked against real PyTorch: sin and cos, norm, var and std,
mm, dot and where (values and gradients, and gradcheck); the factories with device=, full, eye, empty, from_numpy,
randint, randperm and Generator; the keepdims alias; allclose and nelement; printing and error messages.

Each table row is a lambda ``fn(m, *inputs)`` that runs unchanged with ``m = mini_autograd`` and ``m = torch``, as in
``test_ops_vs_torch.py``.
"""

from __future__ import annotations

import zlib

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


# ------------------------------------------------------------------------------- differentiable ops: one table


def _distinct(rng, shape):
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)).reshape(shape)


def _any(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _nonzero(rng, shape):
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


DOMAINS = {"any": _any, "nonzero": _nonzero, "distinct": _distinct}

# id: (fn, [(shape, domain), ...])
CASES = {
    "sin-3x4": (lambda m, a: m.sin(a), [((3, 4), "any")]),
    "sin-scalar": (lambda m, a: m.sin(a), [((), "any")]),
    "sin_method-4": (lambda m, a: a.sin(), [((4,), "any")]),
    "cos-3x4": (lambda m, a: m.cos(a), [((3, 4), "any")]),
    "cos_method-2x3x4": (lambda m, a: a.cos(), [((2, 3, 4), "any")]),
    "sin_cos_diamond-3x4": (lambda m, a: m.sin(a) * m.cos(a) + a.sin() ** 2, [((3, 4), "any")]),
    "norm-3x4": (lambda m, a: m.norm(a), [((3, 4), "any")]),
    "norm_method-4": (lambda m, a: a.norm(), [((4,), "any")]),
    "norm-dim=1-3x4": (lambda m, a: a.norm(dim=1), [((3, 4), "any")]),
    "norm-dim=0-keepdim-3x4": (lambda m, a: m.norm(a, dim=0, keepdim=True), [((3, 4), "any")]),
    "norm-p=2-dim=(0,2)-2x3x4": (lambda m, a: a.norm(2, dim=(0, 2)), [((2, 3, 4), "any")]),
    "norm-p=fro-3x4": (lambda m, a: a.norm(p="fro"), [((3, 4), "any")]),
    "norm-p=1-3x4": (lambda m, a: a.norm(p=1), [((3, 4), "nonzero")]),
    "norm-p=1-dim=-1-3x4": (lambda m, a: a.norm(1, -1), [((3, 4), "nonzero")]),
    "norm-p=3-dim=1-3x4": (lambda m, a: a.norm(p=3, dim=1), [((3, 4), "nonzero")]),
    "norm-p=1.5-3x4": (lambda m, a: a.norm(p=1.5), [((3, 4), "nonzero")]),
    "norm-p=inf-3x4": (lambda m, a: a.norm(p=float("inf")), [((3, 4), "distinct")]),
    "norm-p=inf-dim=0-3x4": (lambda m, a: a.norm(p=float("inf"), dim=0), [((3, 4), "distinct")]),
    "var-3x4": (lambda m, a: a.var(), [((3, 4), "any")]),
    "var_fn-dim=0-3x4": (lambda m, a: m.var(a, 0), [((3, 4), "any")]),
    "var-dim=1-unbiased=False-3x4": (lambda m, a: a.var(dim=1, unbiased=False), [((3, 4), "any")]),
    "var-positional-dim,unbiased,keepdim-3x4": (lambda m, a: a.var(0, True, True), [((3, 4), "any")]),
    "var-unbiased_only-3x4": (lambda m, a: a.var(False), [((3, 4), "any")]),
    "var-correction=0-dim=(0,2)-2x3x4": (lambda m, a: a.var(dim=(0, 2), correction=0), [((2, 3, 4), "any")]),
    "var-correction=2-keepdim-3x4": (lambda m, a: m.var(a, 1, correction=2, keepdim=True), [((3, 4), "any")]),
    "var-correction=1.5-3x4": (lambda m, a: a.var(correction=1.5), [((3, 4), "any")]),
    "std-3x4": (lambda m, a: a.std(), [((3, 4), "any")]),
    "std_fn-dim=0-unbiased=False-3x4": (lambda m, a: m.std(a, 0, False), [((3, 4), "any")]),
    "std-dim=-1-correction=0-keepdim-2x3x4": (
        lambda m, a: a.std(dim=-1, correction=0, keepdim=True),
        [((2, 3, 4), "any")],
    ),
    "where-3x4&3x4": (lambda m, a, b: m.where(a > 0, a, b), [((3, 4), "nonzero"), ((3, 4), "any")]),
    "where-broadcast-3x4&4": (lambda m, a, b: m.where(a > b, a, b), [((3, 4), "distinct"), ((4,), "distinct")]),
    "where-3x1&1x4": (lambda m, a, b: m.where(a * b > 0, a * b, b), [((3, 1), "nonzero"), ((1, 4), "nonzero")]),
    "where-number-3x4": (lambda m, a: m.where(a > 0, a, 0.0), [((3, 4), "nonzero")]),
    "where-number_first-3x4": (lambda m, a: m.where(a > 0, 1.5, a * 2), [((3, 4), "nonzero")]),
    "where_method-3x4": (lambda m, a, b: a.where(a > 0, b), [((3, 4), "nonzero"), ((3, 4), "any")]),
    "where_same_tensor-3x4": (lambda m, a: m.where(a > 0, a, -a), [((3, 4), "nonzero")]),
    "mm-3x4@4x5": (lambda m, a, b: m.mm(a, b), [((3, 4), "any"), ((4, 5), "any")]),
    "mm_method-2x3@3x1": (lambda m, a, b: a.mm(b), [((2, 3), "any"), ((3, 1), "any")]),
    "dot-4": (lambda m, a, b: m.dot(a, b), [((4,), "any"), ((4,), "any")]),
    "dot_method_self-5": (lambda m, a: a.dot(a), [((5,), "any")]),
    "sum-keepdims-3x4": (lambda m, a: m.sum(a, 0, keepdims=True), [((3, 4), "any")]),
    "sum_method-keepdims-3x4": (lambda m, a: a.sum(dim=1, keepdims=True), [((3, 4), "any")]),
    "mean-keepdims-3x4": (lambda m, a: m.mean(a, dim=1, keepdims=True), [((3, 4), "any")]),
    "mean_method-keepdims-3x4": (lambda m, a: a.mean(0, keepdims=True), [((3, 4), "any")]),
    "max-keepdims-3x4": (lambda m, a: a.max(1, keepdims=True).values, [((3, 4), "distinct")]),
    "min-keepdims-3x4": (lambda m, a: m.min(a, 0, keepdims=True)[0], [((3, 4), "distinct")]),
    "logsumexp-keepdims-3x4": (lambda m, a: m.logsumexp(a, 1, keepdims=True), [((3, 4), "any")]),
    "var-keepdims-3x4": (lambda m, a: a.var(0, keepdims=True), [((3, 4), "any")]),
    "std-keepdims-3x4": (lambda m, a: m.std(a, keepdims=True), [((3, 4), "any")]),
}


def _arrays(case_id: str) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    return [DOMAINS[d](rng, shape) for shape, d in CASES[case_id][1]]


@pytest.mark.parametrize("case_id", CASES)
def test_matches_torch(case_id):
    fn = CASES[case_id][0]
    arrays = _arrays(case_id)
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = fn(ag, *ours), fn(torch, *theirs)
    assert out.shape == tuple(tout.shape) and out.dtype == ag.float64
    assert out.grad_fn.name() == tout.grad_fn.name()
    np.testing.assert_allclose(as_numpy(out), as_numpy(tout), rtol=1e-10, atol=1e-12, err_msg="value")
    upstream = np.random.default_rng(1).standard_normal(tuple(tout.shape))
    out.backward(upstream)
    tout.backward(torch.tensor(upstream))
    for i, (x, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(as_numpy(x.grad), as_numpy(t.grad), rtol=1e-9, atol=1e-12, err_msg=f"input {i}")


@pytest.mark.parametrize("case_id", CASES)
def test_gradcheck(case_id):
    fn = CASES[case_id][0]
    assert gradcheck(lambda *xs: fn(ag, *xs), *_arrays(case_id), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda m, x: m.sin(x), id="sin"),
        pytest.param(lambda m, x: x.cos(), id="cos"),
        pytest.param(lambda m, x: x.norm(), id="norm"),
        pytest.param(lambda m, x: x.norm(dim=1, keepdim=True), id="norm_dim"),
        pytest.param(lambda m, x: x.var(), id="var"),
        pytest.param(lambda m, x: m.std(x, 0), id="std"),
        pytest.param(lambda m, x: m.where(x > 2, x, 0.0), id="where"),
        pytest.param(lambda m, x: m.mm(x, x.T), id="mm"),
        pytest.param(lambda m, x: m.dot(x[0], x[1]), id="dot"),
    ],
)
def test_float32_results_print_as_torch(fn):
    ours = fn(ag, ag.arange(6.0).reshape(2, 3).requires_grad_())
    theirs = fn(torch, torch.arange(6.0).reshape(2, 3).requires_grad_())
    assert ours.dtype == ag.float32
    same_repr(ours, theirs)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch warns that var() of one element has no degree of freedom
def test_norm_var_std_edge_cases_match_torch():
    for m in (ag, torch):
        z = m.zeros(3, requires_grad=True)
        z.norm().backward()
        assert as_numpy(z.grad).tolist() == [0.0, 0.0, 0.0], "the gradient of the norm at 0 is 0, not nan"
    grads = []
    for m in (ag, torch):
        t = m.tensor([1.0, -3.0, 3.0], requires_grad=True)
        t.norm(p=float("inf")).backward()
        grads.append(as_numpy(t.grad).tolist())
    assert grads[0] == grads[1] == [0.0, -0.5, 0.5]
    x = np.array([[1.0, 2.0, 4.0]])
    for fn in (lambda m, t: t.norm(p=0), lambda m, t: t.var(0), lambda m, t: t.norm(p=-float("inf"))):
        np.testing.assert_array_equal(as_numpy(fn(ag, ag.tensor(x))), as_numpy(fn(torch, torch.tensor(x))))


@pytest.mark.parametrize("m", LIBS)
def test_norm_var_std_refuse_what_torch_refuses(m):
    x = m.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError):
        m.norm(x, dim=1, keepdims=True)  # PyTorch's norm has no numpy alias
    with pytest.raises(TypeError):
        x.var(dim=1, unbiased=False, correction=1)
    with pytest.raises(RuntimeError, match="floating point"):
        m.arange(6).var()


def test_keepdims_alias_gives_torch_shapes_for_argmax_and_refuses_both_spellings():
    x = np.random.default_rng(0).standard_normal((3, 4))
    for dim in (0, 1):
        ours, theirs = ag.tensor(x).argmax(dim, keepdims=True), torch.tensor(x).argmax(dim, keepdims=True)
        np.testing.assert_array_equal(as_numpy(ours), as_numpy(theirs))
    with pytest.raises(TypeError, match="keepdim"):
        ag.tensor(x).sum(0, keepdim=True, keepdims=True)
    with pytest.raises(TypeError):
        torch.tensor(x).sum(0, keepdim=True, keepdims=True)


# ------------------------------------------------------------------------------------------------ where


@pytest.mark.parametrize("m", LIBS)
def test_where_dtypes_and_forms(m):
    x = m.arange(6.0).reshape(2, 3)
    assert m.where(x > 2, 1.0, 0.0).dtype == m.float32
    assert m.where(x > 2, 1, 0).dtype == m.int64
    assert m.where(x.long() > 1, x.long(), 0.5).dtype == m.float32
    assert m.where(x > 1, x, m.zeros(3, dtype=m.float64)).dtype == m.float64
    rows, cols = m.where(x > 2)
    assert rows.tolist() == [1, 1, 1] and cols.tolist() == [0, 1, 2] and rows.dtype == m.int64
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, but got a tensor with"):
        m.where(x, x, x)
    with pytest.raises(RuntimeError):
        m.where(x > 1, x, m.zeros(4))


def test_where_prints_as_torch():
    same_repr(ag.where(ag.arange(4) > 1, ag.arange(4), -1), torch.where(torch.arange(4) > 1, torch.arange(4), -1))


# ------------------------------------------------------------------------------------------------ mm and dot


@pytest.mark.parametrize(
    ("op", "shapes", "message"),
    [
        ("mm", [(3,), (3,)], "self must be a matrix"),
        ("mm", [(3, 2), (3,)], "mat2 must be a matrix"),
        ("mm", [(3, 2), (3, 2)], r"mat1 and mat2 shapes cannot be multiplied \(3x2 and 3x2\)"),
        ("dot", [(3, 2), (3,)], "1D tensors expected, but got 2D and 1D tensors"),
        ("dot", [(3,), (2,)], r"inconsistent tensor size, expected tensor \[3\] and src \[2\] to have the same"),
    ],
)
@pytest.mark.parametrize("m", LIBS)
def test_mm_and_dot_refuse_wrong_shapes_with_torch_messages(m, op, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        getattr(m, op)(*[m.ones(s) for s in shapes])


# ----------------------------------------------------------------------------------------------- factories

FACTORIES = {
    "tensor": lambda m, **kw: m.tensor([1.0, 2.0], **kw),
    "zeros": lambda m, **kw: m.zeros(2, 3, **kw),
    "ones": lambda m, **kw: m.ones((2,), **kw),
    "empty": lambda m, **kw: m.empty(2, 3, **kw),
    "full": lambda m, **kw: m.full((2, 2), 1.5, **kw),
    "eye": lambda m, **kw: m.eye(3, **kw),
    "arange": lambda m, **kw: m.arange(5, **kw),
    "linspace": lambda m, **kw: m.linspace(0, 1, 5, **kw),
    "randn": lambda m, **kw: m.randn(2, 3, **kw),
    "rand": lambda m, **kw: m.rand(4, **kw),
    "randint": lambda m, **kw: m.randint(0, 10, (3,), **kw),
    "randperm": lambda m, **kw: m.randperm(6, **kw),
    "zeros_like": lambda m, **kw: m.zeros_like(m.ones(2), **kw),
    "ones_like": lambda m, **kw: m.ones_like(m.ones(2), **kw),
    "full_like": lambda m, **kw: m.full_like(m.ones(2), 7, **kw),
    "empty_like": lambda m, **kw: m.empty_like(m.ones(2), **kw),
    "randn_like": lambda m, **kw: m.randn_like(m.ones(2), **kw),
    "rand_like": lambda m, **kw: m.rand_like(m.ones(2), **kw),
}


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("m", LIBS)
def test_every_factory_takes_device_cpu_and_makes_torch_shape_and_dtype(m, name):
    make = FACTORIES[name]
    plain = make(m)
    for device in ("cpu", m.device("cpu")):
        t = make(m, device=device)
        assert t.device == m.device("cpu") and t.dtype == plain.dtype and tuple(t.shape) == tuple(plain.shape)


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_match_torch_dtype_shape_and_fixed_values(name):
    ours, theirs = FACTORIES[name](ag), FACTORIES[name](torch)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "mini_autograd.")
    assert ours.shape == tuple(theirs.shape)
    if name in ("tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "zeros_like", "ones_like", "full_like"):
        same_repr(ours, theirs)


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_refuse_a_gpu_with_a_message_that_says_cpu(name):
    for device in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="CPU only"):
            FACTORIES[name](ag, device=device)


@pytest.mark.parametrize("m", LIBS)
def test_full_eye_empty_follow_torch_dtypes(m):
    assert m.full((2,), 3).dtype == m.int64
    assert m.full((2,), True).dtype == m.bool
    assert m.full((2,), 1, dtype=m.float32).tolist() == [1.0, 1.0]
    assert m.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert m.eye(2, dtype=m.long).dtype == m.int64
    assert m.empty(2, 3).dtype == m.float32 and tuple(m.empty((4,)).shape) == (4,)
    w = m.full((3,), 0.5, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(TypeError, match="must be tuple of ints"):
        m.full(2, 1.0)


@pytest.mark.parametrize("m", LIBS)
def test_from_numpy_shares_memory_both_ways(m):
    a = np.arange(3.0)
    t = m.from_numpy(a)
    assert t.dtype == m.float64
    a[0] = 9.0
    assert t.tolist() == [9.0, 1.0, 2.0]
    t[1] = 7.0
    assert a.tolist() == [9.0, 7.0, 2.0]
    t += 1
    assert a.tolist() == [10.0, 8.0, 3.0]
    assert m.from_numpy(np.array([1, 2], dtype=np.int32)).dtype == m.int32
    with pytest.raises(TypeError, match="expected np.ndarray"):
        m.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.str_"):
        m.from_numpy(np.array(["a"]))


def test_from_numpy_prints_as_torch():
    same_repr(ag.from_numpy(np.array([1.5, 2.0])), torch.from_numpy(np.array([1.5, 2.0])))


# ------------------------------------------------------------------------------------- random numbers


@pytest.mark.parametrize("m", LIBS)
def test_randint_and_randperm_ranges_and_forms(m):
    m.manual_seed(0)
    r = m.randint(3, 10, (200,))
    assert r.dtype == m.int64 and 3 <= int(r.min()) and int(r.max()) < 10
    assert tuple(m.randint(5, (2, 2)).shape) == (2, 2)
    assert tuple(m.randint(high=10, size=(3,)).shape) == (3,)
    assert sorted(m.randperm(7).tolist()) == list(range(7))
    assert m.randperm(3, dtype=m.float32).dtype == m.float32
    with pytest.raises(TypeError):
        m.randint(0, 10, 3)


@pytest.mark.parametrize("m", LIBS)
def test_manual_seed_makes_draws_reproducible(m):
    def draw():
        return [
            m.randn(2, 3).tolist(),
            m.rand(4).tolist(),
            m.randint(0, 100, (5,)).tolist(),
            m.randperm(8).tolist(),
            m.nn.Linear(3, 2).weight.tolist(),
        ]

    assert isinstance(m.manual_seed(123), m.Generator)
    first = draw()
    m.manual_seed(123)
    assert draw() == first
    m.manual_seed(124)
    assert draw() != first


@pytest.mark.parametrize("m", LIBS)
def test_generator_streams_are_independent_and_reproducible(m):
    g = m.Generator().manual_seed(0)
    assert isinstance(g, m.Generator) and g.initial_seed() == 0

    def draws(gen):
        return [
            m.randn(3, generator=gen).tolist(),
            m.rand(3, generator=gen).tolist(),
            m.randint(0, 9, (3,), generator=gen).tolist(),
            m.randperm(5, generator=gen).tolist(),
        ]

    first = draws(g)
    m.manual_seed(5)
    m.randn(10)  # draws from the default generator do not move a generator's stream
    assert draws(m.Generator().manual_seed(0)) == first
    assert m.Generator().initial_seed() == 67280421310721
    assert m.randn(3, generator=m.Generator()).tolist() == m.randn(3, generator=m.Generator()).tolist()
    state = g.get_state()
    first = m.rand(2, generator=g).tolist()
    g.set_state(state)
    assert m.rand(2, generator=g).tolist() == first


def test_generator_refuses_a_gpu():
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.Generator(device="cuda")


# ------------------------------------------------------------------------------------- allclose, nelement


@pytest.mark.parametrize(
    ("a", "b", "kwargs"),
    [
        ([1.0, 2.0], [1.0, 2.0 + 1e-9], {}),
        ([1.0, 2.0], [1.0, 2.001], {}),
        ([1.0, 2.0], [1.0, 2.001], {"rtol": 1e-2}),
        ([1.0, 2.0], [1.0, 2.001], {"atol": 0.01}),
        ([1.0, float("nan")], [1.0, float("nan")], {}),
        ([1.0, float("nan")], [1.0, float("nan")], {"equal_nan": True}),
        ([[1.0, 2.0], [1.0, 2.0]], [1.0, 2.0], {}),
    ],
)
def test_allclose_matches_torch(a, b, kwargs):
    want = torch.allclose(torch.tensor(a), torch.tensor(b), **kwargs)
    got = ag.allclose(ag.tensor(a), ag.tensor(b), **kwargs)
    assert got is want
    assert ag.tensor(a).allclose(ag.tensor(b), **kwargs) is want


@pytest.mark.parametrize("m", LIBS)
def test_allclose_refuses_mixed_dtypes(m):
    with pytest.raises(RuntimeError, match="Float did not match Long"):
        m.allclose(m.ones(2), m.ones(2, dtype=m.long))


@pytest.mark.parametrize("m", LIBS)
def test_nelement_and_numel(m):
    x = m.zeros(2, 3, 4)
    assert x.nelement() == x.numel() == m.numel(x) == 24


# -------------------------------------------------------------------------------------------- signatures

PYTHON_LEVEL_NAMES = [  # names PyTorch writes in Python, so their signatures can be read and compared
    "nn.init.calculate_gain",
    "nn.init.constant_",
    "nn.init.ones_",
    "nn.init.zeros_",
    "nn.init.uniform_",
    "nn.init.normal_",
    "nn.init.xavier_uniform_",
    "nn.init.xavier_normal_",
    "nn.init.kaiming_uniform_",
    "nn.init.kaiming_normal_",
    "nn.functional.leaky_relu",
    "nn.functional.dropout",
    "nn.functional.binary_cross_entropy",
    "nn.functional.binary_cross_entropy_with_logits",
    "nn.functional.embedding",
    "nn.functional.mse_loss",
    "nn.utils.clip_grad_norm_",
    "nn.utils.clip_grad_value_",
    "nn.Softmax",
    "nn.Flatten",
    "nn.Dropout",
    "nn.ModuleList",
    "nn.Embedding",
    "nn.ReLU",
    "nn.LeakyReLU",
    "nn.BCELoss",
    "nn.BCEWithLogitsLoss",
    "optim.SGD",
    "optim.Adam",
    "optim.AdamW",
    "optim.RMSprop",
    "optim.lr_scheduler.StepLR",
    "optim.lr_scheduler.MultiStepLR",
    "optim.lr_scheduler.ExponentialLR",
    "optim.lr_scheduler.LambdaLR",
    "utils.data.DataLoader",
    "utils.data.TensorDataset",
    "utils.data.Subset",
    "utils.data.random_split",
    "autograd.grad",
    "autograd.backward",
    "autograd.gradcheck",
]


def _resolve(module, dotted: str):
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


@pytest.mark.parametrize("name", PYTHON_LEVEL_NAMES)
def test_signature_is_torchs_in_names_order_and_defaults(name):
    """Every argument we take, PyTorch takes under the same name, in the same order, with the same default (we may
    leave out some of PyTorch's, such as ``size_average`` or ``foreach``)."""
    import inspect

    ours = [p for p in inspect.signature(_resolve(ag, name)).parameters.values() if p.kind != p.VAR_KEYWORD]
    theirs = {p.name: p for p in inspect.signature(_resolve(torch, name)).parameters.values()}
    order = list(theirs)
    assert [p.name for p in ours if p.name not in theirs] == []
    assert [p.name for p in ours] == sorted((p.name for p in ours), key=order.index)
    for p in ours:
        want = theirs[p.name].default
        if isinstance(want, torch.Generator):  # random_split's default generator is PyTorch's global one
            continue
        assert p.default == want, p.name

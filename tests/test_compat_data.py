"""mini_autograd.utils.data against torch.utils.data: datasets, the default collate, DataLoader's batching, shuffling
(reproducible with a generator or manual_seed), drop_last and errors; and a whole mini-batch training run that
follows PyTorch's step for step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data

import mini_autograd as ag
import mini_autograd.utils.data
from mini_autograd.utils.data import DataLoader, Dataset, TensorDataset

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


def same(ours, theirs) -> None:
    """The same structure of batches, tensors with the same dtype and values (as PyTorch prints them)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor)
        assert repr(ours) == repr(theirs).replace("torch.", "mini_autograd.")
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for k in theirs:
            same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def test_both_import_paths_work():
    assert ag.utils.data.DataLoader is DataLoader is mini_autograd.utils.data.DataLoader


def _tensor_dataset(m):
    return m.utils.data.TensorDataset(m.arange(14.0).reshape(7, 2), m.arange(7))


def test_tensor_dataset_matches_torch():
    ours, theirs = _tensor_dataset(ag), _tensor_dataset(torch)
    assert len(ours) == len(theirs) == 7
    same(ours[3], theirs[3])
    same(list(ours.tensors), list(theirs.tensors))


@pytest.mark.parametrize("m", LIBS)
def test_tensor_dataset_refuses_different_lengths(m):
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        m.utils.data.TensorDataset(m.zeros(3), m.zeros(4))


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": 7}, {"batch_size": 10}],
    ids=str,
)
def test_batches_in_order_match_torch(kwargs):
    ours = DataLoader(_tensor_dataset(ag), **kwargs)
    theirs = torch.utils.data.DataLoader(_tensor_dataset(torch), **kwargs)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        same(a, b)


class Examples(Dataset):
    """Examples of every kind the default collate handles."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return (float(i) / 2, i, np.array([i, -i]), {"a": i, "b": [float(i), i]}, f"s{i}", True)


@pytest.mark.parametrize("batch_size", [2, None])
def test_default_collate_matches_torch(batch_size):
    class TorchExamples(Examples, torch.utils.data.Dataset):
        pass

    got = list(DataLoader(Examples(), batch_size=batch_size))
    want = list(torch.utils.data.DataLoader(TorchExamples(), batch_size=batch_size))
    for a, b in zip(got, want, strict=True):
        same(a, b)


def test_collate_of_plain_lists_and_a_custom_collate_fn():
    same(list(DataLoader([1.5, 2.5, 3.5], batch_size=2)), list(torch.utils.data.DataLoader([1.5, 2.5, 3.5], 2)))
    same(
        list(DataLoader([ag.tensor(1.0), ag.tensor(2.0)], batch_size=2)),
        list(torch.utils.data.DataLoader([torch.tensor(1.0), torch.tensor(2.0)], batch_size=2)),
    )
    assert list(DataLoader(range(5), batch_size=2, collate_fn=lambda b: b)) == [[0, 1], [2, 3], [4]]


def test_shuffle_is_a_new_permutation_every_epoch_and_reproducible_with_a_generator():
    ds = TensorDataset(ag.arange(20))

    def epochs(loader, n=3):
        return [[int(v) for (batch,) in loader for v in batch.tolist()] for _ in range(n)]

    runs = epochs(DataLoader(ds, batch_size=6, shuffle=True, generator=ag.Generator().manual_seed(0)))
    for order in runs:
        assert sorted(order) == list(range(20))
    assert runs[0] != runs[1] and runs[0] != list(range(20))
    again = epochs(DataLoader(ds, batch_size=6, shuffle=True, generator=ag.Generator().manual_seed(0)))
    assert again == runs
    other = epochs(DataLoader(ds, batch_size=6, shuffle=True, generator=ag.Generator().manual_seed(1)))
    assert other != runs


def test_shuffle_without_a_generator_follows_manual_seed():
    ds = TensorDataset(ag.arange(10))
    orders = []
    for _ in range(2):
        ag.manual_seed(42)
        orders.append([int(x) for (b,) in DataLoader(ds, batch_size=4, shuffle=True) for x in b.tolist()])
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(10))


@pytest.mark.parametrize("m", LIBS)
def test_dataloader_refuses_bad_arguments(m):
    ds = m.utils.data.TensorDataset(m.zeros(3))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        m.utils.data.DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        m.utils.data.DataLoader(ds, shuffle=True, sampler=[0])
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__"):
        m.utils.data.Dataset()[0]


@pytest.mark.parametrize("m", LIBS)
def test_dataloader_attributes_sampler_and_len(m):
    ds = m.utils.data.TensorDataset(m.arange(5))
    loader = m.utils.data.DataLoader(ds, batch_size=2, sampler=[4, 0, 2])
    assert loader.dataset is ds and loader.batch_size == 2 and loader.drop_last is False and len(loader) == 2
    assert [b[0].tolist() for b in loader] == [[4, 0], [2]]
    assert len(m.utils.data.DataLoader(ds, batch_size=2, drop_last=True)) == 2


@pytest.mark.parametrize("m", LIBS)
def test_random_split_subset_and_concat(m):
    data = m.utils.data
    ds = data.TensorDataset(m.arange(10))
    a, b = data.random_split(ds, [7, 3], generator=m.Generator().manual_seed(0))
    assert isinstance(a, data.Subset) and len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    assert int(a[0][0]) == a.indices[0]
    c, d = data.random_split(range(10), [0.75, 0.25])
    assert (len(c), len(d)) == (8, 2)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        data.random_split(ds, [3, 3])
    both = ds + ds
    assert isinstance(both, data.ConcatDataset) and len(both) == 20 and int(both[13][0]) == 3


def test_minibatch_training_matches_torch_step_for_step():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.1).astype(np.float32)
    code = """
model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
model.load_state_dict(state)
loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
losses = []
for epoch in range(5):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
"""
    state = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).state_dict()
    histories = []
    for m in (ag, torch):
        scope = {
            "torch": m,
            "state": state,
            "x": x,
            "y": y,
            "DataLoader": m.utils.data.DataLoader,
            "TensorDataset": m.utils.data.TensorDataset,
        }
        exec(code, scope)
        histories.append(scope["losses"])
    assert len(histories[0]) == 20
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-4, atol=1e-6)

"""Feeding a model in mini-batches, as ``torch.utils.data``.

A :class:`Dataset` answers two questions: how many examples (``len(ds)``) and what is example i (``ds[i]``). A
:class:`DataLoader` walks a dataset in batches, optionally shuffled anew each epoch, and glues the examples of a
batch together (``default_collate``): a batch of ``(x, y)`` pairs becomes a pair ``[X, Y]`` of stacked tensors::

    from mini_autograd.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(X, y)                 # example i is (X[i], y[i])
    loader = DataLoader(ds, batch_size=32, shuffle=True, generator=Generator().manual_seed(0))
    for epoch in range(10):
        for xb, yb in loader:                # xb: (32, features), yb: (32,); the last batch may be smaller
            ...

Everything runs in this process: ``num_workers`` is accepted and ignored (PyTorch starts worker processes for it).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Generator, Tensor, _rng, stack, tensor

__all__ = [
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
]


class Dataset:
    """Base class of map-style datasets: subclass it and define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Example i is ``(t[i] for t in tensors)``: inputs and targets kept side by side, first dimensions equal."""

    def __init__(self, *tensors: Tensor) -> None:
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError(
                "Size mismatch between tensors: every tensor needs the same first dimension (one row per example), "
                f"got {[tuple(t.shape) for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another (``ds1 + ds2`` makes one)."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = 0 if which == 0 else int(self.cumulative_sizes[which - 1])
        return self.datasets[which][index - start]


def random_split(dataset: Any, lengths: Sequence[float], generator: Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths (counts that add up to
    ``len(dataset)``, or fractions that add up to 1), e.g. ``train, val = random_split(ds, [0.8, 0.2])``."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin, as PyTorch does
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {list(lengths)} add up to {sum(lengths)}, the dataset has {n} examples)"
        )
    order = _rng(generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start : start + length]))
        start += length
    return out


def default_collate(batch: list) -> Any:
    """Glue a list of examples into one batch, as PyTorch does: tensors (and numpy arrays) are stacked along a new
    first dimension; Python floats become a float64 tensor, ints an int64 one; tuples and lists are collated
    position by position (giving a list), dicts key by key; strings are kept as a tuple."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        return stack([tensor(b) for b in batch], 0)
    if isinstance(elem, np.generic):
        return tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, numbers.Real):
        return tensor(batch, dtype="float64")
    if isinstance(elem, str):
        return tuple(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {type(elem)}. "
        "Pass your own collate_fn to DataLoader for other kinds of examples."
    )


def default_convert(data: Any) -> Any:
    """What DataLoader does to each example when ``batch_size=None``: numpy arrays become tensors, the rest stays."""
    if isinstance(data, np.ndarray):
        return tensor(data)
    if isinstance(data, Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` examples glued together by ``collate_fn``.

    Args:
        batch_size: examples per batch (None: one example at a time, not batched).
        shuffle: visit the examples in a new random order every epoch (every ``for`` loop over the loader).
        generator: the :class:`~mini_autograd.Generator` that draws the orders; without one they come from the
            default generator, so ``manual_seed`` makes them reproducible.
        drop_last: leave out the last batch when it is smaller than ``batch_size``.
        collate_fn: turns a list of examples into a batch (``default_collate`` by default).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        **kwargs: Any,
    ) -> None:
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0
        ):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(shuffle, (bool, type(None))):
            raise TypeError(f"DataLoader: shuffle must be True or False, got {shuffle!r}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.num_workers = num_workers
        self.collate_fn = (
            collate_fn
            if collate_fn is not None
            else (default_collate if batch_size is not None or batch_sampler is not None else default_convert)
        )
        self.drop_last = drop_last
        self.generator = generator

    def _indices(self) -> list:
        if self.sampler is not None:
            return list(self.sampler)
        n = len(self.dataset)
        if self.shuffle:
            return _rng(self.generator).permutation(n).tolist()
        return list(range(n))

    def _batches(self) -> Iterator[list]:
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        indices = self._indices()
        size = self.batch_size
        for start in range(0, len(indices), size):
            chunk = indices[start : start + size]
            if len(chunk) < size and self.drop_last:
                return
            yield chunk

    def __iter__(self) -> Iterator[Any]:
        if self.batch_size is None and self.batch_sampler is None:
            for i in self._indices():
                yield self.collate_fn(self.dataset[i])
            return
        for chunk in self._batches():
            yield self.collate_fn([self.dataset[i] for i in chunk])

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

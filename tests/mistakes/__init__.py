"""The catalogue of realistic wrong answers, one module per lesson (``l03_graphs.py`` for ``03_graphs``).

Each module defines ``LESSON`` (the lesson's name), ``MISTAKES`` (a list of :class:`Mistake`) and ``EQUIVALENT``
(the names of automatic mutants that cannot change any result, each with the reason). ``tests/test_mistakes.py``
puts every mistake into the released notebook and requires a visible check of its exercise to fail with a message
that names it; ``tests/test_mutations.py`` mutates the solutions and counts what the checks catch.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a student really writes, for one exercise.

    ``code`` replaces the exercise's solution cell (``cell``, its grade id, when the exercise has several);
    ``words`` must all appear (case-insensitive) in the message of a visible check that fails on it.
    """

    exercise: str
    name: str
    code: str
    words: list[str] = field(default_factory=list)
    cell: str | None = None


@dataclass(frozen=True)
class Catalogue:
    lesson: str
    mistakes: list[Mistake]
    equivalent: dict[str, str]


def catalogues() -> dict[str, Catalogue]:
    """Every lesson's catalogue, by lesson name."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"{__name__}.{info.name}")
        lesson = module.LESSON
        assert lesson not in found, f"two catalogue modules claim lesson {lesson!r}: {info.name} and another"
        found[lesson] = Catalogue(lesson, list(module.MISTAKES), dict(getattr(module, "EQUIVALENT", {})))
    return found

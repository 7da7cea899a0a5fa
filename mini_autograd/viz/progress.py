"""A progress bar for long loops: tqdm's, as a notebook widget in Jupyter and as text elsewhere.

Silent while nbgrader validates or autogrades (it sets ``NBGRADER_EXECUTION``): nbgrader gives no points to a test
cell that writes to stderr, and a text progress bar writes there.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any


def progress(iterable: Iterable | None = None, **kw: Any):
    """``tqdm.auto.tqdm(iterable, **kw)``, disabled when ``NBGRADER_EXECUTION`` is set (unless ``disable`` is given).

    >>> total = 0
    >>> for i in progress(range(3), desc="training", disable=True):
    ...     total += i
    """
    from tqdm.auto import tqdm

    if "disable" not in kw and os.environ.get("NBGRADER_EXECUTION"):
        kw["disable"] = True
    return tqdm(iterable, **kw)

"""Pausing Python's cycle collector around work that makes millions of short-lived, acyclic objects
(batch decisions, index builds): it would rescan them again and again as the heap grows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

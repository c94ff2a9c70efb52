"""Answers already computed, kept by whoever owns them (an Engine), never in module globals.

Keys hold the catalog's and the regime data's identity, so one memo never mixes answers from
different data; each cache is cleared when it reaches its limit, bounding memory.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

V = TypeVar("V")
CACHE_LIMIT = 500_000


class Bounded(Generic[V]):
    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self.limit = limit
        self._items: dict[tuple[Any, ...], V] = {}

    def get(self, key: tuple[Any, ...]) -> V | None:
        return self._items.get(key)

    def put(self, key: tuple[Any, ...], value: V) -> V:
        if len(self._items) >= self.limit:
            self._items.clear()
        self._items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class Memo:
    """Decisions by rule period and by date, and classifications by rule period."""

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        from computegate.rules.classify import Classification
        from computegate.rules.request import Decision

        self.decisions: Bounded[Decision] = Bounded(limit)
        self.dated: Bounded[Decision] = Bounded(limit)
        self.classifications: Bounded[Classification] = Bounded(limit)

    def clear(self) -> None:
        self.decisions.clear()
        self.dated.clear()
        self.classifications.clear()

"""Screening's per-name and per-token memo caches, in one place.

Batch jobs meet the same names again and again, so normalisation and index keys are memoised
(functools.lru_cache, sized for batches). A long-running service meets ever-new names: it asks
`bound_name_caches` to empty them all once one grows past its limit, so memory stays flat."""

from __future__ import annotations

from typing import Any

from computegate.screening import normalize, screener


def name_caches() -> tuple[Any, ...]:
    """Every lru_cache keyed by a name, word or token (not the one-off syllable tables)."""
    return (
        normalize.normalise,
        normalize.fold,
        normalize.syllabify,
        normalize.segment,
        normalize.romanise,
        normalize._classify,
        normalize._legal_token,
        screener._token_keys,
    )


def bound_name_caches(limit: int) -> bool:
    """Empty the caches if one holds more than `limit` entries; True if it did."""
    caches = name_caches()
    if max(c.cache_info().currsize for c in caches) <= limit:
        return False
    for cache in caches:
        cache.cache_clear()
    return True

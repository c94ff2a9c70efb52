"""Restricted-party screening: CSL list loaders, multilingual normalisation, explained fuzzy matches."""

from computegate.screening.lists import ListEntry, ListIdentity, ScreeningList, load_list
from computegate.screening.screener import DEFAULT_THRESHOLD, Hit, Screener, ScreeningResult

__all__ = [
    "DEFAULT_THRESHOLD",
    "Hit",
    "ListEntry",
    "ListIdentity",
    "Screener",
    "ScreeningList",
    "ScreeningResult",
    "load_list",
]

"""Screener: a trigram candidate index over every alias, then explained, calibrated scores.

No query scans the whole list: candidates come from the character trigrams of the query's core
tokens (very common trigrams are skipped), then rapidfuzz scores each candidate alias on name
similarity (spacing- and order-insensitive edit distance with transpositions), place agreement, country and address.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from computegate.model.requests import ScreeningEvidence
from computegate.screening.lists import ListEntry, ListIdentity, ScreeningList
from computegate.screening.normalize import PLACES, NormalName, acronyms, normalise

DEFAULT_THRESHOLD = 0.86
REPORT_FLOOR = 0.70  # hits below this are not reported at all
MAX_CANDIDATES = 30
SHORT = 4  # core names this short must match exactly (fuzzy short strings collide)
ACRONYM_SCORE = 0.90
ONE_TYPO_SCORE = 0.88  # one typo (edit or transposition) in a name of 5+ letters
MIN_TYPO_LENGTH = 5
TIE_BREAK = 0.01
ACRONYM_MAX = 6  # single-token queries this short are also tried as initialisms
MAX_BONUS = 0.10  # the most place, country and address agreement can add
STOP_GRAM_FLOOR = (
    200  # trigrams on more aliases than this (or 2% of them) are too common to block on
)
CHINA_FAMILY = frozenset({"CN", "HK", "MO"})
PLACE_WORDS = PLACES | {"beijingshi", "shanghaishi", "xianggang", "aomen", "zhongguo"}


class Hit(BaseModel):
    model_config = ConfigDict(frozen=True)
    score: float
    entry_id: str
    entry_name: str
    matched_name: str
    source: str
    federal_register_notice: str | None
    countries: list[str]
    explanation: dict[str, Any]


class ScreeningResult(BaseModel):
    """Every hit explains itself and cites the exact list version it came from."""

    model_config = ConfigDict(frozen=True)
    query: str
    country: str | None
    list: ListIdentity
    threshold: float
    hit: bool
    hits: builtins.list[Hit]  # `list` is a field name here

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def evidence(self) -> ScreeningEvidence:
        """What a decision needs to know and cite about this screening."""
        best = self.best if self.hit else None
        return ScreeningEvidence(
            list_source=self.list.source,
            list_sha256=self.list.sha256,
            threshold=self.threshold,
            hit=self.hit,
            score=best.score if best else (self.best.score if self.best else None),
            entry_id=best.entry_id if best else None,
            entry_name=best.entry_name if best else None,
            matched_name=best.matched_name if best else None,
            list_name=best.source if best else None,
            federal_register_notice=best.federal_register_notice if best else None,
        )


@dataclass(frozen=True)
class _Alias:
    entry: int
    text: str
    kind: Literal["name", "alt_name", "acronym"]
    norm: NormalName


def _grams(token: str) -> set[str]:
    padded = f" {token} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _places(n: NormalName) -> frozenset[str]:
    return frozenset(t for t in n.secondary if t in PLACE_WORDS)


class Screener:
    """Screen names against one list. Build once (seconds for 50k names), query many times."""

    def __init__(self, screening_list: ScreeningList, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.list = screening_list
        self.threshold = threshold
        self._entries: tuple[ListEntry, ...] = screening_list.entries
        self._aliases: list[_Alias] = []
        self._acronyms: dict[str, list[int]] = defaultdict(list)
        postings: dict[str, list[int]] = defaultdict(list)
        self._places: list[frozenset[str]] = []
        for e, entry in enumerate(self._entries):
            names = [(entry.name, "name")] + [(a, "alt_name") for a in entry.alt_names]
            cities = [normalise(a.city) for a in entry.addresses if a.city]
            self._places.append(
                frozenset().union(
                    *(_places(normalise(t)) for t, _ in names),
                    *(set(c.core) & PLACE_WORDS for c in cities),
                )
            )
            for text, kind in names:
                norm = normalise(text)
                if not norm.core:
                    continue
                idx = len(self._aliases)
                self._aliases.append(_Alias(e, text, kind, norm))  # type: ignore[arg-type]
                for gram in {g for t in norm.core for g in _grams(t)}:
                    postings[gram].append(idx)
                for acr in acronyms(text):
                    self._acronyms[acr].append(idx)
        self._stop = max(STOP_GRAM_FLOOR, len(self._aliases) // 50)
        self._postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}

    def _candidates(self, q: NormalName) -> list[int]:
        """Aliases sharing the most core trigrams with the query (very common trigrams skipped)."""
        grams = {g for t in q.core for g in _grams(t)}
        lists = [self._postings[g] for g in grams if g in self._postings]
        useful = [ids for ids in lists if len(ids) <= self._stop] or lists
        if not useful:
            return []
        ids, counts = np.unique(np.concatenate(useful), return_counts=True)
        need = max(1, int(0.3 * len(grams)))
        if len(ids) > MAX_CANDIDATES:
            keep = np.argpartition(counts, -MAX_CANDIDATES)[-MAX_CANDIDATES:]
            ids, counts = ids[keep], counts[keep]
        return [int(i) for i, c in zip(ids, counts, strict=True) if c >= need]

    def screen(
        self, name: str, country: str | None = None, address: str | None = None, limit: int = 5
    ) -> ScreeningResult:
        """Best hits first; `hit` is true when the best reaches the threshold."""
        q = normalise(name)
        country = country.strip().upper() if country else None
        best: dict[int, tuple[float, int, bool, dict[str, Any]]] = {}
        if q.core:
            pairs = [(i, False) for i in self._candidates(q)]
            if len(q.core) == 1 and len(q.squashed) <= ACRONYM_MAX:
                pairs += [(i, True) for i in self._acronyms.get(q.squashed, ())]
            for i, acronym in pairs:
                alias = self._aliases[i]
                name_score, parts = _name_similarity(q, alias.norm, acronym)
                if name_score < REPORT_FLOOR - MAX_BONUS:
                    continue  # no adjustment could lift it to the floor
                score = self._adjusted(alias.entry, q, name_score, parts, country, address)
                if score >= REPORT_FLOOR and (
                    alias.entry not in best or score > best[alias.entry][0]
                ):
                    best[alias.entry] = (score, i, acronym, parts)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], self._entries[kv[0]].name))[:limit]
        hits = [self._hit(q, score, i, acronym, parts) for _, (score, i, acronym, parts) in ranked]
        return ScreeningResult(
            query=name,
            country=country,
            list=self.list.identity,
            threshold=self.threshold,
            hit=bool(hits) and hits[0].score >= self.threshold,
            hits=hits,
        )

    def _adjusted(
        self,
        entry_index: int,
        q: NormalName,
        score: float,
        parts: dict[str, Any],
        country: str | None,
        address: str | None,
    ) -> float:
        """Name similarity adjusted for place, country and address agreement, clamped to 0-1."""
        entry = self._entries[entry_index]
        qp, ap = _places(q), self._places[entry_index]
        if qp and ap:
            place = -0.08 if qp - ap else 0.02  # a place the query names that the entry lacks
            score += place
            parts["places"] = place
        if country and entry.countries:
            if country in entry.countries:
                adj = 0.03
            elif country in CHINA_FAMILY and entry.countries & CHINA_FAMILY:
                adj = 0.0
            else:
                adj = -0.12
            score += adj
            parts["country"] = adj
        if address and entry.addresses:
            sim = max(fuzz.token_set_ratio(address, x.text()) for x in entry.addresses) / 100
            adj = round(0.05 * (2 * sim - 1), 4)
            score += adj
            parts["address"] = adj
        return round(min(1.0, max(0.0, score)), 4)

    def _hit(
        self, q: NormalName, score: float, alias_index: int, acronym: bool, parts: dict[str, Any]
    ) -> Hit:
        alias = self._aliases[alias_index]
        entry = self._entries[alias.entry]
        explanation = {
            "list": entry.source,
            "entry_id": entry.id,
            "matched_alias": alias.text,
            "alias_kind": "acronym" if acronym else alias.kind,
            "query_normalised": {"core": list(q.core), "secondary": list(q.secondary)},
            "alias_normalised": {
                "core": list(alias.norm.core),
                "secondary": list(alias.norm.secondary),
            },
            "components": parts,
        }
        return Hit(
            score=score,
            entry_id=entry.id,
            entry_name=entry.name,
            matched_name=alias.text,
            source=entry.source,
            federal_register_notice=entry.federal_register_notice,
            countries=sorted(entry.countries),
            explanation=explanation,
        )


def _name_similarity(q: NormalName, a: NormalName, acronym: bool) -> tuple[float, dict[str, Any]]:
    """Spacing- and order-insensitive edit similarity of the core names, with its components."""
    if acronym:
        return ACRONYM_SCORE, {"name": ACRONYM_SCORE, "acronym": q.squashed}
    lev = OSA.normalized_similarity(q.squashed, a.squashed)
    lev_sorted = OSA.normalized_similarity(q.sorted_squashed, a.sorted_squashed)
    name = max(lev, lev_sorted)
    if a.generic_only:
        name = max(name, OSA.normalized_similarity(q.all_sorted_squashed, a.all_sorted_squashed))
    parts: dict[str, Any] = {
        "edit_similarity": round(lev, 4),
        "edit_similarity_sorted": round(lev_sorted, 4),
    }
    if name < 1.0 and min(len(q.squashed), len(a.squashed)) >= MIN_TYPO_LENGTH:
        edits = min(
            OSA.distance(q.squashed, a.squashed), OSA.distance(q.sorted_squashed, a.sorted_squashed)
        )
        parts["edits"] = edits
        if edits == 1:
            name = max(name, ONE_TYPO_SCORE)
    if name > REPORT_FLOOR - MAX_BONUS:
        # tie-break among siblings sharing the distinctive name (subsidiaries, branches)
        name -= TIE_BREAK * (1 - fuzz.token_sort_ratio(q.all_text, a.all_text) / 100)
    if min(len(q.squashed), len(a.squashed)) <= SHORT and q.squashed != a.squashed:
        name *= 0.5
        parts["short_name_penalty"] = True
    parts["name"] = round(name, 4)
    return name, parts

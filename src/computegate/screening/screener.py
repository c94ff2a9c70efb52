"""Screener: a trigram candidate index over every alias, then explained, calibrated scores.

No query scans the whole list: candidates are the aliases sharing the most IDF-weighted character
trigrams with the query's folded core tokens (very common trigrams skipped), plus any alias whose
folded core is the query's. Each candidate is scored two ways and the better counts: spacing- and
order-insensitive edit similarity of the core names, and a token alignment in any order (people's
name parts, company words) in which generic words weigh little, transliteration/OCR folds and
abbreviations match (a hanzi name is also listed by its distinctive sub-segments: 中科寒武纪科技
as 寒武纪科技), and the entry's unmatched words cost (a missing part costs half when
everything the query names is matched). Place, country and address agreement adjust the score;
ranking uses the unclamped score, so siblings sharing a brand separate.
"""

from __future__ import annotations

import builtins
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from computegate.io.memory import cycle_collector_paused
from computegate.model.requests import ScreeningEvidence
from computegate.screening.lists import ListEntry, ListIdentity, ScreeningList
from computegate.screening.normalize import (
    CJK,
    PLACES,
    NormalName,
    acronyms,
    hanzi_abbreviations,
    hanzi_sub_segments,
    is_patronymic,
    normalise,
    short_form_key,
    wade_giles,
)

DEFAULT_THRESHOLD = 0.86
REPORT_FLOOR = 0.70  # hits below this are not reported at all
MAX_CANDIDATES = 16
ALIGNED_CANDIDATES = 6  # the best-ranked candidates also get the (slower) token alignment
MIN_OVERLAP = 0.15  # share of the query's (kept, IDF-weighted) trigrams a candidate must have
SHORT = 4  # core names this short must match exactly (fuzzy short strings collide)
ACRONYM_SCORE = 0.90
AMBIGUOUS_ACRONYM = 0.1  # initials shared by several entries: reported, below the threshold
ONE_TYPO_SCORE = 0.88  # one typo (edit or transposition) in a name of 5+ letters
MIN_TYPO_LENGTH = 5
ACRONYM_MAX = 6  # single-token queries this short are also tried as initialisms
MAX_BONUS = 0.10  # the most place, country and address agreement can add
STOP_GRAM_FLOOR = (
    200  # trigrams on more aliases than this (or 2% of them) are too common to block on
)
CORE_WEIGHT = 1.0
SECONDARY_WEIGHT = 0.35  # generic words, places, articles: weighted down, never deleted
MISSING_PART_COST = 0.5  # an unmatched part costs this share when the other side is all matched
FOLD_SCORE = 0.95  # tokens equal once transliteration/OCR differences are folded
ABBREVIATION_SCORE = 0.9  # "Univ" for University, "Intl" for International
CONTRACTION_SHARE = 0.6  # a contraction ("Dept") keeps at most this share of its word...
MIN_CONTRACTED = 6  # ...of at least this many letters (CEC is no contraction of CCCEC)
SKELETON_SCORE = 0.88  # same consonants (Husayn/Hossein) or vowels alone differ (Duri/Dore)
SKELETON_FLOOR = 0.5  # ...and no less similar than this as spelt
TOKEN_FLOOR = 0.75  # token pairs less similar than this do not match at all
NUMBER_MISMATCH = 0.3  # "Hao Fan 8" is not "Hao Fan 3": different numbers are different vessels
PARTY_KINDS = ("entity", "person", "vessel")  # what a query may say it is (`kind`)
ENTRY_KINDS = {
    "entity": "entity",
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
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
    license_requirement: str | None = None
    license_policy: str | None = None


class ScreeningResult(BaseModel):
    """Every hit explains itself and cites the exact list version it came from."""

    model_config = ConfigDict(frozen=True)
    query: str
    country: str | None
    list: ListIdentity
    kind: str | None = (
        None  # the party kind screened for: given, or said by the name (a legal form)
    )
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
            license_requirement=best.license_requirement if best else None,
            license_policy=best.license_policy if best else None,
        )


@dataclass(frozen=True)
class _Alias:
    """A listed name (or the query) with the strings scoring compares, computed once."""

    entry: int
    text: str
    kind: Literal["name", "alt_name", "romanised", "short_form", "query"]
    norm: NormalName
    person: bool
    tokens: tuple[tuple[str, str, float], ...] = ()  # (token, folded, weight)
    squashed: str = ""
    sorted_squashed: str = ""
    folded_squashed: str = ""
    numbers: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        entry: int,
        text: str,
        kind: Literal["name", "alt_name", "romanised", "short_form", "query"],
        norm: NormalName,
        person: bool,
    ) -> _Alias:
        return cls(
            entry,
            text,
            kind,
            norm,
            person,
            _tokens(norm),
            norm.squashed,
            norm.sorted_squashed,
            norm.folded_squashed,
            norm.numbers,
        )


def _tokens(n: NormalName) -> tuple[tuple[str, str, float], ...]:
    from computegate.screening.normalize import fold

    return tuple((t, fold(t), CORE_WEIGHT) for t in n.core) + tuple(
        (t, fold(t), SECONDARY_WEIGHT) for t in (*n.secondary, *n.org_words)
    )


def _grams(token: str) -> set[str]:
    padded = f" {token} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _keys(n: NormalName) -> set[str]:
    """Index keys of a name: trigrams of its folded core tokens, their consonant skeletons and
    vowel patterns (so Husayn/Hossein and Kani/Kane share a key)."""
    return set().union(*(_token_keys(t) for t in n.folded))


@lru_cache(maxsize=200_000)
def _token_keys(token: str) -> frozenset[str]:
    keys = _grams(token)
    if len(sk := _skeleton(token)) >= 3:
        keys.add("~" + sk)
    if len(token) >= 4 and not token.isdigit():
        keys.add("^" + _vowel_pattern(token))
    return frozenset(keys)


def _places(n: NormalName) -> frozenset[str]:
    return frozenset(t for t in n.secondary if t in PLACE_WORDS)


class Screener:
    """Screen names against one list. Build once (seconds for 50k names), query many times."""

    def __init__(self, screening_list: ScreeningList, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.list = screening_list
        self.threshold = threshold
        self._entries: tuple[ListEntry, ...] = screening_list.entries
        self._aliases: list[_Alias] = []
        self._acronyms: dict[str, list[tuple[int, int]]] = defaultdict(list)  # (alias, strength)
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._abbreviations: dict[str, list[tuple[int, int]]] = defaultdict(list)  # 哈工大
        postings: dict[str, list[int]] = defaultdict(list)
        self._places: list[frozenset[str]] = []
        # an entry's party kind from its list type (unknown types match any query)
        self._kinds = [ENTRY_KINDS.get((e.type or "").lower()) for e in self._entries]
        with cycle_collector_paused():
            self._index(postings)

    def _index(self, postings: dict[str, list[int]]) -> None:
        for e, entry in enumerate(self._entries):
            names = [(entry.name, "name")] + [(a, "alt_name") for a in entry.alt_names]
            cities = [normalise(a.city) for a in entry.addresses if a.city]
            self._places.append(
                frozenset().union(
                    *(_places(normalise(t)) for t, _ in names),
                    *(set(c.core) & PLACE_WORDS for c in cities),
                )
            )
            names += [(w, "romanised") for t, _ in names if (w := wade_giles(t))] + [
                (sub, "short_form") for t, _ in names for sub in hanzi_sub_segments(t)
            ]
            person = (entry.type or "").lower() == "individual"
            for text, kind in names:
                norm = normalise(text)
                if not norm.core:
                    continue
                idx = len(self._aliases)
                self._aliases.append(_Alias.of(e, text, kind, norm, person))  # type: ignore[arg-type]
                for gram in _keys(norm):
                    postings[gram].append(idx)
                self._exact[norm.folded_squashed].append(idx)
                # initials of names written in Latin letters (not of hanzi or their Wade-Giles
                # alias); people and vessels go by names
                if (
                    self._kinds[e] in ("entity", None)
                    and kind != "romanised"
                    and not CJK.search(text)
                ):
                    for acr, strength in acronyms(text).items():
                        self._acronyms[acr].append((idx, strength))
                for abbr, strength in (
                    hanzi_abbreviations(text) if kind != "short_form" else {}
                ).items():
                    self._abbreviations[short_form_key(normalise(abbr))].append((idx, strength))
        self._stop = max(STOP_GRAM_FLOOR, len(self._aliases) // 50)
        self._postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}
        self._idf = {g: math.log(len(self._aliases) / len(ids)) for g, ids in postings.items()}
        # each alias's total key weight, in one pass
        ids = np.concatenate([np.zeros(0, dtype=np.int32), *self._postings.values()])
        weights = np.repeat(
            [self._idf[g] for g in self._postings], [len(x) for x in postings.values()]
        )
        norms = np.bincount(ids, weights=weights, minlength=len(self._aliases))
        self._norms = np.maximum(norms, 1e-9)

    def _candidates(self, q: NormalName) -> list[int]:
        """Aliases sharing the most IDF-weighted trigrams of the query's folded core tokens.

        The overlap is counted over the trigrams kept (very common ones are skipped), and aliases
        whose folded core equals the query's are always candidates.
        """
        grams = [g for g in _keys(q) if g in self._postings]
        kept = [g for g in grams if len(self._postings[g]) <= self._stop]
        if not kept:  # only common trigrams: block on the rarest few
            kept = sorted(grams, key=lambda g: len(self._postings[g]))[:3]
        exact = self._exact.get(q.folded_squashed, [])
        # (exact matches go first, so they are always aligned)
        if not kept:
            return list(exact)
        lists = [self._postings[g] for g in kept]
        ids = np.concatenate(lists)
        weights = np.repeat([self._idf[g] for g in kept], [len(x) for x in lists])
        totals = np.bincount(ids, weights=weights, minlength=len(self._aliases))
        need = MIN_OVERLAP * sum(self._idf[g] for g in kept)
        unique = np.flatnonzero(totals >= need)
        scores = totals[unique]
        rank = scores / np.sqrt(self._norms[unique])  # cosine-like: over the alias's own weight
        if len(unique) > MAX_CANDIDATES:
            top = np.argpartition(rank, -MAX_CANDIDATES)[-MAX_CANDIDATES:]
            unique, rank = unique[top], rank[top]
        out = [int(i) for i in unique[np.argsort(-rank)]]  # best first
        return list(exact) + [i for i in out if i not in exact]

    def screen(
        self,
        name: str,
        country: str | None = None,
        address: str | None = None,
        limit: int = 5,
        kind: str | None = None,
    ) -> ScreeningResult:
        """Best hits first; `hit` is true when the best reaches the threshold.

        `kind` (entity, person or vessel) says what the party is; without it, a legal form in the
        name says entity and a vessel prefix (MV, M/T) says vessel. Entries of another kind are
        not candidates: a company is not the vessel that shares its distinctive word.
        """
        if kind is not None and kind not in PARTY_KINDS:
            raise ValueError(f"kind: expected one of {', '.join(PARTY_KINDS)}, got {kind!r}")
        q = normalise(name)
        party = kind or q.party
        country = country.strip().upper() if country else None
        best: dict[int, tuple[float, float, int, bool, dict[str, Any]]] = {}
        if q.core:
            query = _Alias.of(-1, name, "query", q, kind == "person")
            pairs = [(i, False) for i in self._candidates(q)]
            initials: list[tuple[int, int]] = []
            if len(q.core) == 1 and (len(q.squashed) <= ACRONYM_MAX or q.original.isupper()):
                initials += self._acronyms.get(q.squashed, ())
            if len(q.core) == 1:  # hanzi short forms, written in hanzi or pinyin
                initials += self._abbreviations.get(short_form_key(q), ())
            # a kind given admits entries of that kind; one the name says only excludes the
            # other of entity/vessel (a person's name may read like a legal form: "Sa'd")
            excluded = (
                set(ENTRY_KINDS.values()) - {kind}
                if kind
                else ({"entity", "vessel"} - {party} if party else set())
            )
            if excluded:
                kinds = self._kinds
                pairs = [p for p in pairs if kinds[self._aliases[p[0]].entry] not in excluded]
                initials = [x for x in initials if kinds[self._aliases[x[0]].entry] not in excluded]
            pairs += [(i, True) for i, _ in initials]
            # initials several listed parties share at their strongest identify none of them;
            # an entry whose initials are only a looser reading yields to one whose are strongest
            strongest = min((strength for _, strength in initials), default=0)
            owners = {self._aliases[i].entry for i, strength in initials if strength == strongest}
            unique = {i for i, strength in initials if strength == strongest and len(owners) == 1}
            aliases = [self._aliases[i] for i, _ in pairs]
            edit = _edit_similarities(query, aliases)
            # every alias sharing the query's core is aligned: siblings differ in their other words
            shared = min(len(self._exact.get(q.folded_squashed, ())), MAX_CANDIDATES)
            aligned = _alignments(query, aliases[: max(ALIGNED_CANDIDATES, shared)])
            # a short word in capitals (JAM, AKME) is an initialism: it names a party whose word
            # it is, or whose initials; never one with a word it resembles (Jamiyat, AQIM)
            # (so is a longer word in capitals that is some listed party's initials: SIGHS)
            initialism = (
                len(q.core) == 1
                and name.strip().isupper()
                and (len(q.squashed) <= SHORT or any(acronym for _, acronym in pairs))
            )
            for n, (i, acronym) in enumerate(pairs):
                alias = aliases[n]
                whole = not initialism or q.core[0] in alias.norm.core  # as spelt: MTT is not MMT
                measures = (*edit[n], aligned[n] if n < len(aligned) and whole else 0.0)
                name_score, parts = _name_similarity(query, alias, acronym, measures)
                if acronym and i not in unique:
                    name_score -= AMBIGUOUS_ACRONYM
                    parts["ambiguous_acronym"] = True
                if name_score < REPORT_FLOOR - MAX_BONUS:
                    continue  # no adjustment could lift it to the floor
                # initials name no place: 中国集制 (SMIC) is not about China
                score = self._adjusted(
                    alias.entry, q, name_score, parts, country, address, places=not acronym
                )
                rank = (score, parts.get("token_alignment", 0.0))
                if score >= REPORT_FLOOR and (
                    alias.entry not in best or rank > best[alias.entry][:2]
                ):
                    best[alias.entry] = (score, rank[1], i, acronym, parts)
        # equal scores: the better aligned, then the alias closer as written (legal forms too)
        written = name.casefold()
        ranked = sorted(
            best.items(),
            key=lambda kv: (
                -kv[1][0],
                -kv[1][1],
                -fuzz.ratio(written, self._aliases[kv[1][2]].text.casefold()),
                self._entries[kv[0]].name,
            ),
        )[:limit]
        hits = [
            self._hit(q, round(min(1.0, score), 4), i, acronym, parts)
            for _, (score, _, i, acronym, parts) in ranked
        ]
        return ScreeningResult(
            query=name,
            country=country,
            list=self.list.identity,
            kind=party,
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
        places: bool = True,
    ) -> float:
        """Name similarity adjusted for place, country and address agreement (unclamped, for ranking)."""
        entry = self._entries[entry_index]
        qp, ap = _places(q), self._places[entry_index]
        if places and qp and ap:
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
        return max(0.0, score)

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
            "components": {k: round(v, 4) if isinstance(v, float) else v for k, v in parts.items()},
        }
        return Hit.model_construct(  # built from validated list entries: no re-validation
            score=score,
            entry_id=entry.id,
            entry_name=entry.name,
            matched_name=alias.text,
            source=entry.source,
            federal_register_notice=entry.federal_register_notice,
            countries=sorted(entry.countries),
            explanation=explanation,
            license_requirement=entry.license_requirement,
            license_policy=entry.license_policy,
        )


def _is_abbreviation(short: str, long: str, generic: bool, person: bool) -> bool:
    """ "Univ" for "University"; for generic words also contractions ("Intl", "Mfg"); for other
    words of an organisation a contraction keeping the last letter and at most CONTRACTION_SHARE
    of a long word ("Assn" for "Association", "Dept" for "Department"). People's names are not
    abbreviated this way (Kant is not Kanat)."""
    if len(short) < 3 or len(short) > len(long) - 2 or short[0] != long[0]:
        return False
    if long.startswith(short):
        return True
    if not generic and (
        person
        or short[-1] != long[-1]
        or len(short) > CONTRACTION_SHARE * len(long)
        or len(long) < MIN_CONTRACTED
    ):
        return False
    it = iter(long)
    return all(c in it for c in short)


def _skeleton(token: str) -> str:
    return token[0] + "".join(c for c in token[1:] if c not in "aeiouyhw") if token else ""


VOWELS = re.compile("[aeiouy]+")


def _vowel_pattern(token: str) -> str:
    """Vowels as one letter: Arabic names romanised with different vowels (Duri/Dore) meet."""
    return VOWELS.sub("a", token)


def _token_similarity(
    a: tuple[str, str, float], b: tuple[str, str, float], sim: float, person: bool
) -> float:
    """Two name parts: equal, equal once folded, an abbreviation, same consonants, or close."""
    if a[0] == b[0]:
        return 1.0
    if sim == 1.0:
        return FOLD_SCORE
    if a[0].isdigit() or b[0].isdigit():
        return 0.0
    if a[1][0] != b[1][0] and not (a[1][0] in "aeiouy" and b[1][0] in "aeiouy"):
        return sim if sim >= TOKEN_FLOOR else 0.0  # the special cases all keep the first letter
    if _is_abbreviation(a[0], b[0], b[2] < CORE_WEIGHT, person) or _is_abbreviation(
        b[0], a[0], a[2] < CORE_WEIGHT, person
    ):
        return ABBREVIATION_SCORE
    if (
        SKELETON_FLOOR <= sim < SKELETON_SCORE
        and min(len(a[1]), len(b[1])) >= 4
        and (
            _vowel_pattern(a[1]) == _vowel_pattern(b[1])
            or (len(ska := _skeleton(a[1])) >= 3 and ska == _skeleton(b[1]))
        )
    ):
        sim = SKELETON_SCORE
    return sim if sim >= TOKEN_FLOOR else 0.0


def _token_alignment(
    q: tuple[tuple[str, str, float], ...],
    a: tuple[tuple[str, str, float], ...],
    person: bool,
    matrix: list[list[float]],
    offset: int,
) -> float:
    """Weighted one-to-one alignment of name parts in any order, Dice-style over the weights.

    Unmatched parts cost their weight. When every core part the query names is matched, the
    entry's unmatched parts (a dropped patronymic, a dropped trade word) cost only a share; of the
    query's own extra parts only an added patronymic does — another surname or distinctive word
    names someone else. `matrix[i][offset + j]` is the folded edit similarity of q[i] and a[j].
    """
    pairs = []
    for i, x in enumerate(q):
        row = matrix[i]
        for j, y in enumerate(a):
            sim = row[offset + j]
            if sim < SKELETON_FLOOR and x[1][0] != y[1][0]:
                continue  # nothing alike, not even the first letter
            sim = _token_similarity(x, y, sim, person)
            if sim:
                pairs.append((sim, i, j))
    if not pairs:
        return 0.0
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_a: set[int] = set()
    matched = matched_weight = 0.0
    for sim, i, j in pairs:
        if i not in used_q and j not in used_a:
            used_q.add(i)
            used_a.add(j)
            weight = q[i][2] + a[j][2]
            matched += sim * weight
            matched_weight += weight
    q_all = all(i in used_q for i, t in enumerate(q) if t[2] == CORE_WEIGHT)
    a_all = all(j in used_a for j, t in enumerate(a) if t[2] == CORE_WEIGHT)
    a_left = sum(t[2] for j, t in enumerate(a) if j not in used_a)
    a_cost = MISSING_PART_COST if q_all else 1.0
    q_extra = sum(
        t[2] * (MISSING_PART_COST if a_all and person and is_patronymic(t[0]) else 1.0)
        for i, t in enumerate(q)
        if i not in used_q
    )
    total = matched_weight + q_extra + a_cost * a_left
    return matched / total if total else 0.0


def _edit_similarities(q: _Alias, aliases: list[_Alias]) -> list[tuple[float, float, float]]:
    """Edit similarity of the core names as spelt, sorted and folded, for all candidates at once."""
    if not aliases:
        return []
    score = OSA.normalized_similarity
    spelt = cdist([q.squashed], [a.squashed for a in aliases], scorer=score)[0].tolist()
    ordered = cdist([q.sorted_squashed], [a.sorted_squashed for a in aliases], scorer=score)
    folded = cdist([q.folded_squashed], [a.folded_squashed for a in aliases], scorer=score)
    return list(zip(spelt, ordered[0].tolist(), folded[0].tolist(), strict=True))


def _alignments(q: _Alias, aliases: list[_Alias]) -> list[float]:
    """Token alignment of the query with each alias; one batched edit-similarity matrix."""
    flat = [t[1] for a in aliases for t in a.tokens]
    if not flat or not q.tokens:
        return [0.0] * len(aliases)
    matrix = cdist([t[1] for t in q.tokens], flat, scorer=OSA.normalized_similarity).tolist()
    out = []
    offset = 0
    for a in aliases:
        out.append(_token_alignment(q.tokens, a.tokens, a.person, matrix, offset))
        offset += len(a.tokens)
    return out


def _name_similarity(
    q: _Alias, alias: _Alias, acronym: bool, measures: tuple[float, float, float, float]
) -> tuple[float, dict[str, Any]]:
    """The best of the core edit similarities and the token alignment, with its components."""
    if acronym:
        return ACRONYM_SCORE, {"name": ACRONYM_SCORE, "acronym": q.squashed}
    lev, lev_sorted, lev_folded, aligned = measures
    name = max(lev, lev_sorted, lev_folded)
    parts: dict[str, Any] = {
        "edit_similarity": lev,
        "edit_similarity_sorted": lev_sorted,
        "edit_similarity_folded": lev_folded,
        "token_alignment": aligned,
    }
    one_typo_at_most = 1 - 1 / MIN_TYPO_LENGTH  # one edit in the shortest name that counts
    if (
        one_typo_at_most <= max(lev, lev_sorted, lev_folded) < 1.0
        and min(len(q.squashed), len(alias.squashed)) >= MIN_TYPO_LENGTH
    ):
        edits = min(
            round((1 - sim) * max(len(x), len(y)))
            for sim, x, y in (
                (lev, q.squashed, alias.squashed),
                (lev_sorted, q.sorted_squashed, alias.sorted_squashed),
                (lev_folded, q.folded_squashed, alias.folded_squashed),
            )
        )
        parts["edits"] = edits
        if edits == 1:
            name = max(name, ONE_TYPO_SCORE)
    short = min(len(q.squashed), len(alias.squashed)) <= SHORT
    if short and q.sorted_squashed != alias.sorted_squashed:
        name *= 0.5  # short strings a few edits apart collide; matched parts are another matter
        parts["short_name_penalty"] = True
    name = max(name, aligned)
    if q.numbers != alias.numbers:
        name -= NUMBER_MISMATCH
        parts["number_mismatch"] = sorted(q.numbers ^ alias.numbers)
    parts["name"] = name
    return name, parts

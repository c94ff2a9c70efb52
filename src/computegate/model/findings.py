"""The parts every answer is made of: cited findings and the facts (or law) still unknown."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from computegate.model.built import filled

Confidence = Literal["primary", "secondary", "unconfirmed"]
CONFIDENCE_RANK: dict[Confidence | None, int] = {
    "primary": 0,
    None: 1,
    "secondary": 1,
    "unconfirmed": 2,
}


def _text(value: Any) -> bool:
    return value is None or type(value) is str


class Citation(BaseModel):
    """Where a finding is written: the CFR paragraph, the Federal Register document (or other
    source), a link, and how sure the data is of it (primary text read, secondary, unconfirmed)."""

    model_config = ConfigDict(frozen=True)
    cfr: str | None = None
    document: str | None = None
    url: str | None = None
    confidence: Confidence | None = None

    def __init__(
        self,
        *,
        cfr: str | None = None,
        document: str | None = None,
        url: str | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        values = {"cfr": cfr, "document": document, "url": url, "confidence": confidence}
        typed = _text(cfr) and _text(document) and _text(url) and _text(confidence)
        if typed and confidence in CONFIDENCE_RANK:
            filled(self, values)
            return
        super().__init__(**values)

    def __str__(self) -> str:
        return "; ".join(p for p in (self.cfr, self.document) if p) or self.url or ""

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def also(self, other: Citation) -> Citation:
        """Two sources for one finding (e.g. a country list and its review policy): both parts,
        the first link, and the weaker confidence."""
        cfr = "; ".join(dict.fromkeys(p for p in (self.cfr, other.cfr) if p)) or None
        doc = "; ".join(dict.fromkeys(p for p in (self.document, other.document) if p)) or None
        weaker = max((self.confidence, other.confidence), key=CONFIDENCE_RANK.__getitem__)
        return Citation(cfr=cfr, document=doc, url=self.url or other.url, confidence=weaker)


def _citation(value: Any) -> Any:
    """A plain string names the source in full (a CFR paragraph, a licence, a list version)."""
    return _plain_citation(value) if isinstance(value, str) else value


@lru_cache(maxsize=4096)
def _plain_citation(source: str) -> Citation:
    """One (immutable) Citation per source string: the rules cite the same few hundred again and again."""
    return Citation(cfr=source)


CitationField = Annotated[Citation, BeforeValidator(_citation)]
Role = Literal["decisive", "context"]


class Finding(BaseModel):
    """One step of reasoning: which rule fired, in plain words, where it is written, and whether it
    decides the answer (decisive) or explains it (context)."""

    model_config = ConfigDict(frozen=True)
    rule: str
    text: str
    citation: CitationField
    role: Role = "context"

    def __init__(
        self, *, rule: str, text: str, citation: Citation | str, role: Role = "context"
    ) -> None:
        if type(citation) is str:
            citation = _plain_citation(citation)
        values = {"rule": rule, "text": text, "citation": citation, "role": role}
        typed = type(rule) is str and type(text) is str and type(citation) is Citation
        if typed and (role == "context" or role == "decisive"):
            filled(self, values)  # the hottest constructor of all: see model/built.py
            return
        super().__init__(**values)


class MissingFact(BaseModel):
    """A fact the answer depends on but was not given, or a point where the law itself is unclear.

    `outcomes` maps each possibility to what it would lead to, so the user sees what is at stake.
    Kinds: a `fact` the request lacks; a `legal_ambiguity` in the text itself; a `legal_status_unknown`
    when a scheduled change (expiry, revival, sunset) falls after the data's knowledge horizon.
    """

    model_config = ConfigDict(frozen=True)
    fact: str
    kind: Literal["fact", "legal_ambiguity", "legal_status_unknown"] = "fact"
    question: str
    outcomes: dict[str, str]

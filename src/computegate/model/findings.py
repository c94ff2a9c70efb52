"""The parts every answer is made of: cited findings and the facts (or law) still unknown."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

Confidence = Literal["primary", "secondary", "unconfirmed"]
CONFIDENCE_RANK: dict[Confidence | None, int] = {
    "primary": 0,
    None: 1,
    "secondary": 1,
    "unconfirmed": 2,
}


class Citation(BaseModel):
    """Where a finding is written: the CFR paragraph, the Federal Register document (or other
    source), a link, and how sure the data is of it (primary text read, secondary, unconfirmed)."""

    model_config = ConfigDict(frozen=True)
    cfr: str | None = None
    document: str | None = None
    url: str | None = None
    confidence: Confidence | None = None

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
    return Citation(cfr=value) if isinstance(value, str) else value


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

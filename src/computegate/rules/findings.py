"""The parts every answer is made of: cited findings and the facts (or law) still unknown."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Finding(BaseModel):
    """One step of reasoning: which rule fired, in plain words, and where it is written."""

    model_config = ConfigDict(frozen=True)
    rule: str
    text: str
    citation: str


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

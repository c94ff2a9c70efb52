"""Schemas of the regime data files (validated on load; errors name file, key and problem)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal[
    "enacted",
    "superseded",
    "rescinded",
    "not_enforced",
    "suspended",
    "announcement",
    "pending",
    "proposed",
    "hypothetical",
    "scheduled",
]
Confidence = Literal["primary", "secondary", "unconfirmed"]
ParamType = Literal[
    "number",
    "bool",
    "date",
    "string",
    "string_list",
    "mapping",
    "bands",
    "country_list",
    "number_list",
    "conditions",
    "tiers",
    "letters",
]
MemberStatus = Literal["member", "ambiguous", "not_member"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Strict):
    coverage_start: dt.date
    knowledge_horizon: dt.date
    knowledge_note: str


class Instrument(_Strict):
    id: str
    title: str
    kind: str
    fr: str | None = None
    fr_doc: str | None = None
    cite_as: str | None = None
    published: dt.date | None = None
    effective: dt.date
    compliance: dt.date | None = None
    status: Status
    confidence: Confidence = "secondary"
    verified: dt.date | None = Field(
        default=None, description="When the text behind `confidence` was last re-read"
    )
    url: str | None = None
    changes: str


class InstrumentsFile(_Strict):
    meta: Meta
    instruments: list[Instrument]


class Period(_Strict):
    value: Any
    effective: dt.date
    end: dt.date | None = None
    compliance: dt.date | None = None
    source: str
    cfr: str
    confidence: Confidence | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> Period:
        if self.end is not None and self.end < self.effective:
            raise ValueError(f"end {self.end} is before effective {self.effective}")
        return self


class Parameter(_Strict):
    description: str
    type: ParamType
    confidence: Confidence | None = None
    verified: dt.date | None = None
    periods: list[Period] = Field(min_length=1)


class ParametersFile(_Strict):
    parameters: dict[str, Parameter]


class Membership(_Strict):
    codes: list[str] = Field(min_length=1)
    since: dt.date
    until: dt.date | None = None
    status: MemberStatus = "member"
    source: str
    confidence: Confidence | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _until_after_since(self) -> Membership:
        if self.until is not None and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")
        return self


class Group(_Strict):
    title: str
    cfr: str
    members: list[Membership]


class GroupsFile(_Strict):
    groups: dict[str, Group]


Topic = Literal["export_controls", "remote_access"]


class OverlayFile(_Strict):
    """A reform: edits parameters and groups the base regime declares, with metadata that says what
    it is. Surfaces pick what-if sets by `topic` and `status`, never by name."""

    name: str
    title: str
    topic: Topic
    status: Literal["enacted", "pending", "proposed", "lapsed", "hypothetical"]
    status_date: dt.date
    source: str
    description: str
    parameters: dict[str, list[Period]] = Field(default_factory=dict)
    groups: dict[str, list[Membership]] = Field(default_factory=dict)


class NewParameter(_Strict):
    """A parameter an amendment declares or adds periods to (description and type only if new)."""

    description: str | None = None
    type: ParamType | None = None
    periods: list[Period] = Field(min_length=1)


class Removal(_Strict):
    codes: list[str] = Field(min_length=1)
    effective: dt.date
    note: str | None = None


class GroupChange(_Strict):
    add: list[Membership] = Field(default_factory=list)
    remove: list[Removal] = Field(default_factory=list)


class AmendmentFile(_Strict):
    """One legal instrument and every change it makes to the base regime: new periods for
    parameters (each supersedes the open period before it from its effective date), new parameters,
    and countries added to or removed from groups. Adding a rule is adding one of these files."""

    instrument: Instrument
    parameters: dict[str, NewParameter] = Field(default_factory=dict)
    groups: dict[str, GroupChange] = Field(default_factory=dict)

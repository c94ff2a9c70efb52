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


class RuleEntry(_Strict):
    title: str
    role: Literal["decisive", "context"]


class RulesFile(_Strict):
    rules: dict[str, RuleEntry] = Field(min_length=1)


# -- provisions: the law's structure as data (see rules/evaluate.py) ------------------------------
Fact = Literal[
    "item.eccn",
    "item.datacenter",
    "item.hbm_bandwidth_density_gbs_per_mm2",
    "request.kind",
    "destination",
    "end_user.headquarters",
    "end_user.list",
    "ruling.exceptions",
    "gap.place",
    # a remote access (rules/remote.py)
    "provider.us_person",
    "datacenter",
    "workload.type",
    "workload.uses",
    "workload.training_compute_flop",
    "customer.ties",
    "customer.locations",
    "customer.list",
    "customer.foreign_person",
    "customer.foreign_person_reason",
    "item.jan2026_zone",
    # the bills' access control (provisions/ecra-1742-15-remote-access.yaml)
    "provider.service",
    "access.from",
    "item.paragraph",
    "request.assumes_determination",
    "access.as_export",
    "access.licence_answer",
    "customer.of_concern",
    "customer.subject_to_jurisdiction",
    "customer.of_concern_reason",
    "customer.national_abroad",
    "customer.residence",
    # end users and end uses (parts 744 and 746)
    "end_use",
    "end_user.military_end_user",
    "end_user.military_intelligence_end_user",
    "end_user.mi_places",
    "end_user.whole_owners",
    "destination_and_headquarters",
    # the exporter's own statements (rules/facts.py)
    "exporter.headquarters",
    "exporter.nac_notified",
    "exporter.bis_objected",
    # the Nov-2023 review policy chain (742.6(b)(10)(ii), the Jan-2026 case-by-case path)
    "end_user.own_headquarters",
    "end_user.parent_headquarters",
    "item.jan2026_window",
    "item.us_available_at_publication",
    "exporter.certifies",
    "exporter.cannot_certify",
    # a foreign-made item's origin, for whether it is subject to the EAR (rules/facts.py)
    "date",
    "item.readings",
    "origin.made_in",
    "origin.made",
    "origin.us_technology",
    "origin.us_content_pct",
    "end_user.fdp_footnotes",
    "jurisdiction.subject",
    "jurisdiction.if_subject",
]
"""The facts a provision may read (each has one reader in rules/evaluate.py)."""
Interpretation = Literal[
    "datacenter_item",
    "foreign_person",
    "hq_rule_reaches_hbm",
    "jan2026_reaches_computers",
    "computer_no_level_elsewhere",
]
"""Readings of the law kept in Python, registered by name with a citation (rules/evaluate.py)."""
Step = Literal[
    "requirement",
    "policy",
    "exceptions",
    "bars",
    "part744",
    "part746",
    "exporter",
    "remote.access",
    "remote.us_person",
    "remote.customer",
    "remote.iaas_kyc",
    "review",
    "remote.access_control",
    "jurisdiction",
    "jurisdiction.in_us",
    "jurisdiction.answer",
]
"""When a provision acts; the provisions of one step act in the order of their file names.
`exporter`: what the exporter states about itself, applied to the item ruling last (rules/facts.py).
`review`: the review policy of a required item ruling once its requirements are merged (a
conditionally licensed destination with the destination/headquarters scope), before exceptions.
`jurisdiction`: whether a foreign-made item abroad is subject to the EAR (734.4, 734.9), each
provision one basis; `jurisdiction.in_us`: one exported from the US; `jurisdiction.answer`: the
734.3 answer, read after the bases (rules/facts.py)."""
ReviewPolicyName = Literal["presumption_of_approval", "case_by_case", "presumption_of_denial"]


class Compare(_Strict):
    """A metric of the request compared with a parameter in force on the date."""

    metric: Fact
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    parameter: str


class Member(_Strict):
    """A place (or any of several places) in one of the country groups a parameter lists, or in a
    country list parameter, on the date; disputed membership is a legal ambiguity (unknown)."""

    place: Fact
    groups: str | None = None
    named: str | None = None
    # `certain`: a disputed group membership counts as not a member (the provision reaches only
    # certain members); `disputed`: a country list whose places the law may or may not name there
    # (a place in it and not certainly in scope makes the condition a legal ambiguity)
    certain: bool = False
    disputed: str | None = None

    @model_validator(mode="after")
    def _some_list(self) -> Member:
        if self.groups is None and self.named is None:
            raise ValueError("give `groups` (a group-list parameter) or `named` (a country list)")
        return self


class OneOf(_Strict):
    """A fact equals one of the listed values."""

    fact: Fact
    values: list[Any] = Field(min_length=1)


class Has(_Strict):
    """A list fact (e.g. the workload's stated uses) holds one of the values, or one of the values
    a list parameter holds on the date."""

    fact: Fact
    values: list[Any] = Field(default_factory=list)
    parameter: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Has:
        if bool(self.values) == (self.parameter is not None):
            raise ValueError("give `values` or `parameter` (a list parameter), not both")
        return self


class ParameterIs(_Strict):
    """A parameter's value on the date is one of the values (a reform's setting: never unknown)."""

    name: str
    values: list[Any] = Field(min_length=1)


class When(_Strict):
    """One node of the closed condition vocabulary: exactly one key is set."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    compare: Compare | None = None
    member: Member | None = None
    known: Fact | None = None
    is_: OneOf | None = Field(default=None, alias="is")
    interpret: Interpretation | None = None
    has: Has | None = None
    all: list[When] | None = Field(default=None, min_length=1)
    any: list[When] | None = Field(default=None, min_length=1)
    not_: When | None = Field(default=None, alias="not")
    certain: When | None = Field(
        default=None, description="true only if the part is certainly true (unknown reads false)"
    )
    parameter: ParameterIs | None = None
    condition_of: str | None = Field(
        default=None,
        description="the condition of another provision (one version), by id: written once",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> When:
        keys = [k for k, v in self if v is not None]
        if len(keys) != 1:
            raise ValueError(f"a condition has exactly one key, got {keys or 'none'}")
        return self


class FindingSpec(_Strict):
    """A finding to record: its text (with {fact}/{parameter} placeholders), which parameter's
    citation it carries (the provision's own citation if none) and, optionally, the part of the
    condition it reports (recorded only when that part holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    text: str
    rule: str | None = None
    cite: str | None = None
    cite_also: list[str] = Field(default_factory=list)
    if_: When | None = Field(default=None, alias="if")


class ConditionSpec(_Strict):
    id: str
    text: str
    cite: str | None = None


class ConditionsFrom(_Strict):
    """Conditions a `conditions` parameter lists (each with its own CFR paragraph), picked by id
    (no ids: every condition it lists on the date)."""

    parameter: str
    ids: list[str] = Field(default_factory=list)


class NoDecision(_Strict):
    """The question put when the separate decision cannot be made (its request lacks a fact)."""

    fact: str
    question: str
    outcomes: dict[str, str] = Field(min_length=1)


class OutcomeFrom(_Strict):
    """The outcome of a separate decision the request is treated like (a fact holding a decision):
    its outcome, review policy and missing facts, and its findings of the listed rules, each under
    `rule`.<its own id>. No such decision (its request lacks a fact): unknown, asking `if_none`."""

    fact: Fact
    rule: str
    findings: list[str] = Field(default_factory=list)
    if_none: NoDecision


class Effect(_Strict):
    """What follows when the condition holds (`then`) or fails (`else`)."""

    license_required: bool | None = None
    review_policy: ReviewPolicyName | None = None
    review_policy_from: str | None = None
    exceptions: list[str] = Field(default_factory=list)
    bar_exceptions: bool = False
    bar_conditions: list[str] = Field(default_factory=list)
    withdraw: list[str] = Field(
        default_factory=list, description="exceptions no longer available (with bar_conditions)"
    )
    conditions: list[ConditionSpec] = Field(default_factory=list)
    conditions_from: ConditionsFrom | None = None
    findings: list[FindingSpec] = Field(default_factory=list)
    outcome_from: OutcomeFrom | None = None
    subject_to_ear: bool = Field(
        default=False,
        description="a `jurisdiction` basis: the item is subject to the EAR (any basis suffices)",
    )


class Ask(_Strict):
    """The question put to the user when a fact (or the law) is unknown, and what each answer means."""

    fact: str
    kind: Literal["fact", "legal_ambiguity"] = "fact"
    question: str
    outcomes: dict[str, str] = Field(min_length=2)


class Version(_Strict):
    """The provision as in force from `effective` (to `end`), while its `requires` parameters are in
    force and not false or empty."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    effective: dt.date
    end: dt.date | None = None
    requires: list[str] = Field(default_factory=list)
    when: When | None = None
    then: Effect
    else_: Effect = Field(default_factory=Effect, alias="else")
    ask: dict[str, Ask] = Field(default_factory=dict)
    if_unknown: list[FindingSpec] = Field(default_factory=list)
    asks: bool = Field(
        default=True,
        description="false: another provision asks this one's gaps; record if_unknown only",
    )


class ProvisionCitation(_Strict):
    cfr: str
    document: str | None = None
    url: str | None = None


class ProvisionFile(_Strict):
    """One provision of the law: what it is, where it is written, how sure the data is, and its
    dated versions. Its id is the rule id its findings carry (the rule registry is built from these)."""

    id: str
    title: str
    role: Literal["decisive", "context"]
    step: Step
    applies_to: list[str] = Field(default_factory=list)
    citation: ProvisionCitation
    confidence: Confidence
    verified: dt.date
    versions: list[Version] = Field(min_length=1)


# -- classification: the CCL entries' structure as data (see rules/classify.py) -------------------
ItemMetric = Literal[
    "tpp",
    "performance_density",
    "interconnect_gbs",
    "dram_bandwidth_gbs",
    "hbm_bandwidth_density_gbs_per_mm2",
]
"""The per-IC metrics a classification test bounds (computed once per classification)."""
Inequality = Literal["<", "<=", ">", ">="]


class Column(_Strict):
    """What one key of a band-table row bounds: a metric, by the inequality the row's value sets."""

    metric: ItemMetric
    op: Inequality


class Bound(_Strict):
    """One inequality of a test: the metric against a parameter in force on the date (`label`: how
    the provision names the metric, if not as elsewhere)."""

    metric: ItemMetric
    op: Inequality
    parameter: str
    label: str | None = None


class IcTest(_Strict):
    """A test for one IC: a band table (a parameter whose rows name a paragraph and bounds, the first
    row that holds decides) or bounds that must all hold for `paragraph`. Applies while every
    parameter it reads is in force."""

    id: str
    name: str | None = None
    table: str | None = None
    not_datacenter_tpp_min: str | None = None
    eccn: str | None = None
    paragraph: str | None = None
    bounds: list[Bound] = Field(default_factory=list)

    @model_validator(mode="after")
    def _table_or_bounds(self) -> IcTest:
        if (self.table is None) == (not self.bounds) or (
            self.bounds and not (self.eccn and self.paragraph)
        ):
            raise ValueError(
                "give a `table`, or `bounds` with the `eccn` and `paragraph` they give"
            )
        return self


class ComputerRow(_Strict):
    """4A090: a computer containing ICs of `contains` is `eccn` (while `requires` is true)."""

    contains: str
    eccn: str
    cfr: str
    requires: str | None = None


class BoundsTest(_Strict):
    """A test whose bounds must all hold; before its parameters are in force, `created_by` says when."""

    id: str
    eccn: str | None = None
    created_by: str
    cfr: str | None = None
    bounds: list[Bound] = Field(min_length=1)


class TableTest(_Strict):
    id: str
    table: str


class ClassificationFile(_Strict):
    """classification.yaml: which test classifies an item on which dates, and how (rules/classify.py)."""

    citation: ProvisionCitation
    confidence: Confidence
    verified: dt.date
    columns: dict[str, Column]
    created_by: str
    ic: list[IcTest] = Field(min_length=1)
    computer: list[ComputerRow]
    hbm: BoundsTest
    window: BoundsTest
    duty: TableTest

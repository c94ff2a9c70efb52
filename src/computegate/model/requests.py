"""Export, reexport and transfer requests, and the decision returned for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    model_validator,
)

from computegate.io.errors import InputError
from computegate.io.files import ISO_ALPHA2
from computegate.model.built import built
from computegate.model.classification import NO_ECCN, Classification, EccnStatus
from computegate.model.findings import Citation, CitationField, Finding, MissingFact


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _iso(code: str) -> str:
    if code not in ISO_ALPHA2:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


Country = Annotated[str, BeforeValidator(_upper), AfterValidator(_iso)]
EndUse = Literal[
    "military",
    "military_intelligence",
    "wmd",
    "supercomputer",
    "advanced_node_ic_production",
    "ai_training",
    "inference",
    "commercial",
]
Outcome = Literal["no_license_required", "license_required", "insufficient_information"]
ReviewPolicy = Literal["presumption_of_approval", "case_by_case", "presumption_of_denial"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScreeningEvidence(_Frozen):
    """A screening result carried into a decision: which list version, which entry, how sure."""

    list_source: str
    list_sha256: str
    threshold: float
    hit: bool
    score: float | None = None
    entry_id: str | None = None
    entry_name: str | None = None
    matched_name: str | None = None
    list_name: str | None = Field(
        default=None, description="e.g. Entity List (EL) - Bureau of Industry and Security"
    )
    federal_register_notice: str | None = None
    license_requirement: str | None = Field(
        default=None, description="The entry's license requirement as the list states it"
    )
    license_policy: str | None = Field(
        default=None, description="The entry's license review policy as the list states it"
    )

    @property
    def citation(self) -> Citation:
        """The list version screened against, and the Federal Register notice of the entry."""
        return Citation(
            cfr=self.federal_register_notice,
            document=f"{self.list_source} (sha256 {self.list_sha256[:12]})",
        )


class Owner(_Frozen):
    """A direct or indirect owner of the end user (ownership chains given resolved to the end user)."""

    name: str | None = None
    percent: float = Field(ge=0, le=100, description="Share of the end user owned, in percent")
    listed: bool | None = Field(
        default=None,
        description="On the Entity List or a listed military end user (Affiliates rule); unknown when omitted",
    )
    country: Country | None = None


class EntityListEntry(_Frozen):
    """What the end user's Entity List entry says (Supp. 4 to part 744)."""

    footnote: int | None = Field(default=None, description="FDP footnote of the entry (734.9(e))")
    license_policy: ReviewPolicy | None = Field(
        default=None, description="The entry's own license review policy"
    )
    scope: str | None = Field(
        default=None, description="Items the entry's license requirement covers"
    )


class EndUser(_Frozen):
    """Who receives the items. Unknown headquarters stay None and are asked for when they matter."""

    name: str | None = None
    country: Country | None = None
    headquarters: Country | None = None
    ultimate_parent_headquarters: Country | None = None
    entity_list: bool = Field(
        default=False, description="Listed on the Entity List (Supp. 4 to part 744)"
    )
    military_end_user: bool = False
    nationality: Country | None = Field(
        default=None,
        description="A natural person's nationality (the destination of a deemed export)",
    )
    military_intelligence_end_user: bool = Field(
        default=False, description="A military-intelligence end user (15 CFR 744.22(f))"
    )
    exemption: (
        Literal["government", "approved_entity", "us_headquartered_subsidiary", "none"] | None
    ) = Field(
        default=None,
        description=(
            "Category that exempts the end user from a destination-specific requirement (UAE rule, "
            "91 FR 43034): the destination's government, a Supp. No. 8 approved entity, a subsidiary "
            "of a named US-headquartered firm, or none; unknown when omitted"
        ),
    )
    listed_party_affiliate: bool = Field(
        default=False,
        description="At least 50% owned by Entity List / MEU parties (Affiliates rule)",
    )
    screening: ScreeningEvidence | None = Field(
        default=None, description="A screening result for this party (instead of hand-set flags)"
    )
    owners: tuple[Owner, ...] = Field(
        default=(), description="Owners with their shares (Affiliates rule arithmetic)"
    )
    entity_list_entry: EntityListEntry | None = None


class ItemOrigin(_Frozen):
    """Where and how a foreign-made item was made: the facts of the FDP (734.9) and de minimis (734.4) tests."""

    producer: str | None = None
    made_in: Country | None = None
    us_content_pct: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="US-origin controlled content, percent of the item's value (734.4)",
    )
    us_technology: bool | None = Field(
        default=None,
        description=(
            "Direct product of US technology or software of the ECCNs 734.9 lists, or made by a plant "
            "(or its major component) that is such a direct product"
        ),
    )


class Exporter(_Frozen):
    """Who ships: its headquarters and the state of a NAC notification."""

    name: str | None = None
    headquarters: Country | None = None
    nac_notified: bool | None = Field(default=None, description="NAC notification filed with BIS")
    bis_objected: bool | None = Field(default=None, description="BIS objected to the notification")


ECCN_PATTERN = r"^(EAR99|[0-9][A-E][0-9]{3}(\.[a-z0-9]+)*)$"


class DeclaredEccn(_Frozen):
    """An ECCN stated by someone (the manufacturer, a CCATS) that overrides the computed one."""

    eccn: Annotated[str, Field(pattern=ECCN_PATTERN)]
    source: str = Field(min_length=1, description="e.g. manufacturer, CCATS G123456")


class ExportRequest(_Frozen):
    """An export (from the US), reexport (between two other countries) or in-country transfer."""

    kind: Literal["export", "reexport", "transfer"]
    date: dt.date
    item: str | dict[str, Any]
    quantity: PositiveInt = 1
    from_country: Country | None = None
    to_country: Country
    end_user: EndUser = Field(default_factory=EndUser)
    end_use: tuple[EndUse, ...] = ()
    overlays: tuple[str, ...] = ()
    exporter_informed: bool | None = Field(
        default=None,
        description="Has BIS informed the exporter (is-informed letter) that this item needs a license here?",
    )
    origin: ItemOrigin | None = None
    exporter: Exporter | None = None
    certifications: dict[str, bool | None] = Field(
        default_factory=dict,
        description="Jan-2026 certifications by condition id: true, false or null (unknown)",
    )
    release: Literal["commodity", "technology", "software"] = Field(
        default="commodity",
        description="The item itself, or technology / software for it (3E001, 4E001, 3D001, 4D090)",
    )
    deemed_export: bool = Field(
        default=False,
        description="A release in the US to a foreign national; to_country is the recipient's nationality (734.13(b))",
    )
    declared_eccn: DeclaredEccn | None = None

    @model_validator(mode="before")
    @classmethod
    def _deemed_kind(cls, data: Any) -> Any:
        """kind 'deemed_export' is an export flagged deemed: a release of technology (unless stated)
        in the US, to the recipient's nationality when no other destination is given."""
        if not isinstance(data, Mapping) or data.get("kind") != "deemed_export":
            return data
        out = {**data, "kind": "export", "deemed_export": True}
        out.setdefault("release", "technology")
        user = data.get("end_user")
        nationality = user.get("nationality") if isinstance(user, Mapping) else None
        if out.get("to_country") in (None, "US") and nationality:
            out["to_country"] = nationality
        return out

    @model_validator(mode="after")
    def _route(self) -> ExportRequest:
        if self.deemed_export and (self.kind != "export" or self.release == "commodity"):
            raise ValueError(
                "a deemed export is a release of technology or software in the US: kind 'export' and release 'technology' or 'software'"
            )
        origin = self.from_country
        if self.kind == "export":
            if origin not in (None, "US"):
                raise ValueError(
                    "an export starts in the US: use kind 'reexport' for shipments from abroad"
                )
            if self.to_country == "US":
                raise ValueError("an export leaves the US: to_country cannot be US")
            object.__setattr__(self, "from_country", "US")
        elif self.kind == "reexport":
            if origin is None or origin == "US":
                raise ValueError("a reexport needs from_country outside the US")
            if origin == self.to_country:
                raise ValueError(
                    "a reexport crosses a border: use kind 'transfer' within one country"
                )
        else:
            if origin is not None and origin != self.to_country:
                raise ValueError("an in-country transfer has from_country equal to to_country")
            object.__setattr__(self, "from_country", self.to_country)
        return self


Workload = Literal["ai_training", "inference", "other"]
RiskUse = Literal[
    "cbrn_weapons",
    "offensive_cyber",
    "evading_human_control",
    "surveillance",
    "military",
    "military_intelligence",
    "wmd",
]


class Provider(_Frozen):
    """The cloud provider renting out the accelerators."""

    name: str | None = None
    country: Country
    us_person: bool | None = Field(default=None, description="Default: true when country is US")
    service: Literal["iaas", "paas", "saas", "other"] = "iaas"

    @property
    def is_us_person(self) -> bool:
        return self.us_person if self.us_person is not None else self.country == "US"


class AcceleratorLine(_Frozen):
    item: str | dict[str, Any]
    count: PositiveInt = 1


class Customer(_Frozen):
    """Who rents the compute: an entity (country of incorporation, headquarters, parent) or natural persons."""

    name: str | None = None
    country: Country | None = Field(
        default=None, description="Country of incorporation (entities) or residence"
    )
    headquarters: Country | None = None
    ultimate_parent_headquarters: Country | None = None
    nationality: tuple[Country, ...] = Field(
        default=(), description="Natural persons: their nationalities"
    )
    government: bool = Field(default=False, description="A government body or agency")
    entity_list: bool = False
    military_end_user: bool = False
    screening: ScreeningEvidence | None = None


class WorkloadSpec(_Frozen):
    type: Workload = "ai_training"
    training_compute_flop: float | None = Field(default=None, gt=0)
    uses: tuple[RiskUse, ...] = Field(
        default=(), description="Known purposes, e.g. cbrn_weapons, military"
    )


class RemoteAccessRequest(_Frozen):
    """A foreign (or domestic) customer using accelerators in a data centre over the network."""

    kind: Literal["remote_access"]
    date: dt.date
    provider: Provider
    datacenter_country: Country
    accelerators: tuple[AcceleratorLine, ...] = Field(min_length=1)
    duration_days: PositiveInt | None = None
    customer: Customer
    access_country: Country | None = Field(
        default=None, description="Where the customer accesses from (default: customer.country)"
    )
    workload: WorkloadSpec = Field(default_factory=WorkloadSpec)
    overlays: tuple[str, ...] = ()
    assume_serious_risk_determination: bool = Field(
        default=True,
        description="Assume the Secretary determines that training AI models on controlled accelerators poses a serious risk",
    )

    @property
    def accessed_from(self) -> str | None:
        return self.access_country or self.customer.country


class Condition(_Frozen):
    id: str
    text: str
    citation: CitationField


class Alternative(_Frozen):
    """The same request under another reading of the law (e.g. the AI Diffusion rule as written)."""

    reading: str
    outcome: Outcome
    review_policy: ReviewPolicy | None
    license_exceptions: list[str]
    findings: list[Finding]


class ItemSummary(_Frozen):
    name: str
    eccn: str | None = Field(description="A real ECCN or null (see eccn_status)")
    eccn_status: EccnStatus
    eccn_paragraph: str | None
    tpp: float | None
    total_dram_bandwidth_gbs: float | None
    jan2026_case_by_case_zone: bool | None

    @classmethod
    def of(cls, c: Classification) -> ItemSummary:
        """The classification's own (validated) values: no second validation."""
        return built(
            cls,
            {
                "name": c.name,
                "eccn": c.eccn,
                "eccn_status": c.eccn_status,
                "eccn_paragraph": c.eccn_paragraph,
                "tpp": c.tpp,
                "total_dram_bandwidth_gbs": c.total_dram_bandwidth_gbs,
                "jan2026_case_by_case_zone": c.jan2026_case_by_case_zone,
            },
        )

    @property
    def reading(self) -> str:
        return self.eccn or NO_ECCN[self.eccn_status]


class Decision(_Frozen):
    """License determination with its reasons, ready for an auditor to replay."""

    outcome: Outcome
    review_policy: ReviewPolicy | None
    license_exceptions: list[str]
    conditions: list[Condition]
    findings: list[Finding]
    missing_facts: list[MissingFact]
    regime: dict[str, Any]
    item: ItemSummary
    alternatives: list[Alternative] = Field(default_factory=list)


AnyRequest = ExportRequest | RemoteAccessRequest
KINDS = ("export", "reexport", "transfer", "remote_access", "deemed_export")


def parse_request(raw: Mapping[str, Any] | AnyRequest, field_prefix: str = "") -> AnyRequest:
    """Validate a request; the error names the field (e.g. `end_user.headquarters`)."""
    if isinstance(raw, ExportRequest | RemoteAccessRequest):
        return raw
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        raise InputError(f"{field_prefix}kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    model: type[AnyRequest] = RemoteAccessRequest if kind == "remote_access" else ExportRequest
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(
            str(p) for p in err["loc"] if not str(p).startswith(("function-", "str", "dict"))
        )
        msg = err["msg"].removeprefix("Value error, ")
        raise InputError(
            f"{field_prefix}{loc}" if loc else field_prefix.rstrip(".") or "request", msg
        ) from None

"""A licence as BIS issues it (15 CFR 750.7) and a shipment drawn against it, validated at the edge."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    model_validator,
)

from computegate.rules.request import Country

ECCN_PATTERN = re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z]{1,2}(\.[0-9]+)?)?$")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LicenceNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_upper=True, min_length=1, max_length=40, pattern=r"^[A-Z0-9-]+$"
    ),
]


def _cents(value: float | None) -> float | None:
    if value is not None and round(value * 100) != value * 100:
        raise ValueError("a value in USD has at most two decimals")
    return value


Usd = Annotated[float, Field(gt=0, le=1e13), AfterValidator(_cents)]


def is_eccn(item: str) -> bool:
    """A licence line names either an ECCN (e.g. 3A090.a) or a product in the catalog."""
    return bool(ECCN_PATTERN.match(item.strip()))


def same_party(a: str, b: str) -> bool:
    """Party names compare without case, punctuation or repeated spaces (not a fuzzy match)."""

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())

    return norm(a) == norm(b)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LicenceParty(_Frozen):
    role: Literal["ultimate_consignee", "end_user", "intermediate_consignee", "purchaser"]
    name: Name
    country: Country


class LicenceLine(_Frozen):
    """One item on the licence with its limits; a limit left out is not limited."""

    item: Name = Field(description="Catalog product name or ECCN (e.g. 3A090.a)")
    quantity: PositiveInt | None = Field(default=None, le=10**9)
    value_usd: Usd | None = None


class Licence(_Frozen):
    number: LicenceNumber
    issued: dt.date
    expires: dt.date
    destination: Country
    lines: tuple[LicenceLine, ...] = Field(min_length=1, max_length=100)
    parties: tuple[LicenceParty, ...] = Field(min_length=1, max_length=20)
    conditions: tuple[Annotated[str, StringConstraints(max_length=2000)], ...] = Field(
        default=(), max_length=50
    )

    @model_validator(mode="after")
    def _dates(self) -> Licence:
        if self.expires <= self.issued:
            raise ValueError(f"expires {self.expires} is not after issued {self.issued}")
        return self

    def names(self, party: str) -> bool:
        return any(same_party(p.name, party) for p in self.parties)


class Shipment(_Frozen):
    """A shipment to record: against a licence (China and other licensed destinations) or to a US
    customer for US end use (the volume cap's denominator, no licence)."""

    item: Name
    quantity: PositiveInt = Field(le=10**9)
    value_usd: Usd | None = None
    to_country: Country
    end_user: Name | None = None
    shipped_on: dt.date
    licence: LicenceNumber | None = None
    us_end_use: bool = Field(
        default=False, description="To a US customer for US end use (counts toward the cap base)"
    )
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        Field(default=None, description="Order reference: recording it twice is refused")
    )

    @model_validator(mode="after")
    def _consistent(self) -> Shipment:
        if self.us_end_use and self.to_country != "US":
            raise ValueError("us_end_use applies only to shipments to US customers (to_country US)")
        if self.to_country == "US" and self.licence is not None:
            raise ValueError("a shipment within the US is not drawn against an export licence")
        return self

"""Scenario files: every number with a distribution and a source; validated with named errors."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from computegate.io.errors import DataFileError
from computegate.io.files import read_yaml, validate_file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(_Strict):
    """A quantity with its uncertainty. low/high are the 5th/95th percentiles (lognormal) or the ends
    of the range (triangular, uniform); a point value has low = median = high."""

    median: float = Field(ge=0)
    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    dist: Literal["lognormal", "triangular", "uniform", "point"] = "lognormal"
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _point(cls, raw: Any) -> Any:
        return _coerce(raw)

    @model_validator(mode="after")
    def _ordered(self) -> Uncertain:
        low = self.low if self.low is not None else self.median
        high = self.high if self.high is not None else self.median
        if not low <= self.median <= high:
            raise ValueError(f"expected low <= median <= high, got {low}, {self.median}, {high}")
        if self.dist == "lognormal" and low == 0 and high > 0:
            raise ValueError("a lognormal range cannot start at 0; use triangular or uniform")
        return self

    @property
    def lo(self) -> float:
        return self.low if self.low is not None else self.median

    @property
    def hi(self) -> float:
        return self.high if self.high is not None else self.median

    @property
    def fixed(self) -> bool:
        return self.dist == "point" or self.lo == self.hi


def _coerce(value: Any) -> Any:
    """A bare number is a point value."""
    return (
        {"median": value, "dist": "point"}
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
    )


class Series(_Strict):
    """Values by year; after the last year, growth per year (uncertain) extrapolates."""

    values: dict[int, Uncertain]
    growth_after: Uncertain | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "values" not in raw:
            growth = raw.get("growth_after")
            values = {k: _coerce(v) for k, v in raw.items() if k != "growth_after"}
            return {
                "values": values,
                "growth_after": _coerce(growth) if growth is not None else None,
            }
        return raw

    @model_validator(mode="after")
    def _years(self) -> Series:
        for year in self.values:
            if not 2015 <= year <= 2040:
                raise ValueError(f"year {year} out of range 2015-2040")
        return self


class Product(_Strict):
    """A chip China can buy legally, if the rules layer lets it through in that year."""

    item: str | dict[str, Any]
    units: Series
    approval_rate: Uncertain = Field(default_factory=lambda: Uncertain(median=1.0, dist="point"))
    cap_units: Series | None = Field(
        default=None, description="Jan-2026 volume cap (50% of US shipments), in units"
    )
    exporter_informed: bool | None = None
    note: str | None = None
    comes_from_us_supply: float = Field(
        default=0.0,
        ge=0,
        description="B300e of US capacity used per unit when foundry capacity binds",
    )


class DomesticChip(_Strict):
    item: str
    units: Series
    note: str | None = None


class Cloud(_Strict):
    capacity: Series
    probe_item: str = "B200"
    datacenter_country: str = "MY"
    customer_headquarters: str = "CN"
    leakage_when_closed: Uncertain = Field(
        default_factory=lambda: Uncertain(median=0.0, dist="point")
    )


class Retirement(_Strict):
    kind: Literal["fixed_life", "hazard", "none"] = "fixed_life"
    years: int | None = Field(default=None, ge=1, le=20)
    rate: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _complete(self) -> Retirement:
        if self.kind == "fixed_life" and self.years is None:
            raise ValueError("fixed_life retirement needs years")
        if self.kind == "hazard" and self.rate is None:
            raise ValueError("hazard retirement needs rate")
        return self


class Scenario(_Strict):
    name: str
    title: str
    description: str
    overlays: tuple[str, ...] = ()
    overlays_from: dt.date | None = Field(
        default=None,
        description="The what-if applies from this date; earlier years see enacted law",
    )
    basis: Literal[
        "b300e:tpp",
        "b300e:dense_8bit",
        "b300e:dram_bandwidth",
        "h100e:tpp",
        "h100e:dense_8bit",
        "h100e:dram_bandwidth",
    ] = "b300e:tpp"
    us_reference_chip: str = Field(
        default="GB300", description="Chip whose mix converts US production to other bases"
    )
    us_production: dict[str, Series] = Field(
        min_length=1,
        description="US-designed accelerator production by designer, B300e on the TPP basis",
    )
    foundry_binds: bool = False
    legal_imports: tuple[Product, ...] = ()
    domestic: tuple[DomesticChip, ...] = ()
    domestic_cap: Series | None = Field(
        default=None, description="Optional HBM/foundry ceiling on all domestic output (B300e)"
    )
    other_domestic_share_of_huawei: Uncertain = Field(
        default_factory=lambda: Uncertain(median=0.5, dist="point")
    )
    smuggling: Series
    cloud: Cloud | None = None
    retirement: Retirement = Field(default_factory=Retirement.model_construct)
    utilisation: Uncertain = Field(default_factory=lambda: Uncertain(median=1.0, dist="point"))
    efficiency: float = Field(default=1.0, gt=0)
    cloud_cost_ratio: float = Field(
        default=2.0, gt=0, description="Cost of renting vs owning the same compute"
    )
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _no_overlaps(self) -> Scenario:
        """The same chip listed twice must not claim the same year twice."""
        for group, entries in (("legal_imports", self.legal_imports), ("domestic", self.domestic)):
            seen: dict[str, set[int]] = {}
            for entry in entries:
                key = (
                    entry.item if isinstance(entry.item, str) else repr(sorted(entry.item.items()))
                )
                years = set(entry.units.values)
                clash = seen.setdefault(key, set()) & years
                if clash:
                    raise ValueError(f"{group}: overlapping year ranges for {key}: {sorted(clash)}")
                seen[key] |= years
        return self


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def load_scenario(path: Path) -> Scenario:
    """A scenario file, merged over the file its `extends` names; errors name file, key and problem."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise DataFileError(str(path), "(top level)", "a scenario is a mapping")
    chain = [path]
    while "extends" in raw:
        parent = chain[-1].parent / str(raw.pop("extends"))  # relative to the file that names it
        if parent in chain:
            raise DataFileError(str(chain[-1]), "extends", "circular extends")
        chain.append(parent)
        base = read_yaml(parent)
        if not isinstance(base, dict):
            raise DataFileError(str(parent), "(top level)", "a scenario is a mapping")
        raw = _merge(base, raw)  # keeps the base's own `extends`, so the loop climbs on
    scenario = validate_file(path, Scenario, raw)
    _check_overlays(path, scenario)
    return scenario


def _check_overlays(path: Path, scenario: Scenario) -> None:
    from computegate.regime import default_regime_data

    known = default_regime_data().overlays
    for i, name in enumerate(scenario.overlays):
        if name not in known:
            raise DataFileError(
                str(path),
                f"overlays.{i}",
                f"unknown overlay {name!r} (known: {', '.join(sorted(known))})",
            )


def lognormal_sigma(u: Uncertain) -> float:
    return math.log(u.hi / u.lo) / (2 * 1.6448536269514722) if u.lo > 0 else 0.0

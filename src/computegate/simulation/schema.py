"""Scenario and profile files: every number with a distribution and a source; named errors.

A *profile* holds the assumptions about the world (production, stockpiles, smuggling, lifetimes);
a *scenario* holds one policy (overlays and the exports it lets through). A scenario is run under a
profile, so the same policy can be compared across differently sourced views of the world.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from computegate.io.errors import DataFileError
from computegate.io.files import read_yaml, validate_file

Z95 = 1.6448536269514722  # standard-normal 95th percentile
UNITS = ("b300e", "h100e")
METRICS = ("tpp", "dense_8bit", "dense_fp4", "dram_bandwidth")
BASES = tuple(f"{u}:{m}" for u in UNITS for m in METRICS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(_Strict):
    """A quantity with its uncertainty. For a lognormal, low/high are the 5th/95th percentiles and
    the median is honoured too (a two-piece lognormal: one spread below the median, one above); for
    triangular and uniform they are the ends of the range; a point value has low = median = high."""

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
        if not self.lo <= self.median <= self.hi:
            raise ValueError(
                f"expected low <= median <= high, got {self.lo}, {self.median}, {self.hi}"
            )
        if self.dist == "lognormal" and self.lo == 0 and self.hi > 0:
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

    @property
    def sigmas(self) -> tuple[float, float]:
        """Log-spread below and above the median (two-piece lognormal)."""
        if self.median == 0:
            return 0.0, 0.0
        return math.log(self.median / self.lo) / Z95, math.log(self.hi / self.median) / Z95


def _coerce(value: Any) -> Any:
    """A bare number is a point value."""
    return (
        {"median": value, "dist": "point"}
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
    )


class Series(_Strict):
    """Values by year. Before the first year the quantity is zero (the channel or policy has not
    started); a year with no value carries the last value forward, grown by `growth_after` if given,
    until `until` (the last year it applies; the scenario ending it). Never a silent zero."""

    values: dict[int, Uncertain]
    growth_after: Uncertain | None = None
    until: int | None = Field(default=None, ge=2015, le=2040)
    shock: str | None = Field(
        default=None, description="Common shock shared with other series (see `shocks`)"
    )

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "values" not in raw:
            control = {k: raw[k] for k in ("growth_after", "until", "shock") if k in raw}
            if "growth_after" in control:
                control["growth_after"] = _coerce(control["growth_after"])
            values = {k: _coerce(v) for k, v in raw.items() if k not in control}
            return {"values": values, **control}
        return raw

    @model_validator(mode="after")
    def _years(self) -> Series:
        if not self.values:
            raise ValueError("a series needs at least one year")
        for year in self.values:
            if not 2015 <= year <= 2040:
                raise ValueError(f"year {year} out of range 2015-2040")
        if self.until is not None and self.until < min(self.values):
            raise ValueError(f"until {self.until} is before the first year {min(self.values)}")
        return self


Mix = dict[int, dict[str, float]]


def _check_mix(mix: Mix) -> Mix:
    for year, shares in mix.items():
        if not shares or any(v < 0 for v in shares.values()) or sum(shares.values()) <= 0:
            raise ValueError(f"mix {year}: shares must be non-negative and not all zero")
    return mix


class Flow(_Strict):
    """A volume per year with the chip mix it is made of (shares of units, by year, carried
    forward). The volume is in `unit`: chips ("units") or a basis such as "h100e:dense_8bit", the
    unit its source states; the model turns it into chips through the mix, then into any basis."""

    volume: Series
    unit: str = Field(default="units", description="units, or a basis such as h100e:dense_8bit")
    mix: Mix

    @model_validator(mode="after")
    def _valid(self) -> Flow:
        if self.unit != "units" and self.unit not in BASES:
            raise ValueError(f"unknown unit {self.unit!r} (units or one of {', '.join(BASES)})")
        _check_mix(self.mix)
        return self


class SupplyShare(_Strict):
    """An export volume tied to supply: a share of a US designer's output (B300e on TPP)."""

    of: str = Field(description="A us_production designer, or 'us_total'")
    share: Series


class Product(_Strict):
    """A chip China can buy legally, if the rules layer lets it through in that year."""

    item: str | dict[str, Any]
    units: Series | None = None
    supply_share: SupplyShare | None = None
    approval_rate: Uncertain = Field(default_factory=lambda: Uncertain(median=1.0, dist="point"))
    cap_units: Series | None = Field(
        default=None, description="Volume cap in units (e.g. 50% of US shipments, Jan-2026 rule)"
    )
    exporter_informed: bool | None = None
    note: str | None = None
    comes_from_us_supply: float = Field(
        default=0.0,
        ge=0,
        description="B300e (TPP) of US capacity used per unit when foundry capacity binds",
    )

    @model_validator(mode="after")
    def _one_volume(self) -> Product:
        if (self.units is None) == (self.supply_share is None):
            raise ValueError("give exactly one of units or supply_share")
        return self

    @property
    def label(self) -> str:
        return self.item if isinstance(self.item, str) else str(self.item.get("name", "custom"))


class DomesticChip(_Strict):
    item: str
    units: Series
    hbm_stacks: float | None = Field(
        default=None, ge=0, description="HBM stacks per package (for the HBM production limit)"
    )
    die_area_mm2: float | None = Field(
        default=None, gt=0, description="Logic area per package when the catalog lacks it"
    )
    note: str | None = None


class Cloud(_Strict):
    capacity: Flow
    probe_item: str = "B200"
    datacenter_country: str = "MY"
    customer_headquarters: str = "CN"
    leakage_when_closed: Uncertain = Field(
        default_factory=lambda: Uncertain(median=0.0, dist="point")
    )


class Retirement(_Strict):
    """fixed_life: a chip counts fully for `years` (drawn; fractional years count in part);
    hazard: exponential survival at `rate` per year (drawn); none: never retires."""

    kind: Literal["fixed_life", "hazard", "none"] = "fixed_life"
    years: Uncertain | None = None
    rate: Uncertain | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {k: _coerce(v) if k in ("years", "rate") else v for k, v in raw.items()}
        return raw

    @model_validator(mode="after")
    def _complete(self) -> Retirement:
        if self.kind == "fixed_life" and self.years is None:
            raise ValueError("fixed_life retirement needs years")
        if self.kind == "hazard" and self.rate is None:
            raise ValueError("hazard retirement needs rate")
        if self.years is not None and self.years.lo < 0.5:
            raise ValueError("a fixed life is at least half a year")
        return self


class Utilisation(_Strict):
    """Busy share of each side's fleet, drawn separately (one draw for both would cancel)."""

    us: Uncertain
    china: Uncertain

    @model_validator(mode="before")
    @classmethod
    def _both(cls, raw: Any) -> Any:
        raw = _coerce(raw)
        if isinstance(raw, dict) and "median" in raw:
            return {"us": raw, "china": raw}
        return raw


class Shock(_Strict):
    """A common shock: every series naming it shares a standard-normal factor with weight rho."""

    rho: float = Field(ge=0, le=1)
    source: str | None = None


class Scenario(_Strict):
    name: str
    title: str
    description: str
    profile: str = Field(default="(none)", description="The profile the scenario runs under")
    overlays: tuple[str, ...] = ()
    overlays_from: dt.date | None = Field(
        default=None,
        description="The what-if applies from this date; earlier years see enacted law",
    )
    basis: str = "b300e:tpp"
    us_production: dict[str, Flow] = Field(
        min_length=1, description="US-designed accelerator production by designer"
    )
    foundry_binds: bool = False
    legal_imports: tuple[Product, ...] = Field(
        default=(), description="The profile's history of legal imports (A800, H800, H20...)"
    )
    exports: tuple[Product, ...] = Field(default=(), description="What the scenario's policy adds")
    domestic: tuple[DomesticChip, ...] = ()
    domestic_cap: Series | None = Field(
        default=None, description="Ceiling on all domestic output, B300e on the TPP basis"
    )
    hbm_stacks: Series | None = Field(
        default=None, description="HBM stacks available to domestic packaging per year"
    )
    logic_wafers: Series | None = Field(
        default=None, description="Advanced-node wafers per year for domestic AI logic dies"
    )
    logic_yield: Uncertain | None = Field(
        default=None, description="Share of gross die candidates that work (with logic_wafers)"
    )
    other_domestic_share_of_huawei: Uncertain = Field(
        default_factory=lambda: Uncertain(median=0.5, dist="point")
    )
    smuggling: Flow
    smuggling_substitution: Uncertain | None = Field(
        default=None,
        description="B300e (TPP) of smuggling displaced per B300e of exports the policy adds; "
        "absent: smuggling does not respond",
    )
    cloud: Cloud | None = None
    retirement: Retirement = Field(
        default_factory=lambda: Retirement(kind="fixed_life", years=Uncertain(median=3))
    )
    utilisation: Utilisation = Field(
        default_factory=lambda: Utilisation(us=Uncertain(median=1), china=Uncertain(median=1))
    )
    efficiency: float = Field(default=1.0, gt=0)
    cloud_cost_ratio: Uncertain = Field(
        default_factory=lambda: Uncertain(median=2.0, dist="point"),
        description="Cost of renting vs owning the same compute",
    )
    shocks: dict[str, Shock] = {}
    chip_specs: dict[str, dict[str, Any]] = Field(
        default={}, description="Raw specs for chips a mix names that the catalog lacks"
    )
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.basis not in BASES:
            raise ValueError(f"unknown basis {self.basis!r} (known: {', '.join(BASES)})")
        for group, entries in (
            ("legal_imports", self.legal_imports + self.exports),
            ("domestic", self.domestic),
        ):
            seen: dict[str, set[int]] = {}
            for entry in entries:
                key = (
                    entry.item if isinstance(entry.item, str) else repr(sorted(entry.item.items()))
                )
                series = entry.units if entry.units is not None else None
                years = set(series.values) if series is not None else {0}
                clash = seen.setdefault(key, set()) & years
                if clash:
                    raise ValueError(f"{group}: overlapping year ranges for {key}: {sorted(clash)}")
                seen[key] |= years
        for p in self.exports + self.legal_imports:
            if p.supply_share is not None and p.supply_share.of not in (
                *self.us_production,
                "us_total",
            ):
                raise ValueError(f"{p.label}: supply_share.of names no us_production designer")
        if (self.logic_wafers is None) != (self.logic_yield is None):
            raise ValueError("logic_wafers and logic_yield go together")
        for name in _shock_names(self):
            if name not in self.shocks:
                raise ValueError(f"shock {name!r} is used but not defined under shocks")
        return self


def _shock_names(s: Scenario) -> set[str]:
    series: list[Series | None] = [f.volume for f in s.us_production.values()]
    series += [s.smuggling.volume, s.domestic_cap, s.hbm_stacks, s.logic_wafers]
    series += [c.units for c in s.domestic]
    series += [p.units for p in s.legal_imports + s.exports]
    if s.cloud is not None:
        series.append(s.cloud.capacity.volume)
    return {x.shock for x in series if x is not None and x.shock is not None}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def _read_chain(path: Path) -> dict[str, Any]:
    """A file merged over the files its `extends` chain names (each relative to its namer)."""
    raw: dict[str, Any] = read_yaml(path)
    if not isinstance(raw, dict):
        raise DataFileError(str(path), "(top level)", "expected a mapping")
    chain = [path]
    while "extends" in raw:
        parent = chain[-1].parent / str(raw.pop("extends"))
        if parent in chain:
            raise DataFileError(str(chain[-1]), "extends", "circular extends")
        chain.append(parent)
        base = read_yaml(parent)
        if not isinstance(base, dict):
            raise DataFileError(str(parent), "(top level)", "expected a mapping")
        raw = _merge(base, raw)  # keeps the base's own `extends`, so the loop climbs on
    return raw


def load_scenario(
    path: Path, profile: Path | None = None, overlays: Iterable[str] | None = None
) -> Scenario:
    """A scenario file (with its `extends` chain) run under a profile file; a scenario file may
    also carry every assumption itself (no profile). Errors name file, key and problem."""
    raw = _read_chain(path)
    if profile is not None:
        world = _read_chain(profile)
        overlap = sorted(set(world) & set(raw) - {"sources", "name", "title", "description"})
        for key in ("name", "title", "description"):
            world.pop(key, None)
        if overlap:
            raise DataFileError(
                str(path), overlap[0], f"set by the profile {profile.stem!r}; change the profile"
            )
        raw = {**world, **raw, "profile": profile.stem}
        raw["sources"] = [*world.get("sources", []), *raw.get("sources", [])]
    scenario = validate_file(path, Scenario, raw)
    _check_overlays(path, scenario, overlays)
    return scenario


def _check_overlays(path: Path, scenario: Scenario, known: Iterable[str] | None) -> None:
    """Overlay names must exist in the regime data the scenario will run on (bundled if not given)."""
    if known is None:
        from computegate.regime import default_regime_data

        known = default_regime_data().overlays
    names = set(known)
    for i, name in enumerate(scenario.overlays):
        if name not in names:
            raise DataFileError(
                str(path),
                f"overlays.{i}",
                f"unknown overlay {name!r} (known: {', '.join(sorted(names))})",
            )

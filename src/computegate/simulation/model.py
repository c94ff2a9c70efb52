"""The compute-balance model: US production vs China's channels, Monte Carlo over every input.

Which chips China may buy legally in a year is asked of the rules layer (`decide`) under the
scenario's overlays, on four dates in the year; nothing about the law is re-encoded here. Chips are
converted one by one from the catalog on the chosen basis. Every named input draws from its own
random stream (common random numbers), so two scenarios that share an input share its draws and
their difference is paired, not Monte Carlo noise.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from computegate.catalog import Catalog
from computegate.catalog.catalog import equivalence_units
from computegate.catalog.model import Accelerator
from computegate.model.requests import AnyRequest, parse_request
from computegate.regime import Regime, RegimeData, load_regime_data
from computegate.rules import Decision, classify, decide
from computegate.rules.law import Law
from computegate.simulation.schema import (
    BASES,
    Flow,
    Product,
    Retirement,
    Scenario,
    Series,
    Shock,
    Uncertain,
)

QUARTER_DATES = ((2, 15), (5, 15), (8, 15), (11, 15))
FIRST_YEAR = 2022  # flows before this are not modelled; stocks start empty
_NORMAL = NormalDist()
_SQRT2 = math.sqrt(2.0)


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and scipy is not a dep."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: np.ndarray = sign * (1.0 - poly * np.exp(-a * a))
    return out


def normal_cdf(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.clip(0.5 * (1.0 + _erf(z / _SQRT2)), 0.0, 1.0)
    return out


def transform(u: Uncertain, z: np.ndarray) -> np.ndarray:
    """Standard-normal draws mapped onto the distribution (a Gaussian copula, so shocks correlate
    any kind of input)."""
    if u.fixed:
        return np.full(z.shape, u.median)
    if u.dist == "lognormal":
        below, above = u.sigmas
        out: np.ndarray = u.median * np.exp(np.where(z < 0, z * below, z * above))
        return out
    p = normal_cdf(z)
    if u.dist == "uniform":
        return u.lo + p * (u.hi - u.lo)
    a, c, b = u.lo, u.median, u.hi  # triangular inverse CDF
    cut = (c - a) / (b - a)
    left = a + np.sqrt(np.clip((b - a) * (c - a) * p, 0, None))
    right = b - np.sqrt(np.clip((b - a) * (b - c) * (1 - p), 0, None))
    tri: np.ndarray = np.where(p < cut, left, right)
    return tri


def quantile(u: Uncertain, q: float) -> float:
    return float(transform(u, np.array([_NORMAL.inv_cdf(q)]))[0])


@dataclass
class Sampler:
    """Draws for every input. Each name has its own stream (seed, name), so scenarios sharing an
    input share its draws; a series naming a shock mixes in that shock's common factor. `fixed`
    pins named inputs (or shocks, as "shock:NAME") to a quantile; `pin_all` pins the rest."""

    n: int
    seed: int
    shocks: dict[str, Shock] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)
    pin_all: float | None = None
    names: list[str] = field(default_factory=list)
    streams: dict[str, np.ndarray] = field(default_factory=dict)  # shareable: same seed and n

    def _z(self, name: str) -> np.ndarray:
        if name not in self.names:
            self.names.append(name)
        q = self.fixed.get(name, self.pin_all)
        if q is not None:
            return np.full(self.n, _NORMAL.inv_cdf(q))
        if name not in self.streams:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode())])
            z = rng.standard_normal(self.n)
            z.flags.writeable = False  # shared between scenarios: never changed in place
            self.streams[name] = z
        return self.streams[name]

    def draw(self, u: Uncertain, name: str, shock: str | None = None) -> np.ndarray:
        if u.fixed:
            return np.full(self.n, u.median)
        z = self._z(name)
        if shock is not None:
            rho = self.shocks[shock].rho
            z = math.sqrt(rho) * self._z(f"shock:{shock}") + math.sqrt(1 - rho) * z
        return transform(u, z)

    def series(self, s: Series | None, years: Sequence[int], name: str) -> np.ndarray:
        """Years x draws: zero before the first year, the last value carried forward (grown by
        growth_after) after it, zero after `until`."""
        out = np.zeros((len(years), self.n))
        if s is None:
            return out
        known = sorted(s.values)
        draws = {y: self.draw(s.values[y], f"{name}[{y}]", s.shock) for y in known}
        growth = self.draw(s.growth_after, f"{name}.growth") if s.growth_after is not None else None
        for i, year in enumerate(years):
            if year < known[0] or (s.until is not None and year > s.until):
                continue
            value = draws[max(y for y in known if y <= year)]
            if year > known[-1] and growth is not None:
                value = value * growth ** (year - known[-1])
            out[i] = value
        return out


# -- chips on a basis, and what the rules layer says ---------------------------------------------------


@dataclass(frozen=True)
class BundledLaw:
    """The bundled catalog and regime data, asked directly (for callers without an Engine).
    The regime files are read once, here: a simulation asks the law thousands of times."""

    catalog: Catalog
    data: RegimeData = field(default_factory=load_regime_data)

    def regime(self, date: dt.date | str, overlays: Iterable[str] = ()) -> Regime:
        return Regime.at(date, overlays, self.data)

    def decide(self, request: Mapping[str, Any] | AnyRequest) -> Decision:
        req = parse_request(request)
        return decide(req, self.regime(req.date, req.overlays), self.catalog)


@dataclass
class Context:
    """The law the simulation asks (an Engine, or the bundled data), the date whose TPP definition
    converts chips, and the answers already given (so a second run asks nothing again)."""

    law: Law
    on: dt.date = field(default_factory=dt.date.today)
    notes: set[str] = field(default_factory=set)
    _factors: dict[tuple[str, str], float] = field(default_factory=dict)
    _status: dict[tuple[str, dt.date, tuple[str, ...], bool | None], str] = field(
        default_factory=dict
    )
    _cloud: dict[tuple[str, str, str, dt.date, tuple[str, ...]], bool] = field(default_factory=dict)

    @classmethod
    def bundled(cls, on: dt.date | None = None) -> Context:
        return cls(BundledLaw(Catalog.bundled()), on or dt.date.today())

    @property
    def catalog(self) -> Catalog:
        return self.law.catalog

    def factor(self, item: str | dict[str, Any], basis: str) -> float:
        """Units of `basis` (e.g. B300e on TPP) per unit of the item."""
        key = (json.dumps(item, sort_keys=True), basis)
        if key not in self._factors:
            self._factors[key] = self._factor(self.catalog.resolve(item), basis)
        return self._factors[key]

    def _factor(self, chip: Accelerator, basis: str) -> float:
        if basis not in BASES:
            raise ValueError(f"unknown basis {basis!r} (known: {', '.join(BASES)})")
        unit, metric = basis.split(":")
        if metric == "tpp":
            regime = self.law.regime(self.on)
            value = classify(chip, regime, catalog=self.catalog).equivalents[unit]["tpp"]
            if value is None:
                raise ValueError(f"{chip.name} has no TPP figure for the {basis} basis")
            return value
        reference = self.catalog.get(equivalence_units()[unit].reference)
        return self._metric(chip, metric) / self._metric(reference, metric)

    def _metric(self, chip: Accelerator, metric: str) -> float:
        """Per unit as sold. Gaps are filled visibly (each fill is noted in the output): a chip with
        no 8-bit figure counts its 16-bit rate times the catalog's median 8-bit/16-bit ratio (a
        missing datasheet line, not a missing feature); a chip with no FP4 figure has no FP4 units
        and counts its 8-bit rate."""
        if metric == "dram_bandwidth":
            if chip.dram_bandwidth_gbs is None:
                raise ValueError(f"{chip.name} has no DRAM bandwidth figure")
            return chip.dram_bandwidth_gbs
        d = chip.dense_tflops
        eight = max((v for v in (d.fp8, d.int8) if v is not None), default=None)
        if eight is None and d.fp16 is not None:
            ratio = self._eight_per_sixteen()
            eight = d.fp16 * ratio
            self.notes.add(
                f"{chip.name}: no 8-bit figure, counted at {ratio:g}x its FP16 rate "
                "(the catalog's median 8-bit/16-bit ratio)"
            )
        if metric == "dense_fp4" and d.fp4 is not None:
            return d.fp4
        if eight is None:
            raise ValueError(f"{chip.name} has no throughput figure for the {metric} basis")
        if metric == "dense_fp4":
            self.notes.add(f"{chip.name}: no FP4 figure, counted at its 8-bit rate")
        return eight

    def _eight_per_sixteen(self) -> float:
        ratios = [
            max(v for v in (c.dense_tflops.fp8, c.dense_tflops.int8) if v is not None)
            / c.dense_tflops.fp16
            for c in self.catalog
            if c.dense_tflops.fp16 and (c.dense_tflops.fp8 or c.dense_tflops.int8)
        ]
        return float(np.median(ratios))

    def wafer_share(self, item: str, die_area_mm2: float | None = None) -> float:
        """300 mm wafers (at 100% yield) per package: logic dies over gross dies per wafer
        (pi r^2 / A - pi d / sqrt(2A), the standard edge-loss estimate)."""
        chip = self.catalog.resolve(item)
        area = die_area_mm2 or chip.die_area_mm2
        if area is None:
            raise ValueError(f"{chip.name}: no die area for the wafer production limit")
        n = chip.logic_dies or 1
        per_die = area / n
        gross = math.pi * 150**2 / per_die - math.pi * 300 / math.sqrt(2 * per_die)
        return n / gross

    def export_status(self, p: Product, date: dt.date, overlays: tuple[str, ...]) -> str:
        """open / case_by_case / denied / unknown: a Chinese buyer's licence position on that date."""
        key = (json.dumps(p.item, sort_keys=True), date, overlays, p.exporter_informed)
        if key not in self._status:
            d = self.law.decide(
                {
                    "kind": "export",
                    "date": date,
                    "item": p.item,
                    "to_country": "CN",
                    "end_user": {"headquarters": "CN"},
                    "overlays": overlays,
                    "exporter_informed": p.exporter_informed,
                }
            )
            if d.outcome == "no_license_required" or d.review_policy == "presumption_of_approval":
                status = "open"
            elif d.review_policy == "case_by_case":
                status = "case_by_case"
            else:
                status = "denied" if d.outcome == "license_required" else "unknown"
            self._status[key] = status
        return self._status[key]

    def cloud_open(
        self, item: str, datacenter: str, hq: str, date: dt.date, overlays: tuple[str, ...]
    ) -> bool:
        key = (item, datacenter, hq, date, overlays)
        if key not in self._cloud:
            d = self.law.decide(
                {
                    "kind": "remote_access",
                    "date": date,
                    "provider": {"country": datacenter},
                    "datacenter_country": datacenter,
                    "accelerators": [{"item": item, "count": 1}],
                    "customer": {"country": hq, "headquarters": hq},
                    "workload": {"type": "ai_training"},
                    "overlays": overlays,
                }
            )
            self._cloud[key] = d.outcome == "no_license_required"
        return self._cloud[key]


def export_status(
    product: Product, date: dt.date, overlays: Sequence[str], context: Context | None = None
) -> str:
    return (context or Context.bundled()).export_status(product, date, tuple(overlays))


# -- the model -------------------------------------------------------------------------------------------


@dataclass
class Run:
    scenario: Scenario
    years: list[int]
    series: dict[str, np.ndarray]  # metric -> years x draws
    inputs: list[str]


def _dates(year: int) -> list[dt.date]:
    return [dt.date(year, m, d) for m, d in QUARTER_DATES]


def _mix_factor(
    flow: Flow, years: Sequence[int], basis: str, ctx: Context, specs: dict[str, Any]
) -> np.ndarray:
    """Basis units per chip of the flow's mix, by year (the latest mix at or before the year)."""
    known = sorted(flow.mix)
    out = np.empty(len(years))
    for i, year in enumerate(years):
        shares = flow.mix[max((y for y in known if y <= year), default=known[0])]
        total = sum(shares.values())
        out[i] = (
            sum(s * ctx.factor(specs.get(chip, chip), basis) for chip, s in shares.items()) / total
        )
    return out


def _flow(
    flow: Flow,
    years: Sequence[int],
    basis: str,
    sampler: Sampler,
    ctx: Context,
    specs: dict[str, Any],
    name: str,
) -> tuple[np.ndarray, np.ndarray]:
    """(chips, compute on `basis`), years x draws: the stated volume turned into chips by the mix."""
    volume = sampler.series(flow.volume, years, name)
    if flow.unit != "units":
        volume = volume / _mix_factor(flow, years, flow.unit, ctx, specs)[:, None]
    return volume, volume * _mix_factor(flow, years, basis, ctx, specs)[:, None]


def _cap(sampler: Sampler, s: Series, years: Sequence[int], name: str) -> np.ndarray:
    """A ceiling series: no ceiling before its first year (unlike a volume, which starts at 0)."""
    cap = sampler.series(s, years, name)
    cap[np.asarray(years) < min(s.values)] = np.inf
    return cap


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.inf)
    return out


@dataclass
class _Inputs:
    """What every channel needs: the scenario, sampler, catalog context, years and basis."""

    scenario: Scenario
    sampler: Sampler
    ctx: Context
    years: list[int]
    basis: str

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.years), self.sampler.n

    def flow(self, flow: Flow, name: str) -> tuple[np.ndarray, np.ndarray]:
        return _flow(
            flow, self.years, self.basis, self.sampler, self.ctx, self.scenario.chip_specs, name
        )

    def mix(self, flow: Flow, basis: str) -> np.ndarray:
        return _mix_factor(flow, self.years, basis, self.ctx, self.scenario.chip_specs)[:, None]


_TPP = "b300e:tpp"  # the basis supply shares, caps and displaced capacity are stated on


def _us(x: _Inputs) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """US output on the basis; each designer's (and the total) on TPP; each designer's series
    (units and compute on the basis, as us_units.NAME and us_flow.NAME)."""
    us = np.zeros(x.shape)
    tpp_by: dict[str, np.ndarray] = {}
    by_designer: dict[str, np.ndarray] = {}
    for designer, production in x.scenario.us_production.items():
        chips, compute = x.flow(production, f"us.{designer}")
        us += compute
        tpp_by[designer] = chips * x.mix(production, _TPP)
        by_designer[f"us_units.{designer}"] = chips
        by_designer[f"us_flow.{designer}"] = compute
    tpp_by["us_total"] = sum(tpp_by.values(), np.zeros(x.shape))
    return us, tpp_by, by_designer


def _legal(
    x: _Inputs,
    us: np.ndarray,
    us_tpp_by: dict[str, np.ndarray],
    dates_for: Callable[[int], Iterable[dt.date]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(legal imports on the basis, in units, the policy's additions on TPP, US output left)."""
    s, ctx = x.scenario, x.ctx
    us = us.copy()
    us_per_tpp = _ratio(us, us_tpp_by["us_total"])
    us_per_tpp[~np.isfinite(us_per_tpp)] = 0.0
    legal, units_bought, added_tpp = (np.zeros(x.shape) for _ in range(3))
    history = [(p, False) for p in s.legal_imports]
    for p, added in history + [(p, True) for p in s.exports]:
        name = f"legal.{p.label}"
        if p.supply_share is not None:
            share = x.sampler.series(p.supply_share.share, x.years, f"{name}.share")
            units = share * us_tpp_by[p.supply_share.of] / ctx.factor(p.item, _TPP)
        else:
            units = x.sampler.series(p.units, x.years, f"{name}.units")
        if p.cap_units is not None:
            units = np.minimum(units, _cap(x.sampler, p.cap_units, x.years, f"{name}.cap"))
        approval = x.sampler.draw(p.approval_rate, f"{name}.approval_rate")
        per_unit = ctx.factor(p.item, x.basis)
        for i, year in enumerate(x.years):
            if not units[i].any():
                continue  # nothing to buy: no need to ask the law
            statuses = [ctx.export_status(p, d, _overlays_on(s, d)) for d in dates_for(year)]
            opened = sum(
                1.0 if st == "open" else approval if st == "case_by_case" else 0.0
                for st in statuses
            ) / max(1, len(statuses))
            bought = units[i] * opened
            legal[i] += bought * per_unit
            units_bought[i] += bought
            if added:
                added_tpp[i] += bought * ctx.factor(p.item, _TPP)
            if s.foundry_binds and p.comes_from_us_supply:
                us[i] = np.maximum(us[i] - bought * p.comes_from_us_supply * us_per_tpp[i], 0.0)
    return legal, units_bought, added_tpp, us


def _domestic(x: _Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Huawei units, Huawei and other makers on the basis), within every production limit."""
    s, ctx, sampler = x.scenario, x.ctx, x.sampler
    units_all, huawei, huawei_tpp, stacks, wafers_needed = (np.zeros(x.shape) for _ in range(5))
    for chip in s.domestic:
        units = sampler.series(chip.units, x.years, f"domestic.{chip.item}.units")
        units_all += units
        huawei += units * ctx.factor(chip.item, x.basis)
        huawei_tpp += units * ctx.factor(chip.item, _TPP)
        stacks += units * (chip.hbm_stacks or 0.0)
        if s.logic_wafers is not None:
            wafers_needed += units * ctx.wafer_share(chip.item, chip.die_area_mm2)
    others_share = sampler.draw(s.other_domestic_share_of_huawei, "other_domestic_share_of_huawei")
    scale = np.ones(x.shape)
    if s.domestic_cap is not None:
        cap = _cap(sampler, s.domestic_cap, x.years, "domestic_cap")
        scale = np.minimum(scale, _ratio(cap, huawei_tpp * (1 + others_share)))
    if s.hbm_stacks is not None:
        available = _cap(sampler, s.hbm_stacks, x.years, "hbm_stacks")
        scale = np.minimum(scale, _ratio(available, stacks * (1 + others_share)))
    if s.logic_wafers is not None and s.logic_yield is not None:
        wafers = _cap(sampler, s.logic_wafers, x.years, "logic_wafers")
        good = wafers * sampler.draw(s.logic_yield, "logic_yield")
        scale = np.minimum(scale, _ratio(good, wafers_needed * (1 + others_share)))
    return units_all * scale, huawei * scale, huawei * scale * others_share


def _smuggled(x: _Inputs, added_tpp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(units, compute on the basis); the policy's added legal supply displaces part of it."""
    s = x.scenario
    units, compute = x.flow(s.smuggling, "smuggling")
    if s.smuggling_substitution is None:
        return units, compute
    rate = x.sampler.draw(s.smuggling_substitution, "smuggling_substitution")
    kept = np.clip(1 - _ratio(rate * added_tpp, units * x.mix(s.smuggling, _TPP)), 0.0, 1.0)
    kept[added_tpp == 0] = 1.0
    return units * kept, compute * kept


def _cloud(x: _Inputs) -> np.ndarray:
    """Offshore cloud capacity, open or (leaking) closed as the rules layer says each year."""
    c = x.scenario.cloud
    if c is None:
        return np.zeros(x.shape)
    _, capacity = x.flow(c.capacity, "cloud.capacity")
    leak = x.sampler.draw(c.leakage_when_closed, "cloud.leakage_when_closed")
    for i, year in enumerate(x.years):
        probe = dt.date(year, 7, 1)
        opened = x.ctx.cloud_open(
            c.probe_item,
            c.datacenter_country,
            c.customer_headquarters,
            probe,
            _overlays_on(x.scenario, probe),
        )
        capacity[i] = capacity[i] * (1.0 if opened else leak)
    return capacity


def run_scenario(
    scenario: Scenario,
    years: Sequence[int],
    sampler: Sampler,
    context: Context,
    basis: str | None = None,
    dates_for: Callable[[int], Iterable[dt.date]] = _dates,
) -> Run:
    sampler.shocks = {**scenario.shocks, **sampler.shocks}
    all_years = list(range(min(FIRST_YEAR, years[0]), years[-1] + 1))
    x = _Inputs(scenario, sampler, context, all_years, basis or scenario.basis)
    us, us_tpp_by, by_designer = _us(x)
    legal, legal_units, added_tpp, us = _legal(x, us, us_tpp_by, dates_for)
    huawei_units, huawei, others = _domestic(x)
    smuggled_units, smuggled = _smuggled(x, added_tpp)
    cloud = _cloud(x)

    china = legal + huawei + others + smuggled
    weights = _survival(scenario, len(all_years), sampler)
    busy_us = sampler.draw(scenario.utilisation.us, "utilisation.us") * scenario.efficiency
    busy_cn = sampler.draw(scenario.utilisation.china, "utilisation.china") * scenario.efficiency
    cost = sampler.draw(scenario.cloud_cost_ratio, "cloud_cost_ratio")
    us_stock = _stock(us, weights) * busy_us
    owned = _stock(china, weights)
    china_stock = (owned + cloud) * busy_cn
    at_cost = (owned + cloud / cost) * busy_cn
    domestic = huawei + others
    series = {
        "us_flow": us,
        "china_flow": china,
        "flow_ratio": _ratio(us, china),
        "us_stock": us_stock,
        "china_stock": china_stock,
        "stock_ratio": _ratio(us_stock, china_stock),
        "china_stock_cloud_at_cost": at_cost,
        "stock_ratio_cloud_at_cost": _ratio(us_stock, at_cost),
        "china_legal": legal,
        "china_legal_units": legal_units,
        "china_smuggled_units": smuggled_units,
        "china_huawei": huawei,
        "china_huawei_units": huawei_units,
        "china_domestic": domestic,
        "china_smuggled": smuggled,
        "china_cloud": cloud,
        "china_cloud_owned_equivalent": cloud / cost,
        # cumulative since 2022 with no retirement, the convention of Epoch AI's stock figures
        "us_cum": np.cumsum(us, axis=0),
        "china_legal_cum": np.cumsum(legal, axis=0),
        "china_domestic_cum": np.cumsum(domestic, axis=0),
        "china_smuggled_cum": np.cumsum(smuggled, axis=0),
        "world_cum": np.cumsum(us + domestic, axis=0),
        "outside_china_cum": np.cumsum(us - legal - smuggled, axis=0),
        **by_designer,
    }
    first = all_years.index(years[0])
    keep: slice | list[int] = (
        slice(first, first + len(years))
        if list(years) == all_years[first : first + len(years)]
        else [all_years.index(y) for y in years]
    )
    return Run(scenario, list(years), {k: v[keep] for k, v in series.items()}, list(sampler.names))


def _overlays_on(scenario: Scenario, date: dt.date) -> tuple[str, ...]:
    return (
        scenario.overlays
        if scenario.overlays_from is None or date >= scenario.overlays_from
        else ()
    )


_NO_RETIREMENT = Retirement(kind="none")
_NO_CAPS = {"domestic_cap": None, "hbm_stacks": None, "logic_wafers": None, "logic_yield": None}


def _survival(scenario: Scenario, years: int, sampler: Sampler) -> np.ndarray:
    """Share of a cohort still counted k years after purchase, k x draws."""
    r = scenario.retirement
    ages = np.arange(years, dtype=float)[:, None]
    if r.kind == "none":
        return np.ones((years, sampler.n))
    if r.kind == "hazard":
        assert r.rate is not None
        rate = sampler.draw(r.rate, "retirement.rate")
        hazard: np.ndarray = np.exp(-rate[None, :] * ages)
        return hazard
    assert r.years is not None
    life = sampler.draw(r.years, "retirement.years")
    window: np.ndarray = np.clip(life[None, :] - ages, 0.0, 1.0)
    return window


def _stock(flows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    out = np.zeros_like(flows)
    for k in range(flows.shape[0]):
        out[k:] += flows[: flows.shape[0] - k] * weights[k]
    return out


@dataclass
class Results:
    """A tidy table (scenario, year, metric, median, p5, p95) plus the raw draws for charts."""

    basis: str
    profile: str
    frame: pl.DataFrame
    runs: list[Run]
    notes: list[str] = field(default_factory=list)

    def paired(self, metric: str, base: str) -> pl.DataFrame:
        """Each scenario minus `base`, draw by draw (the draws are paired by common random
        numbers, so the band is the uncertainty of the difference itself)."""
        ref = next(r for r in self.runs if r.scenario.name == base)
        rows = []
        for run in self.runs:
            delta = run.series[metric] - ref.series[metric]
            p5, p50, p95 = np.percentile(delta, [5, 50, 95], axis=1)
            for i, year in enumerate(run.years):
                rows.append(
                    {
                        "scenario": run.scenario.name,
                        "year": year,
                        "median": float(p50[i]),
                        "p5": float(p5[i]),
                        "p95": float(p95[i]),
                    }
                )
        return pl.DataFrame(rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "profile": self.profile,
            "notes": self.notes,
            "results": self.frame.to_dicts(),
        }


SUMMARY_METRICS = (
    "us_flow",
    "china_flow",
    "flow_ratio",
    "us_stock",
    "china_stock",
    "stock_ratio",
    "stock_ratio_cloud_at_cost",
    "china_legal",
    "china_huawei",
    "china_huawei_units",
    "china_domestic",
    "china_smuggled",
    "china_cloud",
    "china_cloud_owned_equivalent",
)  # the table's metrics; the cumulative and unit series stay on each Run (used by validation)


def summarise(runs: Sequence[Run]) -> pl.DataFrame:
    frames = []
    for run in runs:
        for metric in SUMMARY_METRICS:
            values = run.series[metric]
            if np.isfinite(values).all():
                p5, p50, p95 = np.percentile(values, [5, 50, 95], axis=1)
            else:  # a ratio over an empty channel: leave those draws out
                finite = np.where(np.isfinite(values), values, np.nan)
                with np.errstate(all="ignore"):
                    p5, p50, p95 = np.nanpercentile(finite, [5, 50, 95], axis=1)
            frames.append(
                pl.DataFrame(
                    {
                        "scenario": [run.scenario.name] * len(run.years),
                        "year": run.years,
                        "metric": [metric] * len(run.years),
                        "median": p50,
                        "p5": p5,
                        "p95": p95,
                    }
                )
            )
    return pl.concat(frames)


def simulate(
    scenarios: Sequence[Scenario],
    years: Sequence[int] = tuple(range(2024, 2031)),
    draws: int = 10_000,
    seed: int = 20260115,
    basis: str | None = None,
    context: Context | None = None,
) -> Results:
    """Monte Carlo of every scenario over the same years and the same random numbers."""
    if not scenarios:
        raise ValueError("no scenarios")
    if basis is None:
        bases = {s.basis for s in scenarios}
        if len(bases) > 1:
            raise ValueError(
                f"scenarios use different bases ({', '.join(sorted(bases))}); pass one basis"
            )
        basis = bases.pop()
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r} (known: {', '.join(BASES)})")
    ctx = context or Context.bundled()
    streams: dict[str, np.ndarray] = {}  # one draw per input name, shared by every scenario
    runs = [
        run_scenario(s, list(years), Sampler(draws, seed, streams=streams), ctx, basis)
        for s in scenarios
    ]
    profiles = sorted({s.profile for s in scenarios})
    return Results(basis, ", ".join(profiles), summarise(runs), runs, sorted(ctx.notes))


@dataclass
class _PinnedColumns(Sampler):
    """Every input at its median, except that column 2i+1 / 2i+2 put input i at its low / high
    quantile: one run gives the whole one-at-a-time tornado."""

    columns: dict[str, int] = field(default_factory=dict)
    low: float = 0.05
    high: float = 0.95

    def _z(self, name: str) -> np.ndarray:
        if name not in self.names:
            self.names.append(name)
        z = np.zeros(self.n)
        i = self.columns.get(name)
        if i is not None:
            z[2 * i + 1], z[2 * i + 2] = _NORMAL.inv_cdf(self.low), _NORMAL.inv_cdf(self.high)
        return z


Swing = tuple[str, float, float, float]  # input, value at its low end, at its high end, centre


def tornado(
    scenario: Scenario,
    year: int,
    metrics: Sequence[str] = ("flow_ratio", "stock_ratio"),
    context: Context | None = None,
    basis: str | None = None,
    low: float = 0.05,
    high: float = 0.95,
) -> dict[str, list[Swing]]:
    """Per metric, the swing when each input (or common shock) alone moves to its low/high
    quantile with the rest at their medians, plus the structural choices: basis, lifetime model
    (drawn vs none), and whether the foundry and the domestic caps bind. Largest first."""
    ctx = context or Context.bundled()
    basis = basis or scenario.basis

    def centre_of(s: Scenario, b: str) -> dict[str, float]:
        series = run_scenario(s, [year], Sampler(1, 0, pin_all=0.5), ctx, b).series
        return {m: float(series[m][0, 0]) for m in metrics}

    probe = Sampler(1, 0, pin_all=0.5)
    run_scenario(scenario, [year], probe, ctx, basis)
    names = list(probe.names)
    pinned = _PinnedColumns(
        1 + 2 * len(names), 0, columns={n: i for i, n in enumerate(names)}, low=low, high=high
    )
    series = run_scenario(scenario, [year], pinned, ctx, basis).series
    variants: dict[str, list[dict[str, float]]] = {
        "structural: basis": [centre_of(scenario, b) for b in BASES if b.startswith("b300e")],
        "structural: retirement drawn vs none": [
            centre_of(scenario, basis),
            centre_of(scenario.model_copy(update={"retirement": _NO_RETIREMENT}), basis),
        ],
        "structural: foundry binds": [
            centre_of(scenario.model_copy(update={"foundry_binds": f}), basis)
            for f in (False, True)
        ],
        "structural: domestic caps bind": [
            centre_of(scenario, basis),
            centre_of(
                scenario.model_copy(update={"domestic_cap": None, "hbm_stacks": None}), basis
            ),
        ],
    }
    out: dict[str, list[Swing]] = {}
    for m in metrics:
        row = series[m][0]
        centre = float(row[0])
        swings = [
            (n, float(row[2 * i + 1]), float(row[2 * i + 2]), centre)
            for i, n in enumerate(names)
            if row[2 * i + 1] != row[2 * i + 2]
        ]
        for label, values in variants.items():
            vs = [v[m] for v in values]
            if min(vs) != max(vs):
                swings.append((label, min(vs), max(vs), centre))
        swings = [sw for sw in swings if math.isfinite(sw[1]) and math.isfinite(sw[2])]
        out[m] = sorted(swings, key=lambda t: -abs(t[2] - t[1]))
    return out

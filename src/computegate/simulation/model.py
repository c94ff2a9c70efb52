"""The compute-balance model: US production vs China's three channels, Monte Carlo over every input.

Which chips China may buy legally in a year is asked of the rules layer (`decide`) under the
scenario's overlays, on four dates in the year; nothing about the law is re-encoded here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from computegate.catalog import Catalog
from computegate.regime import Regime
from computegate.rules import classify, decide
from computegate.simulation.schema import Product, Scenario, Series, Uncertain, lognormal_sigma

QUARTER_DATES = ((2, 15), (5, 15), (8, 15), (11, 15))
FIRST_YEAR = 2022  # flows before this are not modelled; stocks start empty
_NORMAL = NormalDist()


@dataclass
class Sampler:
    """Draws for every uncertain input; `fixed` pins named inputs to a quantile (tornado analysis)."""

    n: int
    rng: np.random.Generator
    fixed: dict[str, float] = field(default_factory=dict)
    pin_all: float | None = None
    names: list[str] = field(default_factory=list)

    def draw(self, u: Uncertain, name: str) -> np.ndarray:
        if name not in self.names:
            self.names.append(name)
        if u.fixed:
            return np.full(self.n, u.median)
        q = self.fixed.get(name, self.pin_all)
        if q is not None:
            return np.full(self.n, quantile(u, q))
        if u.dist == "lognormal":
            draws: np.ndarray = np.exp(
                np.log(u.median) + lognormal_sigma(u) * self.rng.standard_normal(self.n)
            )
            return draws
        if u.dist == "triangular":
            return self.rng.triangular(u.lo, u.median, u.hi, self.n)
        return self.rng.uniform(u.lo, u.hi, self.n)

    def series(self, s: Series | None, years: Sequence[int], name: str) -> np.ndarray:
        """Years x draws; zero before the first year given, grown after the last."""
        out = np.zeros((len(years), self.n))
        if s is None or not s.values:
            return out
        known = sorted(s.values)
        draws = {y: self.draw(s.values[y], f"{name}[{y}]") for y in known}
        growth = self.draw(s.growth_after, f"{name}.growth") if s.growth_after is not None else None
        for i, year in enumerate(years):
            if year in draws:
                out[i] = draws[year]
            elif year > known[-1] and growth is not None:
                out[i] = draws[known[-1]] * growth ** (year - known[-1])
            elif known[0] < year < known[-1]:
                out[i] = draws[max(y for y in known if y < year)]
        return out


def quantile(u: Uncertain, q: float) -> float:
    if u.fixed:
        return u.median
    if u.dist == "lognormal":
        return float(np.exp(np.log(u.median) + lognormal_sigma(u) * _NORMAL.inv_cdf(q)))
    if u.dist == "uniform":
        return u.lo + q * (u.hi - u.lo)
    a, c, b = float(u.lo), float(u.median), float(u.hi)  # triangular inverse CDF
    cut = (c - a) / (b - a)
    if q < cut:
        return a + math.sqrt((b - a) * (c - a) * q)
    return b - math.sqrt((b - a) * (b - c) * (1 - q))


# -- what the rules layer says ------------------------------------------------------------------------


def _dates(year: int) -> list[dt.date]:
    return [dt.date(year, m, d) for m, d in QUARTER_DATES]


def export_status(product: Product, date: dt.date, overlays: Sequence[str]) -> str:
    """open / case_by_case / denied / unknown: a Chinese buyer's licence position on that date."""
    return _status(product, date, overlays)


@lru_cache(maxsize=10_000)
def _cloud_open(
    item: str, datacenter: str, hq: str, date: dt.date, overlays: tuple[str, ...]
) -> bool:
    d = decide(
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
    return d.outcome == "no_license_required"


def factor(item: str | dict[str, Any], basis: str) -> float:
    """Units of `basis` (e.g. B300e on TPP) per unit of the item, from the catalog's metrics."""
    return _factor(_item_key(item), basis)


@lru_cache(maxsize=10_000)
def _factor(item_key: str, basis: str) -> float:
    chip = Catalog.bundled().resolve(json.loads(item_key))
    unit, metric = basis.split(":")
    value = classify(chip, Regime.at("2025-07-01")).equivalents[unit][metric]
    if value is None:
        raise ValueError(f"{chip.name} has no {metric} figure for the {basis} basis")
    return value


# -- the model -------------------------------------------------------------------------------------------


@dataclass
class Run:
    scenario: Scenario
    years: list[int]
    series: dict[str, np.ndarray]  # metric -> years x draws
    inputs: list[str]


def run_scenario(
    scenario: Scenario,
    years: Sequence[int],
    sampler: Sampler,
    dates_for: Callable[[int], Iterable[dt.date]] = _dates,
) -> Run:
    all_years = list(range(min(FIRST_YEAR, years[0]), years[-1] + 1))
    n = sampler.n
    basis = scenario.basis
    us_factor = factor(scenario.us_reference_chip, basis) / factor(
        scenario.us_reference_chip, "b300e:tpp"
    )
    us = np.zeros((len(all_years), n))
    for designer, production in scenario.us_production.items():
        us += sampler.series(production, all_years, f"us_production.{designer}") * us_factor

    legal = np.zeros((len(all_years), n))
    for p in scenario.legal_imports:
        label = p.item if isinstance(p.item, str) else str(p.item.get("name", "custom chip"))
        units = sampler.series(p.units, all_years, f"legal.{label}.units")
        if p.cap_units is not None:
            units = np.minimum(units, sampler.series(p.cap_units, all_years, f"legal.{label}.cap"))
        approval = sampler.draw(p.approval_rate, f"legal.{label}.approval_rate")
        per_unit = factor(p.item, basis)
        for i, year in enumerate(all_years):
            statuses = [_status(p, d, _overlays_on(scenario, d)) for d in dates_for(year)]
            share = sum(
                1.0 if s == "open" else approval if s == "case_by_case" else 0.0 for s in statuses
            ) / max(1, len(statuses))
            bought = units[i] * share
            legal[i] += bought * per_unit
            if scenario.foundry_binds and p.comes_from_us_supply:
                us[i] = np.maximum(us[i] - bought * p.comes_from_us_supply * us_factor, 0.0)

    huawei = np.zeros((len(all_years), n))
    for chip in scenario.domestic:
        huawei += sampler.series(chip.units, all_years, f"domestic.{chip.item}.units") * factor(
            chip.item, basis
        )
    others = huawei * sampler.draw(
        scenario.other_domestic_share_of_huawei, "other_domestic_share_of_huawei"
    )
    smuggled = sampler.series(scenario.smuggling, all_years, "smuggling") * us_factor

    cloud = np.zeros((len(all_years), n))
    if scenario.cloud is not None:
        c = scenario.cloud
        capacity = (
            sampler.series(c.capacity, all_years, "cloud.capacity")
            * factor(c.probe_item, basis)
            / factor(c.probe_item, "b300e:tpp")
        )
        leak = sampler.draw(c.leakage_when_closed, "cloud.leakage_when_closed")
        for i, year in enumerate(all_years):
            probe = dt.date(year, 7, 1)
            opened = _cloud_open(
                c.probe_item,
                c.datacenter_country,
                c.customer_headquarters,
                probe,
                _overlays_on(scenario, probe),
            )
            cloud[i] = capacity[i] * (1.0 if opened else leak)

    china = legal + huawei + others + smuggled
    utilisation = sampler.draw(scenario.utilisation, "utilisation") * scenario.efficiency
    us_stock = _stock(us, scenario) * utilisation
    china_stock = (_stock(china, scenario) + cloud) * utilisation
    keep = [all_years.index(y) for y in years]
    with np.errstate(divide="ignore", invalid="ignore"):
        series = {
            "us_flow": us,
            "china_flow": china,
            "flow_ratio": np.where(china > 0, us / china, np.inf),
            "us_stock": us_stock,
            "china_stock": china_stock,
            "stock_ratio": np.where(china_stock > 0, us_stock / china_stock, np.inf),
            "china_legal": legal,
            "china_huawei": huawei,
            "china_domestic": huawei + others,
            "china_smuggled": smuggled,
            "china_cloud": cloud,
            "china_cloud_cost_equivalent": cloud / scenario.cloud_cost_ratio,
        }
    return Run(scenario, list(years), {k: v[keep] for k, v in series.items()}, list(sampler.names))


def _overlays_on(scenario: Scenario, date: dt.date) -> tuple[str, ...]:
    return (
        scenario.overlays
        if scenario.overlays_from is None or date >= scenario.overlays_from
        else ()
    )


def _status(p: Product, date: dt.date, overlays: Sequence[str]) -> str:
    return _export_status(_item_key(p.item), date, tuple(overlays), p.exporter_informed)


def _item_key(item: str | dict[str, Any]) -> str:
    """A catalog name or raw spec as a hashable cache key (decoded again by the cached function)."""
    return json.dumps(item, sort_keys=True)


@lru_cache(maxsize=100_000)
def _export_status(
    item_key: str, date: dt.date, overlays: tuple[str, ...], informed: bool | None
) -> str:
    request = {
        "kind": "export",
        "date": date,
        "item": json.loads(item_key),
        "to_country": "CN",
        "end_user": {"headquarters": "CN"},
        "overlays": overlays,
        "exporter_informed": informed,
    }
    d = decide(request)
    if d.outcome == "no_license_required" or d.review_policy == "presumption_of_approval":
        return "open"
    if d.review_policy == "case_by_case":
        return "case_by_case"
    return "denied" if d.outcome == "license_required" else "unknown"


def _stock(flows: np.ndarray, scenario: Scenario) -> np.ndarray:
    r = scenario.retirement
    if r.kind == "none":
        return np.cumsum(flows, axis=0)
    out = np.zeros_like(flows)
    for t in range(flows.shape[0]):
        for k in range(t + 1):
            if r.kind == "fixed_life":
                assert r.years is not None
                if k < r.years:
                    out[t] += flows[t - k]
            else:
                assert r.rate is not None
                out[t] += flows[t - k] * np.exp(-r.rate * k)
    return out


@dataclass
class Results:
    """A tidy table (scenario, year, metric, median, p5, p95) plus the raw draws for charts."""

    basis: str
    frame: pl.DataFrame
    runs: list[Run]

    def as_json(self) -> dict[str, Any]:
        return {"basis": self.basis, "results": self.frame.to_dicts()}


def summarise(runs: Sequence[Run]) -> pl.DataFrame:
    rows = []
    for run in runs:
        for metric, values in run.series.items():
            finite = np.where(np.isfinite(values), values, np.nan)
            p5, p50, p95 = np.nanpercentile(finite, [5, 50, 95], axis=1)
            for i, year in enumerate(run.years):
                rows.append(
                    {
                        "scenario": run.scenario.name,
                        "year": year,
                        "metric": metric,
                        "median": float(p50[i]),
                        "p5": float(p5[i]),
                        "p95": float(p95[i]),
                    }
                )
    return pl.DataFrame(rows)


def simulate(
    scenarios: Sequence[Scenario],
    years: Sequence[int] = tuple(range(2024, 2031)),
    draws: int = 10_000,
    seed: int = 20260115,
) -> Results:
    """Monte Carlo of every scenario over the same years; reproducible for a given seed."""
    if not scenarios:
        raise ValueError("no scenarios")
    bases = {s.basis for s in scenarios}
    if len(bases) > 1:
        raise ValueError(
            f"scenarios use different bases ({', '.join(sorted(bases))}); compare on one basis"
        )
    runs = [
        run_scenario(s, list(years), Sampler(draws, np.random.default_rng(seed))) for s in scenarios
    ]
    return Results(bases.pop(), summarise(runs), runs)


def tornado(
    scenario: Scenario, year: int, metric: str = "flow_ratio", low: float = 0.05, high: float = 0.95
) -> list[tuple[str, float, float, float]]:
    """Swing of one metric when each input alone moves to its low/high quantile, others at median."""
    base_sampler = Sampler(1, np.random.default_rng(0), pin_all=0.5)
    base = run_scenario(scenario, [year], base_sampler)
    centre = float(base.series[metric][0, 0])
    swings = []
    for name in base.inputs:
        values = []
        for q in (low, high):
            s = Sampler(1, np.random.default_rng(0), fixed={name: q}, pin_all=0.5)
            values.append(float(run_scenario(scenario, [year], s).series[metric][0, 0]))
        if values[0] != values[1]:
            swings.append((name, values[0], values[1], centre))
    return sorted(swings, key=lambda t: -abs(t[2] - t[1]))

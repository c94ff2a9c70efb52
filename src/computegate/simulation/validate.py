"""Check a profile against published estimates it was not built from (validation/estimates.yaml)."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from computegate.io.files import read_yaml, validate_file
from computegate.simulation.model import Context, Run, Sampler, run_scenario

YEARS = list(range(2022, 2031))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """What the model is asked: a metric, a ratio of summed metrics, or a per-chip ratio."""

    scenario: str | None = None
    year: int | None = None
    metric: str | None = None
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = Field(default=(), description="Empty: the numerator's sum")
    chips: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _one(self) -> Target:
        kinds = [self.metric is not None, bool(self.numerator), self.chips is not None]
        if sum(kinds) != 1:
            raise ValueError("give one of metric, numerator/denominator, or chips")
        if self.chips is None and (self.scenario is None or self.year is None):
            raise ValueError("a model metric needs scenario and year")
        return self


class Estimate(_Strict):
    id: str
    org: str = Field(description="The organisation; the dev/test split is by organisation")
    source: str
    url: str | None
    date: str | int | dt.date
    quantity: str
    basis: str
    value: str
    interval: tuple[float, float]
    tolerance: str
    model: Target
    miss: str | None = Field(default=None, description="Why the model misses, if it does")

    @property
    def split(self) -> str:
        """dev or test, by the parity of CRC-32 of the organisation (fixed, not chosen)."""
        return "dev" if zlib.crc32(self.org.encode()) % 2 == 0 else "test"


class EstimatesFile(_Strict):
    estimates: list[Estimate] = Field(min_length=1)


def estimates_path() -> Path:
    return Path(str(resources.files("computegate.simulation") / "validation" / "estimates.yaml"))


def load_estimates(path: Path | None = None) -> list[Estimate]:
    path = path or estimates_path()
    return validate_file(path, EstimatesFile, read_yaml(path)).estimates


@dataclass
class Check:
    estimate: Estimate
    model: float
    passed: bool


def validate(
    profile: str,
    draws: int = 2_000,
    seed: int = 20260115,
    context: Context | None = None,
    estimates: list[Estimate] | None = None,
) -> list[Check]:
    """The model's median for each estimate, under one profile, and whether it lies in the interval."""
    from computegate.simulation import resolve_scenario

    ctx = context or Context.bundled()
    runs: dict[tuple[str, str], Run] = {}
    streams: dict[str, np.ndarray] = {}
    checks = []
    for e in estimates or load_estimates():
        t = e.model
        if t.chips is not None:
            specs = resolve_scenario("full-ban", profile).chip_specs
            a, b = (ctx.factor(specs.get(c, c), e.basis) for c in t.chips)
            value = a / b
        else:
            assert t.scenario is not None and t.year is not None
            basis = "b300e:tpp" if e.basis == "units" else e.basis
            key = (t.scenario, basis)
            if key not in runs:
                scenario = resolve_scenario(t.scenario, profile)
                sampler = Sampler(draws, seed, streams=streams)
                runs[key] = run_scenario(scenario, YEARS, sampler, ctx, basis)
            value = _median(runs[key], t.year, t)
        low, high = e.interval
        checks.append(Check(e, value, low <= value <= high))
    return checks


def _median(run: Run, year: int, t: Target) -> float:
    i = run.years.index(year)
    if t.metric is not None:
        draws = run.series[t.metric][i]
    else:
        top = sum(run.series[m][i] for m in t.numerator)
        if not t.denominator:
            draws = np.asarray(top)
        else:
            bottom = sum(run.series[m][i] for m in t.denominator)
            with np.errstate(divide="ignore", invalid="ignore"):
                draws = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.inf)
    finite = draws[np.isfinite(draws)]
    return float(np.median(finite)) if finite.size else float("inf")


def as_rows(checks: list[Check]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.estimate.id,
            "split": c.estimate.split,
            "source": c.estimate.source,
            "url": c.estimate.url,
            "date": str(c.estimate.date),
            "quantity": c.estimate.quantity,
            "basis": c.estimate.basis,
            "value": c.estimate.value,
            "interval": list(c.estimate.interval),
            "tolerance": c.estimate.tolerance,
            "model": c.model,
            "pass": c.passed,
            "miss": c.estimate.miss,
        }
        for c in checks
    ]

"""The shipped simulation scenarios as the web page lists and edits them: title, description, and
per export channel the listed volumes, approval rate and last year, so the page can say where a
policy's inputs end and let an analyst change them for one run."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from computegate.io.errors import InputError
from computegate.simulation.schema import Product, Scenario, Series, Uncertain

Year = Annotated[int, Field(ge=2015, le=2040)]


class ExportEdit(BaseModel):
    """New values for one export channel of a scenario (only what is given changes)."""

    model_config = ConfigDict(extra="forbid")
    item: str = Field(
        max_length=200, description="The export's item, as GET /v1/scenarios names it"
    )
    volume: dict[Year, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict,
        max_length=26,
        description="Median per year (units, or the supply share); the range moves with it",
    )
    approval_rate: float | None = Field(
        default=None, ge=0, le=1, description="Share of requests approved, used as a fixed value"
    )
    until: Year | None = Field(default=None, description="The last year the policy applies")


class ScenarioEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(max_length=100)
    exports: list[ExportEdit] = Field(min_length=1, max_length=20)


def _series(s: Series) -> dict[str, Any]:
    return {
        "volume": {year: u.median for year, u in sorted(s.values.items())},
        "first_year": min(s.values),
        "last_listed_year": max(s.values),
        "until": s.until,
        "grows_after": s.growth_after is not None,
    }


def _channel(e: Product) -> dict[str, Any]:
    if e.supply_share is not None:
        series, unit = e.supply_share.share, f"share of {e.supply_share.of}"
    else:
        assert e.units is not None  # a Product has exactly one of the two
        series, unit = e.units, "units"
    return {"item": e.label, "unit": unit, "approval_rate": e.approval_rate.median} | _series(
        series
    )


def scenario_index(profile: str = "default") -> list[dict[str, Any]]:
    from computegate.simulation import resolve_scenario, shipped_scenarios

    out = []
    for name in shipped_scenarios():
        s = resolve_scenario(name, profile)
        out.append(
            {
                "name": name,
                "title": s.title,
                "description": s.description,
                "exports": [_channel(e) for e in s.exports],
            }
        )
    return out


def _moved(old: Uncertain | None, median: float) -> Uncertain:
    """The median changed and the range scaled with it (a point value where there was none)."""
    if old is None or old.median == 0:
        return Uncertain(median=median, dist="point", note="edited on the web page")
    factor = median / old.median
    return old.model_copy(
        update={
            "median": median,
            "low": None if old.low is None else old.low * factor,
            "high": None if old.high is None else old.high * factor,
            "note": f"edited on the web page (was {old.median:g})",
        }
    )


def _edit_series(s: Series, volume: dict[int, float], until: int | None) -> dict[str, Any]:
    values = dict(s.values) | {y: _moved(s.values.get(y), v) for y, v in volume.items()}
    out = s.model_dump() | {"values": {y: u.model_dump() for y, u in values.items()}}
    return out | ({"until": until} if until is not None else {})


def apply_edits(scenario: Scenario, edit: ScenarioEdit, where: str) -> Scenario:
    """The scenario with the edits applied and validated again; `where` prefixes error fields."""
    exports = [e.model_dump() for e in scenario.exports]
    labels = [e.label for e in scenario.exports]
    for n, change in enumerate(edit.exports):
        field = f"{where}.exports.{n}"
        if change.item not in labels:
            have = ", ".join(labels) or "none"
            raise InputError(
                f"{field}.item", f"{scenario.name} has no export {change.item!r} (it has: {have})"
            )
        i = labels.index(change.item)
        product = scenario.exports[i]
        listed = product.units or (product.supply_share.share if product.supply_share else None)
        first = min([*(listed.values if listed else []), *change.volume], default=None)
        if change.until is not None and first is not None and change.until < first:
            raise InputError(f"{field}.until", f"{change.until} is before the first year, {first}")
        if change.volume or change.until is not None:
            if product.supply_share is not None:
                share = _edit_series(product.supply_share.share, change.volume, change.until)
                exports[i]["supply_share"]["share"] = share
            elif product.units is not None:
                exports[i]["units"] = _edit_series(product.units, change.volume, change.until)
        if change.approval_rate is not None:
            exports[i]["approval_rate"] = {"median": change.approval_rate, "dist": "point"}
    raw = scenario.model_dump() | {"name": f"{scenario.name} (edited)", "exports": exports}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"]]
        if loc[:1] == ["exports"] and len(loc) > 1:
            item = labels[int(loc[1])]
            n = next(k for k, c in enumerate(edit.exports) if c.item == item)
            raise InputError(
                ".".join([where, "exports", str(n), *loc[2:]]),
                str(error["msg"]).removeprefix("Value error, "),
            ) from None
        raise InputError(where, str(error["msg"])) from None

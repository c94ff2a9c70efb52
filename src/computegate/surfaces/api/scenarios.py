"""The shipped simulation scenarios as the web page lists them: title, description, and the years
each export channel is written for, so the page can say where a policy's inputs end."""

from __future__ import annotations

from typing import Any


def scenario_index(profile: str = "default") -> list[dict[str, Any]]:
    from computegate.simulation import resolve_scenario, shipped_scenarios

    out = []
    for name in shipped_scenarios():
        s = resolve_scenario(name, profile)
        exports = []
        for e in s.exports:
            series = e.supply_share.share if e.supply_share is not None else e.units
            if series is None:
                continue
            exports.append(
                {
                    "item": e.label,
                    "first_year": min(series.values),
                    "last_listed_year": max(series.values),
                    "until": series.until,
                    "grows_after": series.growth_after is not None,
                }
            )
        out.append(
            {"name": name, "title": s.title, "description": s.description, "exports": exports}
        )
    return out

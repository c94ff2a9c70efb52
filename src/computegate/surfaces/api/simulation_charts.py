"""The Simulate tab's charts as Vega-Lite specs (Altair), returned with the run they draw so one
click is one run: the fan of the US:China flow ratio (median and 5-95% band, a dashed rule where a
scenario's policy ends) and China's compute by channel (medians, stacked, one bar per scenario)."""

from __future__ import annotations

from typing import Any

import altair as alt

from computegate.simulation.schema import Scenario
from computegate.surfaces.simulation_charts import CHANNELS

YEAR = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))
SCENARIO = alt.Color("scenario:N", title="Scenario", legend=alt.Legend(orient="bottom", columns=1))


def policy_ends(scenarios: list[Scenario], years: list[int]) -> list[dict[str, Any]]:
    """The last year of each export policy that ends inside the years simulated."""
    out = []
    for s in scenarios:
        for e in s.exports:
            series = e.supply_share.share if e.supply_share is not None else e.units
            if series is not None and series.until is not None and series.until < years[-1]:
                label = f"{e.label} exports end after {series.until}"
                out.append({"scenario": s.name, "year": series.until, "label": label})
    return out


def fan(results: list[dict[str, Any]], basis: str, ends: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [r for r in results if r["metric"] == "flow_ratio"]
    tooltip = [
        alt.Tooltip("scenario:N", title="Scenario"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("median:Q", title="Median", format=".2f"),
        alt.Tooltip("p5:Q", title="5th percentile", format=".2f"),
        alt.Tooltip("p95:Q", title="95th percentile", format=".2f"),
    ]
    base = alt.Chart()
    band = base.mark_area(opacity=0.15).encode(x=YEAR, y="p5:Q", y2="p95:Q", color=SCENARIO)
    line = base.mark_line(point=True).encode(
        x=YEAR,
        y=alt.Y("median:Q", title=f"US:China compute gained per year ({basis})"),
        color=SCENARIO,
        tooltip=tooltip,
    )
    layers: list[Any] = [alt.LayerChart(data=alt.InlineData(values=rows), layer=[band, line])]
    if ends:
        rule = base.mark_rule(strokeDash=[4, 4], color="#475467").encode(
            x=YEAR, tooltip=[alt.Tooltip("label:N", title="Policy ends")]
        )
        text = base.mark_text(align="left", dx=4, dy=-4, fontSize=10, color="#475467").encode(
            x=YEAR, y=alt.value(12), text="label:N"
        )
        layers.append(alt.LayerChart(data=alt.InlineData(values=ends), layer=[rule, text]))
    chart = alt.LayerChart(layer=layers).properties(
        title="US:China flow ratio, median and 5-95% band", width="container", height=300
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def channels(results: list[dict[str, Any]], basis: str) -> dict[str, Any]:
    names = dict(CHANNELS)
    rows = [r | {"channel": names[r["metric"]]} for r in results if r["metric"] in names]
    chart = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_bar()
        .encode(
            x=YEAR,
            xOffset=alt.XOffset("scenario:N"),
            y=alt.Y("median:Q", title=f"China's compute ({basis}, median)", stack="zero"),
            color=alt.Color(
                "channel:N",
                title="Channel",
                sort=list(names.values()),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            order=alt.Order("channel:N"),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("median:Q", title="Median", format=",.3s"),
            ],
        )
        .properties(
            title="China's compute by channel",
            width="container",
            height=300,
        )
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec

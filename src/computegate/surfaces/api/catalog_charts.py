"""The catalog charts of the Classify tab as Vega-Lite specs (built with Altair, drawn in the browser
by vega-embed): TPP against performance density over the 3A090 regions, and TPP against DRAM
bandwidth over the January-2026 window and the Section 232 bands. Hover for a chip's figures, drag
or scroll to pan and zoom; the chip asked about is ringed and named."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from computegate.regime import Regime
from computegate.rules import Classification
from computegate.surfaces.charts import COLORS, TPP_RANGE

PD_MAX = 40.0
BW_MAX = 9000.0
READING = alt.Color(
    "reading:N",
    title="ECCN (chips and regions)",
    scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values())),
    legend=alt.Legend(orient="bottom", columns=2, symbolOpacity=1, symbolType="square"),
)
OUTLINE = {"fillOpacity": 0.04, "fill": "#6941c6", "stroke": "#6941c6", "strokeDash": [4, 3]}


def _x(field: str) -> alt.X:
    return alt.X(
        field, title="TPP per IC (log scale)", scale=alt.Scale(type="log", domain=list(TPP_RANGE))
    )


def _y(field: str, axis: tuple[str, float]) -> alt.Y:
    return alt.Y(field, title=axis[0], scale=alt.Scale(domain=[0, axis[1]]))


def _points(items: Sequence[Classification], chosen: Classification | None) -> list[dict[str, Any]]:
    rows = list(items)
    if chosen is not None and all(c.name != chosen.name for c in rows):
        rows.append(chosen)  # raw specs, or a chip outside the catalog
    return [
        {
            "name": c.name,
            "reading": c.reading,
            "paragraph": c.eccn_paragraph or c.reading,
            "tpp": c.tpp,
            "pd": c.performance_density,
            "bw": c.total_dram_bandwidth_gbs,
            "chosen": chosen is not None and c.name == chosen.name,
        }
        for c in rows
        if c.tpp
    ]


def _chips(
    points: list[dict[str, Any]], field: str, axis: tuple[str, float], title: str, fmt: str
) -> alt.LayerChart:
    """The chips as points (tooltips, pan/zoom) and the chosen one ringed and named."""
    x, y = _x("tpp:Q"), _y(f"{field}:Q", axis)
    base = alt.Chart().transform_filter(f"isValid(datum.{field})")
    tooltip = [
        alt.Tooltip("name:N", title="Chip"),
        alt.Tooltip("paragraph:N", title="Reading"),
        alt.Tooltip("tpp:Q", title="TPP", format=",.0f"),
        alt.Tooltip(f"{field}:Q", title=title, format=fmt),
    ]
    dots = base.mark_point(
        filled=True, size=60, stroke="#1d2430", strokeWidth=0.5, clip=True
    ).encode(x=x, y=y, color=READING, tooltip=tooltip)
    chosen = base.transform_filter("datum.chosen")
    ring = chosen.mark_point(size=420, strokeWidth=3, color="#101828", clip=True).encode(
        x=x, y=y, tooltip=tooltip
    )
    name = chosen.mark_text(
        align="right", baseline="bottom", dx=-12, dy=-8, fontSize=13, fontWeight="bold", clip=True
    ).encode(x=x, y=y, text="name:N")
    zoom = alt.selection_interval(bind="scales")
    return alt.LayerChart(
        data=alt.InlineData(values=points), layer=[dots.add_params(zoom), ring, name]
    )


def _regions(
    rows: list[dict[str, Any]], axis: tuple[str, float], outlined: bool = False
) -> alt.LayerChart:
    """Threshold regions as rectangles, each labelled: tinted by ECCN and labelled inside its
    lower-left corner, or outlined and labelled above its upper-left corner."""
    data = alt.Chart()
    tooltip = [alt.Tooltip("label:N", title="Region"), alt.Tooltip("cite:N", title="Where written")]
    place = {"x": _x("x:Q"), "y": _y("y:Q", axis)}
    box = data.mark_rect(clip=True, **OUTLINE if outlined else {"opacity": 0.15}).encode(
        x2="x2:Q", y2="y2:Q", tooltip=tooltip, **place, **({} if outlined else {"color": READING})
    )
    corner = {"x": place["x"], "y": _y("y2:Q", axis) if outlined else place["y"]}
    label = data.mark_text(
        align="left", baseline="bottom", dx=3, dy=-3, fontSize=10, clip=True
    ).encode(text="label:N", **corner)
    return alt.LayerChart(data=alt.InlineData(values=rows), layer=[box, label])


def _spec(layers: list[alt.LayerChart], title: str) -> dict[str, Any]:
    chart = alt.layer(*layers).resolve_scale(color="shared")
    spec: dict[str, Any] = chart.properties(title=title, width="container", height=360).to_dict()
    return spec


def density_chart(
    items: Sequence[Classification], regime: Regime, chosen: Classification | None
) -> dict[str, Any]:
    """TPP x performance density over each 3A090 tier in force on the regime's date."""
    hi = TPP_RANGE[1]
    axis = ("Performance density (TPP / die area, mm²)", PD_MAX)
    tiers = regime.get("3a090.tiers")
    regions = [
        {
            "x": t["tpp_min"],
            "x2": t.get("tpp_lt", hi),
            "y": t.get("pd_min", 0),
            "y2": t.get("pd_lt", PD_MAX),
            "reading": ".".join(str(t["paragraph"]).split(".")[:2]),
            "label": t["paragraph"],
            "cite": t.get("cfr", ""),
        }
        for t in (tiers.value if tiers else [])
    ]
    layers = [_regions(regions, axis)] if regions else []
    layers.append(_chips(_points(items, chosen), "pd", axis, "Performance density", ".2f"))
    title = f"3A090 regions on {regime.date}" + ("" if regions else " (none in force)")
    return _spec(layers, title)


def bandwidth_chart(
    items: Sequence[Classification], regime: Regime, chosen: Classification | None
) -> dict[str, Any]:
    """TPP x DRAM bandwidth over the January-2026 case-by-case window and the Section 232 bands."""
    axis = ("Total DRAM bandwidth (GB/s)", BW_MAX)
    regions = []
    window = regime.get("jan2026.zone.tpp_lt")
    tpp_lt = regime.number("jan2026.zone.tpp_lt")
    bw_lt = regime.number("jan2026.zone.dram_bandwidth_lt_gbs")
    if window is not None and tpp_lt and bw_lt:
        regions.append(
            {
                "x": TPP_RANGE[0],
                "x2": tpp_lt,
                "y": 0,
                "y2": bw_lt,
                "label": f"Jan-2026 case-by-case window (TPP < {tpp_lt:,.0f}, < {bw_lt:,.0f} GB/s)",
                "cite": str(window.citation),
            }
        )
    bands = regime.get("sec232.bands")
    for band in bands.value if bands else []:
        regions.append(
            {
                "x": band["tpp_gt"],
                "x2": band["tpp_lt"],
                "y": band["dram_bandwidth_gt_gbs"],
                "y2": band["dram_bandwidth_lt_gbs"],
                "label": f"Sec. 232 {band['name']} ({band['duty_rate']:.0%})",
                "cite": str(bands.citation) if bands else "",
            }
        )
    layers = [_regions(regions, axis, outlined=True)] if regions else []
    layers.append(_chips(_points(items, chosen), "bw", axis, "DRAM bandwidth", ",.0f"))
    return _spec(layers, f"January-2026 window and Section 232 bands on {regime.date}")

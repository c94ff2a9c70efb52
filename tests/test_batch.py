"""The batch groups rows by their facts and the period of the law in force, then decides each group
once: every row must still get exactly what deciding its own request from scratch gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.engine import Engine
from computegate.io.errors import ComputegateError
from computegate.rules import decide, parse_request
from computegate.surfaces.batch import (
    OUTPUT_COLUMNS,
    WORDING_COLUMNS,
    decide_frame,
    decision_columns,
    row_to_request,
)

ENGINE = Engine.load()


def _edge_dates() -> list[str]:
    """Both sides of a few breakpoints of the bundled law, and dates a request must reject."""
    points = ENGINE.data.breakpoints
    near = [p + dt.timedelta(days=d) for p in points[::4] for d in (-1, 0, 20)]
    return [d.isoformat() for d in near] + [
        "2021-12-31",  # before the regime's coverage
        "2025-13-01",
        "20250105",  # ISO basic form: fromisoformat takes it, the request's date field does not
        "2025-01-05T00:00:00",
        "",
    ]


ROW = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["export", "export", "transfer", "reexport", "remote_access", "x"]),
        "date": st.sampled_from(_edge_dates()),
        "item": st.sampled_from(["H100", "H20", "A100", "RTX 4090", "MI300X", "H2000"]),
        "from_country": st.sampled_from([None, "US", "TW"]),
        "to_country": st.sampled_from(["CN", "HK", "DE", "SG", "AE", "ZZ"]),
        "end_user_headquarters": st.sampled_from([None, "CN", "US"]),
        "end_user_entity_list": st.sampled_from([None, "false", "true", "maybe"]),
        "overlays": st.sampled_from([None, "b30a-allowed", "rasa-2026-house", "no-such-bill"]),
        "provider_name": st.sampled_from([None, "Cloud Co"]),
        "provider_country": st.sampled_from([None, "US", "CN"]),
        "datacenter_country": st.sampled_from([None, "MY", "US"]),
        "quantity": st.sampled_from(["1", "40"]),
        "end_user_name": st.sampled_from([None, "Lab A", "Lab B"]),
    }
)


def _one_by_one(row: dict[str, Any], full: bool) -> dict[str, str | None]:
    """A row's answer with no grouping and no memo: its own request, decided from scratch."""
    if not full:
        row = {k: v for k, v in row.items() if k not in WORDING_COLUMNS}
    try:
        req = parse_request(row_to_request(row))
        regime = ENGINE.regime(req.date, req.overlays)
        out = decision_columns(decide(req, regime, ENGINE.catalog), full)
    except ComputegateError as exc:
        out = {c: None for c in OUTPUT_COLUMNS} | {"error": str(exc)}
    return out if full else {k: v for k, v in out.items() if k != "findings"}


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=25), full=st.booleans())
def test_a_frame_answers_each_row_as_its_own_request(
    rows: list[dict[str, Any]], full: bool
) -> None:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.Utf8))
    out, summary = decide_frame(frame, Engine.load(), full=full)
    assert out.height == len(rows)
    answers = out.select([c for c in OUTPUT_COLUMNS if c in out.columns]).to_dicts()
    assert answers == [_one_by_one(row, full) for row in rows]
    assert summary.errors == sum(a["error"] is not None for a in answers)


@pytest.mark.parametrize(
    ("dates", "groups"),
    [
        (["2025-06-02", "2025-07-01", "2025-09-01"], 1),  # one period of the law
        (["2025-06-02", "2025-09-29"], 2),  # a breakpoint between them
        (["2025-06-02", "2025-06-02T00:00:00"], 1),  # another spelling of the same day
        (["2025-06-02", "2025-6-2"], 2),  # a date the request rejects: decided on its own
    ],
)
def test_dates_in_one_period_are_decided_once(dates: list[str], groups: int) -> None:
    frame = pl.DataFrame(
        {"kind": "export", "date": dates, "item": "H20", "to_country": "CN"},
        schema=dict.fromkeys(("kind", "date", "item", "to_country"), pl.Utf8),
    )
    out, summary = decide_frame(frame, ENGINE)
    assert summary.distinct == groups
    assert out["outcome"].null_count() == sum(d == "2025-6-2" for d in dates)

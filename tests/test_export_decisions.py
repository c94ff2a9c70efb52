"""Export decisions: the decision table in cases/export_decisions.yaml, invariants and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.engine import Engine
from computegate.io.errors import InputError
from computegate.regime import default_regime_data
from computegate.rules import Decision, decide
from tests.fresh import decided

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "export_decisions.yaml").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_decision_table(case: dict[str, Any]) -> None:
    d = decide(case["request"])
    expect = case["expect"]
    assert d.outcome == expect["outcome"], _trace(d)
    if "review_policy" in expect:
        assert d.review_policy == expect["review_policy"], _trace(d)
    if "exceptions" in expect:
        assert d.license_exceptions == expect["exceptions"], _trace(d)
    if "conditions" in expect:
        assert len(d.conditions) == expect["conditions"], _trace(d)
    facts = {m.fact for m in d.missing_facts}
    assert set(expect.get("missing", [])) <= facts, _trace(d)
    kinds = {m.fact: m.kind for m in d.missing_facts}
    for fact, kind in expect.get("missing_kind", {}).items():
        assert kinds[fact] == kind, _trace(d)
    rules = {f.rule for f in d.findings}
    assert set(expect.get("finding", [])) <= rules, _trace(d)
    if "alternative" in expect:
        if expect["alternative"] is None:
            assert d.alternatives == []
        else:
            (alt,) = d.alternatives
            for key, value in expect["alternative"].items():
                assert getattr(alt, key) == value
    for f in d.findings:
        assert f.citation, f


def _trace(d: Decision) -> str:
    lines = [f"{f.rule}: {f.text}" for f in d.findings] + [
        f"missing {m.fact}: {m.outcomes}" for m in d.missing_facts
    ]
    return f"{d.outcome}/{d.review_policy}/{d.license_exceptions}\n" + "\n".join(lines)


def test_h200_to_china_lists_every_certification() -> None:
    d = decide(
        {
            "kind": "export",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": 500,
            "to_country": "CN",
        }
    )
    ids = [c.id for c in d.conditions]
    assert ids == [
        "us_shipments_stated",
        "sufficient_us_supply",
        "no_foundry_diversion",
        "volume_cap",
        "no_prohibited_end_use",
        "recipient_security_kyc",
        "iaas_model_weights",
        "third_party_testing",
    ]
    assert all("91 FR 1684" in c.citation for c in d.conditions)
    assert d.regime == {"date": "2026-01-16", "overlays": []}
    assert d.item.eccn_paragraph == "3A090.a.1"


def test_quantity_and_name_do_not_change_the_answer() -> None:
    base = {"kind": "export", "date": "2026-02-01", "item": "H200", "to_country": "CN"}
    a = decide({**base, "quantity": 1, "end_user": {"name": "A"}})
    b = decide({**base, "quantity": 9_999, "end_user": {"name": "B"}})
    assert (a.outcome, a.review_policy) == (b.outcome, b.review_policy)


@pytest.mark.parametrize(
    ("request_", "field", "problem"),
    [
        (
            {"kind": "export", "date": "2026-01-16", "item": "H200", "to_country": "XX"},
            "to_country",
            "ISO 3166-1",
        ),
        (
            {"kind": "export", "date": "2026-01-16", "item": "H2000", "to_country": "CN"},
            "item",
            "unknown chip",
        ),
        ({"kind": "export", "item": "H200", "to_country": "CN"}, "date", "Field required"),
        (
            {"kind": "export", "date": "2026-02-30", "item": "H200", "to_country": "CN"},
            "date",
            "date",
        ),
        (
            {"kind": "ship", "date": "2026-01-16", "item": "H200", "to_country": "CN"},
            "kind",
            "is not one of export, reexport, transfer, remote_access",
        ),
        (
            {
                "kind": "export",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
                "quantity": 0,
            },
            "quantity",
            "greater than 0",
        ),
        (
            {
                "kind": "export",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
                "end_user": {"headquarters": "China"},
            },
            "end_user.headquarters",
            "ISO 3166-1",
        ),
        (
            {
                "kind": "export",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
                "end_use": ["spying"],
            },
            "end_use.0",
            "Input should be",
        ),
        (
            {
                "kind": "export",
                "from_country": "SG",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
            },
            "request",
            "reexport",
        ),
        (
            {
                "kind": "reexport",
                "from_country": "US",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
            },
            "request",
            "outside the US",
        ),
        (
            {
                "kind": "transfer",
                "from_country": "SG",
                "date": "2026-01-16",
                "item": "H200",
                "to_country": "CN",
            },
            "request",
            "in-country",
        ),
        (
            {"kind": "export", "date": "2021-01-16", "item": "H200", "to_country": "CN"},
            "date",
            "coverage start",
        ),
    ],
)
def test_bad_requests_name_the_field(request_: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InputError) as exc:
        decide(request_)
    assert exc.value.field == field
    assert problem in exc.value.problem


# -- invariants -----------------------------------------------------------------------------------

STRICTNESS = {"no_license_required": 0, "insufficient_information": 1, "license_required": 2}
POLICY = {None: 0, "presumption_of_approval": 1, "case_by_case": 2, "presumption_of_denial": 3}
ITEMS = ["H20", "H100", "H200", "MI325X", "B200", "L40", "RTX 4090", "A800", "MLU290-M5"]
COUNTRIES = ["CN", "MO", "HK", "SG", "DE", "VN", "SA", "RU", "KH", "AE", "IL", "IN", "MY", "NI"]
requests = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["export", "reexport", "transfer"]),
        "date": st.dates(dt.date(2022, 6, 1), dt.date(2026, 9, 30)),
        "item": st.sampled_from(ITEMS),
        "to_country": st.sampled_from(COUNTRIES),
        "end_user": st.fixed_dictionaries(
            {
                "headquarters": st.sampled_from([None, *COUNTRIES]),
                "ultimate_parent_headquarters": st.sampled_from([None, "CN", "US", "SG"]),
            }
        ),
        "end_use": st.lists(
            st.sampled_from(["ai_training", "commercial", "supercomputer"]), max_size=2, unique=True
        ),
    }
)


def _route(r: dict[str, Any]) -> dict[str, Any]:
    if r["kind"] == "reexport":
        return {**r, "from_country": "JP" if r["to_country"] != "JP" else "KR"}
    return r


def _strictness(d: Decision) -> tuple[int, int]:
    return STRICTNESS[d.outcome], POLICY[d.review_policy]


@settings(max_examples=250, deadline=None)
@given(requests, st.sampled_from(["entity_list", "military_end_user", "military_use"]))
def test_adding_a_listing_or_military_use_never_relaxes(raw: dict[str, Any], hit: str) -> None:
    base = _route(raw)
    if hit == "military_use":
        worse = {**base, "end_use": [*base["end_use"], "military"]}
    else:
        worse = {**base, "end_user": {**base["end_user"], hit: True}}
    before, after = decided(base), decided(worse)
    assert STRICTNESS[after.outcome] >= STRICTNESS[before.outcome]
    if before.outcome == after.outcome == "license_required":
        assert POLICY[after.review_policy] >= POLICY[before.review_policy]
        assert set(after.license_exceptions) <= set(before.license_exceptions)
        assert len(after.conditions) <= len(before.conditions)


# Every date on which any value the rules read changes (effective/end dates, memberships, compared dates).
PERIOD_STARTS = [d for d in default_regime_data().breakpoints if d <= dt.date(2026, 9, 30)]


@settings(max_examples=200, deadline=None)
@given(requests, st.integers(min_value=0, max_value=len(PERIOD_STARTS) - 2), st.data())
def test_dates_within_an_unchanged_period_give_the_same_answer(
    raw: dict[str, Any], i: int, data: st.DataObject
) -> None:
    start, end = PERIOD_STARTS[i], PERIOD_STARTS[i + 1] - dt.timedelta(days=1)
    d1 = data.draw(st.dates(start, end))
    d2 = data.draw(st.dates(start, end))
    # decide() without an engine's memo computes from scratch: the memo itself relies on this
    a = decided(_route({**raw, "date": d1}))
    b = decided(_route({**raw, "date": d2}))
    assert (a.outcome, a.review_policy, a.license_exceptions, len(a.conditions)) == (
        b.outcome,
        b.review_policy,
        b.license_exceptions,
        len(b.conditions),
    )
    assert [m.fact for m in a.missing_facts] == [m.fact for m in b.missing_facts]


def test_memo_shares_the_law_but_not_the_request_words() -> None:
    engine = Engine.load()
    decide = engine.decide
    base = {"kind": "export", "item": "H200", "to_country": "CN"}
    first = decide({**base, "date": "2026-03-02", "quantity": 5, "end_user": {"name": "Alpha"}})
    same_day = decide({**base, "date": "2026-03-02", "quantity": 7, "end_user": {"name": "Beta"}})
    next_day = decide({**base, "date": "2026-03-03", "quantity": 7, "end_user": {"name": "Beta"}})
    assert same_day is first  # quantity and names never change the answer
    assert first.findings[1:] == next_day.findings[1:]
    assert "2026-03-03" in next_day.findings[0].text and "2026-03-02" in first.findings[0].text
    assert next_day.regime["date"] == "2026-03-03" and first.regime["date"] == "2026-03-02"
    assert "Beta" not in next_day.findings[0].text and " 7 " not in next_day.findings[0].text


def test_regime_breakpoints_cover_compared_dates() -> None:
    points = set(default_regime_data().breakpoints)
    for day in (
        "2022-10-07",
        "2023-01-17",
        "2023-11-17",
        "2024-12-31",
        "2025-05-13",
        "2025-05-15",
        "2025-11-10",
        "2026-01-15",
        "2026-02-03",
        "2026-07-10",
        "2026-10-01",
    ):
        assert dt.date.fromisoformat(day) in points, day

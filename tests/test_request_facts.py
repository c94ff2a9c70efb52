"""Request facts (cases/request_facts.yaml): origin, ownership, entries, certifications, deemed exports,
declared ECCNs and exporter facts, run by the export-table checker; and bad facts named by field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.io.errors import InputError
from computegate.rules import decide
from tests.fresh import decided
from tests.test_export_decisions import STRICTNESS, _route
from tests.test_export_decisions import requests as export_requests
from tests.test_export_decisions import test_decision_table as check_export_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "request_facts.yaml").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_request_facts_table(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_export_case(case)


BASE = {"kind": "export", "date": "2026-01-15", "item": "H200", "to_country": "CN"}


@pytest.mark.parametrize(
    ("extra", "field", "problem"),
    [
        ({"certifications": {"volume_kap": False}}, "certifications.volume_kap", "volume_cap"),
        (
            {"end_user": {"owners": [{"percent": 120}]}},
            "end_user.owners.0.percent",
            "less than or equal",
        ),
        ({"origin": {"us_content_pct": -1}}, "origin.us_content_pct", "greater than or equal"),
        ({"declared_eccn": {"eccn": "3a090", "source": "x"}}, "declared_eccn.eccn", "pattern"),
        ({"deemed_export": True}, "request", "release"),
    ],
)
def test_bad_facts_name_the_field(extra: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InputError) as exc:
        decide({**BASE, **extra})
    assert exc.value.field == field
    assert problem in exc.value.problem


def test_failed_certification_never_relaxes() -> None:
    """Stating a certification false can only remove the case-by-case path, never add one."""
    for cert in ("volume_cap", "third_party_testing", "no_foundry_diversion"):
        failed = decide({**BASE, "certifications": {cert: False}})
        unknown = decide(BASE)
        assert (unknown.review_policy, failed.review_policy) == (
            "case_by_case",
            "presumption_of_denial",
        )


def test_ownership_threshold_is_the_data_value() -> None:
    """Aggregate listed ownership around the threshold: 49.9% below, 50% at (while the rule is in force)."""

    def owned(pct: float) -> str:
        user = {
            "headquarters": "SG",
            "ultimate_parent_headquarters": "SG",
            "owners": [{"percent": pct, "listed": True}, {"percent": 100 - pct, "listed": False}],
        }
        return decide(
            {
                "kind": "export",
                "date": "2025-10-01",
                "item": "H100",
                "to_country": "SG",
                "end_user": user,
            }
        ).outcome

    assert [owned(p) for p in (49.9, 50.0, 75.0)] == [
        "no_license_required",
        "license_required",
        "license_required",
    ]


def test_screening_entry_fills_the_entity_list_details() -> None:
    """A screening hit's list entry gives the policy and footnote when the request does not."""
    evidence = {
        "list_source": "csl.csv",
        "list_sha256": "0" * 64,
        "threshold": 0.9,
        "hit": True,
        "score": 0.99,
        "entry_name": "Example Co",
        "matched_name": "Example Co",
        "list_name": "Entity List (EL) - Bureau of Industry and Security",
        "license_requirement": "For all items subject to the EAR (see footnote 4)",
        "license_policy": "Case-by-case review.",
    }
    d = decide(
        {
            "kind": "export",
            "date": "2024-06-01",
            "item": "H100",
            "to_country": "DE",
            "end_user": {"headquarters": "DE", "screening": evidence},
        }
    )
    assert (d.outcome, d.review_policy) == ("license_required", "case_by_case")
    assert "744.11.entry" in {f.rule for f in d.findings}


def test_batch_columns_carry_the_facts() -> None:
    """Flat batch columns become the same request facts as the JSON form."""
    from computegate.surfaces.batch import row_to_request

    row: dict[str, str | None] = {
        "kind": "reexport",
        "date": "2024-06-01",
        "item": "H100",
        "from_country": "TW",
        "to_country": "CN",
        "origin_producer": "TSMC",
        "origin_made_in": "TW",
        "origin_us_technology": "true",
        "origin_us_content_pct": "0",
        "end_user_owners": '[{"percent": 60, "listed": true}]',
        "end_user_entity_list_footnote": "",
        "exporter_headquarters": "",
        "certifications": "volume_cap=false",
        "declared_eccn": "5A992.z",
        "declared_eccn_source": "manufacturer",
    }
    req = row_to_request(row)
    assert req["origin"] == {
        "producer": "TSMC",
        "made_in": "TW",
        "us_content_pct": 0.0,
        "us_technology": True,
    }
    assert req["end_user"]["owners"] == [{"percent": 60, "listed": True}]
    assert req["certifications"] == {"volume_cap": False}
    assert "exporter" not in req
    d = decide(req)
    assert (d.outcome, d.item.eccn) == ("license_required", "5A992.z")
    with pytest.raises(InputError) as exc:
        row_to_request({**row, "end_user_owners": "[60%"})
    assert exc.value.field == "end_user_owners"


def test_cli_facts_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`decide --facts-json` adds the facts to a flag-built request; a list is refused by name."""
    from tests.test_cli import run

    argv = ["decide", "--item", "H200", "--to", "CN", "--date", "2026-01-16", "--json"]
    code, out, _ = run(capsys, *argv, "--facts-json", '{"certifications": {"volume_cap": false}}')
    assert code == 0
    assert json.loads(out)["review_policy"] == "presumption_of_denial"
    code, _, errout = run(capsys, *argv, "--facts-json", "[1]")
    assert code != 0 and "--facts-json" in errout


# -- invariants ------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(export_requests, st.sampled_from(["TW", "KR", "JP"]))
def test_origin_facts_only_decide_jurisdiction(raw: dict[str, Any], made_in: str) -> None:
    """A foreign-made item the 734 tests put under the EAR is answered like a US-made one; one
    outside the EAR needs no license; shipped from the US it is always under the EAR."""
    base = _route(raw)
    plain = decided(base)
    caught = decided(
        {**base, "origin": {"made_in": made_in, "us_technology": True, "us_content_pct": 30}}
    )
    free = decided(
        {**base, "origin": {"made_in": made_in, "us_technology": False, "us_content_pct": 0}}
    )
    assert (caught.outcome, caught.review_policy, caught.license_exceptions) == (
        plain.outcome,
        plain.review_policy,
        plain.license_exceptions,
    )
    if base["kind"] == "export":
        assert (free.outcome, free.review_policy) == (plain.outcome, plain.review_policy)
    else:
        assert free.outcome == "no_license_required"


@settings(max_examples=150, deadline=None)
@given(
    export_requests,
    st.dates(dt.date(2025, 9, 29), dt.date(2026, 9, 30)),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_more_listed_ownership_never_relaxes(
    raw: dict[str, Any], day: dt.date, share: int, extra: int
) -> None:
    """Moving shares from unlisted to listed owners can only make the answer stricter."""
    more = min(100, share + extra)

    def owned(pct: int) -> Any:
        owners = [{"percent": pct, "listed": True}, {"percent": 100 - pct, "listed": False}]
        user = {**raw["end_user"], "owners": owners}
        return decided(_route({**raw, "date": day, "end_user": user}))

    low, high = owned(share), owned(more)
    assert STRICTNESS[high.outcome] >= STRICTNESS[low.outcome]

"""Licences, shipments, the volume cap and change impact (issue: licences, cap, impact)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from computegate.catalog import Catalog
from computegate.engine import Engine
from computegate.io.errors import InputError
from computegate.licensing.impact import RegimeChange, impact
from computegate.licensing.model import Shipment
from computegate.regime import Regime
from computegate.rules import decide, parse_request
from computegate.store.db import make_engine, migrate
from computegate.store.licences import LicenceStore
from computegate.store.models import audit_log, metadata
from computegate.surfaces.service import Service
from tests.test_cli import run
from tests.test_service import need

CUSTOMER = "Shanghai Example Cloud Co., Ltd."
LICENCE: dict[str, Any] = {
    "number": "D1234567",
    "issued": "2026-02-01",
    "expires": "2027-01-31",
    "destination": "CN",
    "lines": [{"item": "nvidia h200", "quantity": 800, "value_usd": 24_000_000}],
    "parties": [{"role": "ultimate_consignee", "name": CUSTOMER, "country": "CN"}],
    "conditions": ["No reexport without BIS authorisation"],
}


def store_at(url: str) -> LicenceStore:
    engine = make_engine(url)
    migrate(engine)
    return LicenceStore(engine, Catalog.bundled(), lambda d: Regime.at(d))


@pytest.fixture
def store(tmp_path: Path) -> LicenceStore:
    return store_at(f"sqlite:///{tmp_path / 'lic.db'}")


def registered(store: LicenceStore, **changes: Any) -> LicenceStore:
    store.add(store.parse({**LICENCE, **changes}))
    return store


def request(date: str = "2026-03-02", quantity: int = 100, **extra: Any) -> Any:
    return parse_request(
        {
            "kind": "export",
            "date": date,
            "item": "H200",
            "quantity": quantity,
            "to_country": "CN",
            "end_user": {"name": "shanghai example cloud co ltd", "headquarters": "CN"},
            **extra,
        }
    )


def review(store: LicenceStore, req: Any) -> dict[str, str]:
    """The licence findings for a request, by rule."""
    return {f.rule: f.text for f in store.review(req, decide(req))}


def shipment(**fields: Any) -> Shipment:
    base: dict[str, Any] = {
        "item": "H200",
        "quantity": 100,
        "to_country": "CN",
        "end_user": CUSTOMER,
        "shipped_on": "2026-03-01",
        "licence": "D1234567",
    }
    return Shipment.model_validate({**base, **fields})


def us_sales(store: LicenceStore, units: int, on: str = "2026-02-10") -> None:
    store.ship(
        Shipment(item="H200", quantity=units, to_country="US", shipped_on=on, us_end_use=True)
    )


# -- coverage ------------------------------------------------------------------------------------


def test_a_licence_covers_a_request_and_says_what_remains(store: LicenceStore) -> None:
    registered(store)
    found = review(store, request(quantity=300))
    assert "licence.covered" in found
    assert "800 units" in found["licence.covered"] and "to 2027-01-31" in found["licence.covered"]


def test_a_licence_covers_part_of_a_request(store: LicenceStore) -> None:
    registered(store)
    us_sales(store, 10_000)
    store.ship(shipment(quantity=700))
    found = review(store, request(quantity=300))
    assert "licence.partly_covered" in found
    assert "100 of 300 units remain" in found["licence.partly_covered"]


def test_an_expired_licence_does_not_cover(store: LicenceStore) -> None:
    registered(store)
    inside, after = review(store, request("2027-01-31")), review(store, request("2027-02-01"))
    assert "licence.covered" in inside
    assert "licence.none" in after and "expired on 2027-01-31" in after["licence.not_covering"]
    before = review(store, request("2026-01-31"))
    assert "not valid before 2026-02-01" in before["licence.not_covering"]


def test_an_exhausted_licence_does_not_cover(store: LicenceStore) -> None:
    registered(store)
    us_sales(store, 10_000)
    store.ship(shipment(quantity=800))
    found = review(store, request())
    assert "exhausted" in found["licence.not_covering"] and "licence.none" in found


def test_wrong_party_wrong_item_wrong_destination(store: LicenceStore) -> None:
    registered(store)
    other = request(end_user={"name": "Another Buyer", "headquarters": "CN"})
    assert "not a party" in review(store, other)["licence.not_covering"]
    b200 = request(item="H20", exporter_informed=True)
    assert "no line covers" in review(store, b200)["licence.not_covering"]
    macau = request(to_country="MO")
    assert "licence.none" in review(store, macau)


def test_an_eccn_line_covers_every_item_of_that_eccn(store: LicenceStore) -> None:
    registered(store, lines=[{"item": "3A090", "quantity": 50}])
    assert "licence.covered" in review(store, request(quantity=50))
    assert "licence.partly_covered" in review(store, request(quantity=51))


def test_no_licence_findings_when_no_licence_is_needed(store: LicenceStore) -> None:
    registered(store)
    assert review(store, request(to_country="JP", end_user={"name": CUSTOMER})) == {}


# -- shipments -----------------------------------------------------------------------------------


def test_shipments_draw_down_and_refuse_what_is_not_left(store: LicenceStore) -> None:
    registered(store)
    us_sales(store, 10_000)
    rec = store.ship(shipment(quantity=500, value_usd=15_000_000))
    assert rec.remaining_quantity == 300 and rec.remaining_value_usd == 9_000_000
    with pytest.raises(InputError, match="300 of 301 units remain"):
        store.ship(shipment(quantity=301))
    with pytest.raises(InputError, match=r"\$9,000,000.00 of \$9,000,001.00"):
        store.ship(shipment(quantity=1, value_usd=9_000_001))
    assert store.get("d1234567").lines[0].quantity_used == 500


def test_a_reference_is_recorded_once(store: LicenceStore) -> None:
    registered(store)
    us_sales(store, 10_000)
    store.ship(shipment(reference="PO-1"))
    with pytest.raises(InputError, match="already recorded"):
        store.ship(shipment(reference="PO-1"))
    assert store.get("D1234567").lines[0].quantity_used == 100


def _race(store: LicenceStore) -> list[str]:
    registered(store)
    us_sales(store, 10_000)
    store.ship(shipment(quantity=790))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def one() -> None:
        barrier.wait()
        try:
            store.ship(shipment(quantity=10))
            results.append("ok")
        except InputError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("D1234567").lines[0].quantity_used == 800
    return results


def test_two_concurrent_shipments_for_the_last_units_exactly_one_succeeds(
    store: LicenceStore,
) -> None:
    results = _race(store)
    assert results.count("ok") == 1 and len(results) == 2


def test_two_concurrent_shipments_on_postgresql() -> None:
    url = need("COMPUTEGATE_TEST_POSTGRES_URL")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    results = _race(store_at(url))
    assert results.count("ok") == 1 and len(results) == 2


# -- the volume cap --------------------------------------------------------------------------------


def test_the_cap_allows_exactly_half_and_not_one_unit_more(store: LicenceStore) -> None:
    registered(store, lines=[{"item": "H200"}])
    us_sales(store, 1_000)
    assert store.cap("H200", dt.date(2026, 3, 1), 500).fits
    assert not store.cap("H200", dt.date(2026, 3, 1), 501).fits
    store.ship(shipment(quantity=499))
    store.ship(shipment(quantity=1))
    with pytest.raises(InputError, match=r"exceed the volume cap.*headroom is 0 units"):
        store.ship(shipment(quantity=1))
    status = store.cap("H200", dt.date(2026, 3, 1))
    assert status.headroom_tpp == 0 and status.capped_tpp == status.us_tpp / 2


def test_the_cap_counts_shipments_up_to_the_date_asked(store: LicenceStore) -> None:
    us_sales(store, 1_000, on="2026-02-10")
    us_sales(store, 1_000, on="2026-04-10")
    assert store.cap("H200", dt.date(2026, 3, 1)).headroom_units == 500
    assert store.cap("H200", dt.date(2026, 4, 10)).headroom_units == 1_000


def test_the_cap_is_not_in_force_before_the_rule(store: LicenceStore) -> None:
    us_sales(store, 1_000, on="2026-01-10")
    assert store.cap("H200", dt.date(2026, 1, 14)).applies is False
    assert store.cap("H200", dt.date(2026, 1, 15)).applies is True


def test_decide_reports_cap_headroom_on_the_case_by_case_path(store: LicenceStore) -> None:
    registered(store)
    us_sales(store, 400)
    texts = [f.text for f in store.review(request(quantity=201), decide(request(quantity=201)))]
    assert any("headroom 3,166,400 TPP (200 units)" in t for t in texts)
    assert "201 more units (3,182,232 TPP) would exceed the cap" in texts
    fits = [f.text for f in store.review(request(quantity=200), decide(request(quantity=200)))]
    assert "200 more units (3,166,400 TPP) fits under the cap" in fits


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"lines": [{"item": "H200", "quantity": -5}]}, "lines.0.quantity", "greater than 0"),
        ({"lines": [{"item": "H999"}]}, "lines.0.item", "unknown chip"),
        ({"expires": "2026-01-01"}, "licence", "is not after issued"),
        ({"destination": "XX"}, "destination", "ISO 3166"),
        ({"parties": []}, "parties", "at least 1"),
    ],
)
def test_bad_licences_are_refused_by_field(
    store: LicenceStore, changes: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(InputError) as exc:
        store.parse({**LICENCE, **changes})
    assert exc.value.field.startswith(field) or field == "licence"
    assert problem in str(exc.value)


def test_duplicate_and_overlapping_licences_are_refused(store: LicenceStore) -> None:
    registered(store)
    with pytest.raises(InputError, match="already registered"):
        registered(store)
    with pytest.raises(InputError, match="overlaps licence D1234567"):
        registered(store, number="D7654321")
    store.add(store.parse({**LICENCE, "number": "D7654321"}), allow_overlap=True)
    later = {**LICENCE, "number": "D0000001", "issued": "2027-02-01", "expires": "2028-01-31"}
    store.add(store.parse(later))
    assert len(store.all()) == 3


def test_unknown_licence_and_bad_shipments(store: LicenceStore) -> None:
    with pytest.raises(InputError, match="unknown licence"):
        store.ship(shipment(licence="NOPE1"))
    with pytest.raises(InputError, match="unknown licence"):
        store.get("NOPE1")
    with pytest.raises(ValueError, match="greater than 0"):
        shipment(quantity=-1)
    with pytest.raises(ValueError, match="us_end_use applies only"):
        shipment(to_country="JP", us_end_use=True, licence=None)


def test_csv_import_reports_bad_licences_and_keeps_going(
    store: LicenceStore, tmp_path: Path
) -> None:
    path = tmp_path / "licences.csv"
    path.write_text(
        "number,issued,expires,destination,item,quantity,value_usd,party_role,party_name,party_country,conditions\n"
        f"D1,2026-02-01,2027-01-31,CN,H200,100,,ultimate_consignee,{CUSTOMER.replace(',', '')},CN,No reexport\n"
        "D1,2026-02-01,2027-01-31,CN,H20,50,,,,,\n"
        "D2,2026-02-01,2027-01-31,CN,H200,-4,,ultimate_consignee,Buyer,CN,\n"
        "D3,2026-02-01,2027-01-31,CN,H200,10,,ultimate_consignee,Buyer,CN,\n",
        encoding="utf-8",
    )
    added, errors = store.import_csv(path)
    assert added == 2 and len(errors) == 1
    assert errors[0].startswith("line 4 (licence D2)") and "quantity" in errors[0]
    assert [line.line.item for line in store.get("D1").lines] == [
        "NVIDIA H200 SXM",
        "NVIDIA H20 (HGX)",
    ]


# -- impact of a change ----------------------------------------------------------------------------


def test_impact_over_an_audit_log_straddling_a_rule_date(tmp_path: Path) -> None:
    """The log holds decisions either side of 2026-01-15; moving them all to 2026-01-16 changes
    exactly the in-window chips to China decided before the rule, and nothing else."""
    service = Service(f"sqlite:///{tmp_path / 'audit.db'}")
    situations = {
        "h200-cn-before": ("2026-01-14", "H200", "CN"),
        "mi325x-cn-before": ("2026-01-13", "MI325X", "CN"),
        "b200-cn-before": ("2026-01-14", "B200", "CN"),
        "h200-sg-before": ("2026-01-14", "H200", "SG"),
        "h200-cn-after": ("2026-01-15", "H200", "CN"),
        "h200-cn-later": ("2026-03-01", "H200", "CN"),
    }
    ids = {}
    for name, (date, item, to) in situations.items():
        req = {
            "kind": "export",
            "date": date,
            "item": item,
            "to_country": to,
            "end_user": {"headquarters": to},
        }
        (recorded,) = service.decide([req], "tests")
        ids[name] = recorded["audit_id"]
    with service.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.id, audit_log.c.request, audit_log.c.response))
        cases = [
            (f"audit #{r.id}", (lambda text=r.request: json.loads(text)), json.loads(r.response))
            for r in rows
        ]
    report = impact(cases, RegimeChange(date=dt.date(2026, 1, 16)), Engine.load())
    assert report.checked == len(situations) and not report.errors
    changed = {c.source for c in report.changed}
    assert changed == {f"audit #{ids[n]}" for n in ("h200-cn-before", "mi325x-cn-before")}
    (key,) = report.groups()
    assert "+jan2026.case_by_case" in key
    assert all(c.after.review_policy == "case_by_case" for c in report.changed)
    assert "case-by-case" in report.changed[0].why


def test_impact_cli_on_orders_and_the_audit_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "kind,date,item,to_country,end_user_headquarters\n"
        "export,2026-01-14,H200,CN,CN\n"
        "export,2026-01-14,H200,DE,DE\n"
        "export,not-a-date,H200,CN,CN\n",
        encoding="utf-8",
    )
    code, text, _ = run(
        capsys,
        "impact",
        "--orders",
        str(orders),
        "--date",
        "2026-01-16",
        "--database-url",
        db,
        "--json",
    )
    report = json.loads(text)
    assert code == 0 and report["checked"] == 2 and report["changed"] == 1
    assert report["groups"][0]["decisions"][0]["source"] == "orders.csv line 2"
    assert report["errors"] and "line 4" in report["errors"][0]
    code, _, err = run(capsys, "impact", "--database-url", db)
    assert code == 2 and "say what to compare against" in err


def test_licence_cli_walkthrough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert run(capsys, "licences", "add", json.dumps(LICENCE), *db)[0] == 0
    us = ["ship", "--item", "H200", "--quantity", "1000", "--to", "US", "--us-end-use"]
    assert run(capsys, *us, "--date", "2026-02-10", *db)[0] == 0
    code, _, err = run(
        capsys,
        *("ship", "--item", "H200", "--quantity", "600", "--to", "CN", "--licence"),
        *("D1234567", "--end-user", CUSTOMER, "--date", "2026-03-01", *db),
    )
    assert code == 2 and "exceed the volume cap" in err
    code, text, _ = run(capsys, "cap", "H200", "--date", "2026-03-01", "--quantity", "500", *db)
    assert code == 0 and "fits under the cap" in text
    code, text, _ = run(capsys, "licences", "show", "D1234567", *db)
    assert code == 0 and json.loads(text)["lines"][0]["remaining_quantity"] == 800
    code, _, err = run(capsys, "licences", "show", "NOPE", *db)
    assert code == 2 and "unknown licence" in err


def test_licences_over_http(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from computegate.store.keys import create_key
    from computegate.surfaces.api import create_app

    app = create_app(f"sqlite:///{tmp_path / 'api.db'}")
    key = {"X-API-Key": create_key(app.state.service.engine, "tests")}
    with TestClient(app) as c:
        made = c.post("/v1/licences", json=LICENCE, headers=key)
        assert made.status_code == 201 and made.json()["lines"][0]["remaining_quantity"] == 800
        assert c.post("/v1/licences", json=LICENCE, headers=key).status_code in (400, 422)
        us = {"item": "H200", "quantity": 1000, "to_country": "US", "shipped_on": "2026-02-10"}
        assert (
            c.post("/v1/shipments", json={**us, "us_end_use": True}, headers=key).status_code == 201
        )
        shipped = c.post(
            "/v1/shipments",
            json={
                "item": "H200",
                "quantity": 300,
                "to_country": "CN",
                "shipped_on": "2026-03-01",
                "licence": "D1234567",
                "end_user": CUSTOMER,
            },
            headers=key,
        ).json()
        assert shipped["remaining_quantity"] == 500 and shipped["cap_headroom_units"] == 200
        bad = {"item": "H200", "quantity": -1, "to_country": "CN", "shipped_on": "2026-03-01"}
        assert c.post("/v1/shipments", json=bad, headers=key).status_code == 422
        cap = c.get("/v1/cap/H200", params={"date": "2026-03-01", "quantity": 201}, headers=key)
        assert cap.json()["fits"] is False and cap.json()["headroom_units"] == 200
        order = {"kind": "export", "date": "2026-01-14", "item": "H200", "to_country": "CN"}
        order["end_user"] = {"headquarters": "CN"}
        report = c.post(
            "/v1/impact", json={"date": "2026-01-16", "orders": [order]}, headers=key
        ).json()
        assert (
            report["changed"] == 1 and "+jan2026.case_by_case" in report["groups"][0]["provisions"]
        )
        assert c.get("/v1/licences/NOPE1", headers=key).status_code in (400, 404, 422)

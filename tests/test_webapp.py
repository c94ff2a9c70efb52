"""The web app in a real browser (Debian's Chromium) at desktop and phone widths, and the receipt
route it checks audit rows with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from computegate.store import merkle
from computegate.store.keys import create_key
from computegate.surfaces.api import create_app
from tests.test_licences import CUSTOMER, LICENCE
from tests.test_service import H200_CN, _free_port, _wait, need

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def test_receipt_route_proves_an_old_row_against_the_current_root(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}")
    key = {"X-API-Key": create_key(app.state.service.engine, "r")}
    with TestClient(app) as c:
        first = c.post("/v1/decide", json=H200_CN, headers=key).json()
        c.post("/v1/decide", json=[H200_CN] * 4, headers=key)
        got = c.get(f"/v1/audit/{first['audit_id']}/receipt", headers=key).json()
        missing = c.get("/v1/audit/999/receipt", headers=key)
        no_key = c.get(f"/v1/audit/{first['audit_id']}/receipt")
    leaf = merkle.leaf_hash(got["leaf_data"].encode())
    proof = [bytes.fromhex(h) for h in got["inclusion_proof"]]
    root = bytes.fromhex(got["root_hash"])
    assert got["tree_size"] == 5 and got["leaf_index"] == first["receipt"]["leaf_index"]
    assert leaf.hex() == got["leaf_hash"] == first["receipt"]["leaf_hash"]
    assert merkle.verify_inclusion(leaf, got["leaf_index"], 5, proof, root)
    assert not merkle.verify_inclusion(
        merkle.leaf_hash(b"forged"), got["leaf_index"], 5, proof, root
    )
    assert missing.status_code == 404 and no_key.status_code == 401


def test_decision_memo_carries_the_recorded_answer_and_its_receipt(tmp_path: Path) -> None:
    import io

    app = create_app(f"sqlite:///{tmp_path / 'm.db'}")
    engine = app.state.service.engine
    officer = {"X-API-Key": create_key(engine, "officer", ["decide"])}
    other = {"X-API-Key": create_key(engine, "other", ["decide"])}
    auditor = {"X-API-Key": create_key(engine, "auditor", ["audit:read", "screen"])}
    huawei = {**H200_CN, "end_user": {"name": "华为技术有限公司", "headquarters": "CN"}}
    with TestClient(app) as c:
        first = c.post(
            "/v1/decide", json={**huawei, "certifications": {"volume_cap": True}}, headers=officer
        ).json()
        c.post("/v1/decide", json=[H200_CN] * 4, headers=officer)
        row = first["audit_id"]
        pdf = c.get(f"/v1/audit/{row}/memo.pdf", headers=officer)
        page = c.get(f"/v1/audit/{row}/memo.html", headers=auditor)
        receipt = c.get(f"/v1/audit/{row}/receipt", headers=auditor).json()
        refused = c.get(f"/v1/audit/{row}/memo.pdf", headers=other)
        screened = c.post("/v1/screen", json={"name": "Acme Bakery"}, headers=auditor)
        not_decision = c.get(f"/v1/audit/{screened.json()['audit_id']}/memo.html", headers=auditor)
        bad_format = c.get(f"/v1/audit/{row}/memo.docx", headers=officer)
        rules = c.get("/v1/rules", headers=other).json()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert pdf.headers["content-type"] == "application/pdf"
    assert "华为技术有限公司" in text and "Licence required, case by case" in text
    assert "Headquarters rule" in text and "91 FR 1684" in text
    assert receipt["root_hash"] in text and receipt["leaf_hash"] in text
    assert f"Leaf index {receipt['leaf_index']} of a tree of 5" in flat
    assert (
        all(h in text for h in receipt["inclusion_proof"]) and len(receipt["inclusion_proof"]) == 3
    )
    assert "[certified] Certify aggregate shipments" in page.text
    assert "[not stated] State how many units" in page.text
    assert (
        receipt["root_hash"] in page.text and 'href="https://www.federalregister.gov/' in page.text
    )
    assert refused.status_code == 403 and not_decision.status_code == 404
    assert bad_format.status_code == 422
    assert rules["hq-rule"]["title"].startswith("Headquarters rule")
    assert rules["3A090.a.*"]["role"] == "decisive"


def test_catalog_chart_specs_ring_the_chip_asked_about_and_draw_the_regions_in_force(
    tmp_path: Path,
) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'c.db'}")
    key = {"X-API-Key": create_key(app.state.service.engine, "c", ["screen"])}
    with TestClient(app) as c:
        now = c.get("/v1/charts/catalog", params={"date": "2026-01-16", "item": "H20"}, headers=key)
        before = c.get("/v1/charts/catalog", params={"date": "2023-01-01"}, headers=key).json()
        unknown = c.get("/v1/charts/catalog", params={"item": "no such chip"}, headers=key)

    def rows(spec: dict[str, Any], mark: str) -> list[dict[str, Any]]:
        return [
            r
            for layer in spec["layer"]
            if any(m["mark"]["type"] == mark for m in layer["layer"])
            for r in spec["datasets"][layer["data"]["name"]]
        ]

    density = now.json()["density"]
    chips = rows(density, "point")
    assert [r["name"] for r in chips if r["chosen"]] == ["NVIDIA H20 (HGX)"]
    assert len(chips) >= 40 and {"3A090.a", "not 3A090"} <= {r["reading"] for r in chips}
    tiers = {r["label"]: (r["x"], r["y"]) for r in rows(density, "rect")}
    assert tiers == {
        "3A090.a.1": (4800, 0),
        "3A090.a.2": (1600, 5.92),
        "3A090.b.1": (2400, 1.6),
        "3A090.b.2": (1600, 3.2),
    }
    assert rows(before["density"], "rect") == [] and "none in force" in before["density"]["title"]
    assert density["params"][0]["bind"] == "scales"  # pan and zoom
    assert unknown.status_code == 422


def test_simulate_runs_edited_inputs_and_names_the_field_at_fault(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 's.db'}")
    key = {"X-API-Key": create_key(app.state.service.engine, "s", ["simulate"])}
    run = {"scenarios": ["h200-allowed"], "draws": 200, "first_year": 2026, "last_year": 2028}
    none = {"scenario": "h200-allowed", "exports": [{"item": "H200", "volume": {"2026": 0}}]}

    def edit(**change: Any) -> dict[str, Any]:
        return {**run, "edits": [{"scenario": "h200-allowed", "exports": [change]}]}

    with TestClient(app) as c:
        listed = c.get("/v1/scenarios", headers=key).json()
        as_written = c.post("/v1/simulate", json={**run, "charts": True}, headers=key).json()
        stopped = c.post("/v1/simulate", json={**run, "edits": [none]}, headers=key).json()
        ended = c.post(
            "/v1/simulate", json={**edit(item="H200", until=2026), "charts": True}, headers=key
        )
        errors = {
            name: c.post("/v1/simulate", json=body, headers=key).json()["detail"][0]
            for name, body in {
                "item": edit(item="B30A"),
                "until": edit(item="H200", until=2020),
                "volume": edit(item="H200", volume={"2026": -1}),
                "approval": edit(item="H200", approval_rate=1.5),
                "scenario": {**run, "edits": [{**none, "scenario": "full-ban"}]},
            }.items()
        }

    def legal(result: dict[str, Any], year: int) -> float:
        return next(
            r["median"]
            for r in result["results"]
            if r["metric"] == "china_legal" and r["year"] == year
        )

    h200 = next(s for s in listed if s["name"] == "h200-allowed")["exports"][0]
    assert h200["volume"] == {"2026": 300000.0, "2027": 200000.0} and h200["until"] is None
    assert {r["scenario"] for r in stopped["results"]} == {"h200-allowed (edited)"}
    assert legal(stopped, 2026) < legal(as_written, 2026)
    assert legal(stopped, 2027) == pytest.approx(legal(as_written, 2027), rel=0.25)
    fan = str(ended.json()["charts"]["fan"])
    assert "H200 exports end after 2026" in fan and "charts" in as_written
    assert "H200 exports end after" not in str(as_written["charts"]["fan"])
    assert errors["item"]["loc"] == ["body", "edits", "0", "exports", "0", "item"]
    assert "has no export 'B30A' (it has: H200)" in errors["item"]["msg"]
    assert (
        errors["until"]["loc"][-1] == "until" and "before the first year" in errors["until"]["msg"]
    )
    assert errors["volume"]["loc"][-2:] == ["volume", "2026"]
    assert errors["approval"]["loc"][-1] == "approval_rate"
    assert "not among the scenarios run" in errors["scenario"]["msg"]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_audit_rows_filter_by_outcome_on_the_server(tmp_path: Path, database: str) -> None:
    import uuid

    url = (
        f"sqlite:///{tmp_path / 'o.db'}"
        if database == "sqlite"
        else need("COMPUTEGATE_TEST_POSTGRES_URL")
    )
    app = create_app(url)
    label = f"outcomes-{uuid.uuid4().hex[:8]}"  # the PostgreSQL database outlives the test
    key = {"X-API-Key": create_key(app.state.service.engine, label)}
    germany = {**H200_CN, "to_country": "DE", "end_user": {"name": "x", "headquarters": "DE"}}
    with TestClient(app) as c:
        c.post("/v1/decide", json=[H200_CN, H200_CN, germany], headers=key)
        c.post("/v1/screen", json={"name": "华为技术有限公司", "country": "CN"}, headers=key)
        c.post("/v1/screen", json={"name": "Acme Bakery"}, headers=key)

        def found(outcome: str, **more: Any) -> tuple[int, list[int]]:
            params = {"key_label": label, "outcome": outcome, **more}
            page = c.get("/v1/audit", params=params, headers=key).json()
            return page["total"], [r["id"] for r in page["rows"]]

        required, required_rows = found("license_required")
        second_page = found("license_required", limit=1, offset=1)[1]
        counts = {o: found(o)[0] for o in ("no_license_required", "hit", "no_hit")}
        unclear = found("insufficient_information")[0]
        bad = c.get("/v1/audit", params={"outcome": "maybe"}, headers=key)
    assert required == 2 and second_page == required_rows[1:]
    assert counts == {"no_license_required": 1, "hit": 1, "no_hit": 1} and unclear == 0
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "outcome"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import uvicorn

    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('web') / 'cg.db'}")
    key = create_key(app.state.service.engine, "browser")
    base = f"http://127.0.0.1:{_free_port()}"
    port = int(base.rsplit(":", 1)[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(base)
    # 25 rows from another key, so the audit tab has more than one page and something to filter out
    auth = {"X-API-Key": key}
    httpx.post(base + "/v1/decide", json=[H200_CN] * 25, headers=auth, timeout=30)
    # a licence with 300 of its 800 units shipped, and US shipments that set the volume cap
    httpx.post(base + "/v1/licences", json=LICENCE, headers=auth, timeout=30).raise_for_status()
    for shipment in (
        {"to_country": "US", "quantity": 1000, "us_end_use": True},
        {"to_country": "CN", "quantity": 300, "licence": "D1234567", "end_user": CUSTOMER},
    ):
        body = {"item": "H200", "shipped_on": "2026-03-01", **shipment}
        httpx.post(base + "/v1/shipments", json=body, headers=auth, timeout=30).raise_for_status()
    try:
        yield base, key
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = need("COMPUTEGATE_TEST_CHROMIUM")
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=args)
        yield b
        b.close()


def _axe(page: Any, where: str) -> list[str]:
    """Serious and critical axe-core violations on the page as it stands."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return [f"{where}: {v}" for v in found]


def _fits(page: Any, width: int) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= width)


@pytest.mark.parametrize("size", WIDTHS)
def test_each_tab_main_task_in_chromium(
    server: tuple[str, str], browser: Any, size: str, tmp_path: Path
) -> None:
    base, key = server
    width, height = WIDTHS[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url.removeprefix(base)))
    violations: list[str] = []
    overflow: list[str] = []
    shots = tmp_path / "screens"
    shots.mkdir()

    def tab(name: str) -> None:
        page.click(f"[role=tab][data-tab={name}]")
        assert page.get_attribute(f"[data-tab={name}]", "aria-selected") == "true"

    def done(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
        violations.extend(_axe(page, name))
        if not _fits(page, width):
            overflow.append(name)

    page.goto(base + "/")
    page.fill("#key", key)
    page.dispatch_event("#key", "change")
    stored = page.evaluate("[localStorage.getItem('cg-key'), sessionStorage.getItem('cg-key')]")

    # Decide: an H20 to China asks whether BIS informed the exporter; answering "yes" re-decides.
    page.fill("#d-item", "H20")
    page.click("#d-go")
    page.wait_for_selector("#d-out .question")
    asked = page.inner_text("#d-out .question")
    page.click("#d-out .question button[data-answer=true]")
    page.wait_for_selector("#d-out .outcome.license_required")
    answered = page.inner_text("#d-out .outcome")
    informed = page.input_value("#d-informed")
    # H200 to the UAE: the AI Diffusion rule as written is shown as the other reading
    page.select_option("#d-informed", "")
    page.fill("#d-item", "H200")
    page.fill("#d-to", "AE")
    page.fill("#d-hq", "")
    page.click("#d-go")
    page.wait_for_selector("#d-out .alt")
    alternative = page.inner_text("#d-out .alt")
    page.fill("#d-owners", "Parent Co, 60, yes, CN")
    page.click("#d-go")
    page.wait_for_selector("#d-out :text('Listed parties own 60%')", state="attached")
    page.fill("#d-owners", "")
    # H200 to China: decisive findings with linked citations, the memo with its receipt
    page.fill("#d-to", "CN")
    page.fill("#d-hq", "CN")
    page.click("#d-go")
    page.wait_for_selector("#d-out .outcome.license_required")
    page.wait_for_selector("#memo:not([hidden])")
    outcome = page.inner_text("#d-out .outcome")
    decisive = page.inner_text("#d-out ol.decisive")
    links = page.eval_on_selector_all("#d-out a[href^='https://']", "as => as.length")
    cited = page.get_attribute("#d-out ol.decisive a", "href")
    memo = page.inner_text("#memo")
    done("decide")
    page.locator("#d-out").screenshot(path=str(shots / f"decision-{size}.png"))
    # the conditions checklist: "cannot certify" one re-decides to presumption of denial, then undo
    page.select_option("#d-out select[data-condition=us_shipments_stated]", "false")
    page.wait_for_selector("#d-out .outcome:has-text('presumption of denial')")
    uncertified = page.inner_text("#d-out ol.decisive")
    page.click("#d-clear-certs")
    page.wait_for_selector("#d-out .outcome:has-text('case by case')")
    page.wait_for_selector("#memo:not([hidden])")
    with page.expect_download() as download:
        page.click("#d-download")
    memo_file = tmp_path / "memo.html"
    download.value.save_as(memo_file)
    with page.expect_download() as pdf_download:
        page.click("#d-pdf")
    memo_pdf = tmp_path / "memo.pdf"
    pdf_download.value.save_as(memo_pdf)
    memo_row = page.evaluate("memoRow")
    page.emulate_media(media="print")
    printed = page.is_visible("#memo") and not page.is_visible("#d-form")
    page.screenshot(path=str(shots / f"memo-print-{size}.png"), full_page=True)
    page.emulate_media(media="screen")

    # Remote access: the other kind of request, with its own fields
    page.select_option("#d-kind", "remote_access")
    page.click("#d-go")
    page.wait_for_selector("#d-out .outcome")
    remote = page.inner_text("#d-out")
    page.select_option("#d-kind", "export")

    # Compare: the current request (H200 to China) on two dates and under each overlay
    tab("compare")
    page.click("#w-go")
    page.wait_for_selector("#w-out table")
    overlays = page.inner_text("#w-out table")
    page.click("#w-dates-go")
    page.wait_for_selector("#w-out table")
    dates = page.text_content("#w-out table") or ""
    compared_request = page.inner_text("#w-summary")
    done("compare")

    # Classify: the chip's reading and the catalog chart
    tab("classify")
    page.click("#c-go")
    page.wait_for_selector("#c-bandwidth svg", timeout=30_000)
    classified = page.inner_text("#c-out")
    density = page.text_content("#c-density svg") or ""
    bandwidth = page.text_content("#c-bandwidth svg") or ""
    page.hover("#c-density g.layer_1_layer_1_marks path")  # the ring round the chip asked about
    page.wait_for_selector("#vg-tooltip-element.visible")
    tooltip = page.inner_text("#vg-tooltip-element")
    page.locator("#c-charts").screenshot(path=str(shots / f"charts-{size}.png"))
    done("classify")

    # Screen: each hit with its matched alias and score parts; a server error is shown, not stuck
    tab("screen")
    page.click("#s-go")
    page.wait_for_selector("#s-out table")
    screened = page.inner_text("#s-out")
    done("screen")
    rows = "name,country\n华为技术有限公司,CN\n,CN\nAcme Bakery,US\n"
    page.set_input_files(
        "#s-file", files=[{"name": "names.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.click("#s-batch")
    page.wait_for_selector("#s-batch-download:not([hidden])")
    batch = page.inner_text("#s-batch-out")
    with page.expect_download() as batch_download:
        page.click("#s-batch-download")
    batch_file = tmp_path / "screened.csv"
    batch_download.value.save_as(batch_file)
    seen = len(console)
    page.route("**/v1/screen", lambda route: route.fulfill(status=500, body="boom"))
    page.click("#s-go")
    page.wait_for_selector("#s-out .err")
    server_error = page.inner_text("#s-out")
    page.unroute("**/v1/screen")
    expected_errors = console[seen:]
    del console[seen:]

    # Simulate: one run per click, notes where the inputs end
    tab("simulate")
    page.fill("#m-draws", "200")
    edit = "#m-edit details[data-scenario=h200-allowed]"
    page.click(f"{edit} summary")
    page.fill(f"{edit} input[data-field=until]", "2020")
    seen = len(console)
    page.click("#m-go")
    page.wait_for_selector(f"{edit} .field-err")
    expected_errors += console[seen:]
    del console[seen:]
    field_error = page.inner_text(f"{edit} .field-err")
    invalid = page.get_attribute(f"{edit} input[data-field=until]", "aria-invalid")
    page.fill(f"{edit} input[data-field=until]", "2027")
    page.fill(f"{edit} input[data-year='2026']", "600000")
    before = len(calls)
    page.click("#m-go")
    page.wait_for_selector("#m-channels svg", timeout=30_000)
    runs = [c for c in calls[before:] if c.startswith("/v1/simulate")]
    simulated = page.inner_text("#m-out")
    fan_chart = page.text_content("#m-fan svg") or ""
    channel_chart = page.text_content("#m-channels svg") or ""
    done("simulate")

    # Licences: what remains on the licence, and whether 201 more H200 fit under the cap
    tab("licences")
    page.click("#l-go")
    page.wait_for_selector("#l-out table")
    licences = page.inner_text("#l-out")
    remaining = page.inner_text("#l-out td.remaining")
    page.fill("#l-qty", "201")
    page.click("#l-cap")
    page.wait_for_selector("#l-fits")
    cap = page.inner_text("#l-cap-out")
    done("licences")

    # Audit: filter by key label, page through, open a row and check its proof in the page
    tab("audit")
    page.fill("#a-key", "browser")
    page.click("#a-go")
    page.wait_for_selector("#a-out table")
    first_page = page.inner_text("#a-out")
    page.click("#a-next")
    page.wait_for_selector("#a-page:has-text('page 2')")
    page.click("#a-out button[data-row]")
    page.wait_for_selector("#a-verdict")
    verdict = page.inner_text("#a-verdict")
    with page.expect_download() as audit_memo:
        page.click("#a-memo")
    done("audit")
    page.select_option("#a-outcome", "no_hit")
    page.click("#a-go")
    page.wait_for_selector("#a-page:has-text('page 1')")
    page.wait_for_selector("#a-out table")
    no_hits = page.inner_text("#a-out")

    def forge(route: Any) -> None:
        body = route.fetch().json()
        body["leaf_data"] = body["leaf_data"].replace('"browser"', '"someone-else"')
        route.fulfill(json=body)

    page.route("**/v1/audit/*/receipt", forge)
    page.click("#a-out button[data-row]")
    page.wait_for_selector("#a-verdict.err")
    forged = page.inner_text("#a-verdict")
    page.unroute("**/v1/audit/*/receipt")
    context.close()

    assert stored[0] is None and stored[1] == key
    assert "informed" in asked and "Licence required" in answered and informed == "true"
    assert "ai diffusion as written" in alternative.lower()
    assert "Licence required" in outcome and "case by case" in outcome
    assert "91 FR 1684" in decisive and links > 0
    assert "January-2026 case-by-case review" in decisive and "jan2026.case_by_case" in decisive
    assert "Headquarters rule" in decisive and "federalregister.gov" in (cited or "")
    assert "cannot certify us_shipments_stated" in uncertified
    assert "Audit receipt" in memo and "Merkle root" in memo
    assert "Merkle root" in memo_file.read_text(encoding="utf-8")
    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(memo_pdf)).pages).split())
    receipt = httpx.get(
        f"{base}/v1/audit/{memo_row}/receipt", headers={"X-API-Key": key}, timeout=10
    ).json()
    assert pdf_download.value.suggested_filename == f"decision-memo-{memo_row}.pdf"
    assert "Licence required, case by case" in pdf_text and "Shanghai customer" in pdf_text
    assert f"Audit row {memo_row} Leaf index {receipt['leaf_index']}" in pdf_text
    assert receipt["leaf_hash"] in pdf_text
    assert printed
    assert "remote access to 1000 × H100 in MY" in remote
    assert "What changed and why" in dates and "Changes from" in dates
    assert "500 × H200 from US to CN" in compared_request
    assert "the law as enacted" in overlays
    assert "3A090" in classified
    assert all(t in density for t in ("3A090.a.1", "3A090.b.2", "AMD Instinct MI325X", "ECCN"))
    assert "Jan-2026 case-by-case window" in bandwidth and "Sec. 232 band-2" in bandwidth
    assert "AMD Instinct MI325X" in tooltip and "3A090.a.1" in tooltip and "20,919" in tooltip
    assert "Possible match" in screened and "score parts" in screened and "Huawei" in screened
    assert "3 rows screened: 1 possible matches, 1 rows not screened" in batch
    assert "row 2: name: empty" in batch
    lines = batch_file.read_text(encoding="utf-8").splitlines()
    assert (
        len(lines) == 4
        and ',yes,1,"Huawei Technologies Co., Ltd."' in lines[1]
        and ",no," in lines[3]
    )
    assert "500" in server_error and "working" not in server_error
    assert all("500" in e or "422" in e for e in expected_errors) and len(expected_errors) == 2
    assert "2020 is before the first year, 2026" in field_error and invalid == "true"
    assert len(runs) == 1 and "h200-allowed (edited)" in simulated
    assert "h200-allowed (edited): H200 exports end after 2027" in simulated
    assert "B30A export figures are listed to 2026" in simulated
    assert "H200 exports end after 2027" in fan_chart and "US:China flow ratio" in fan_chart
    assert all(c in channel_chart for c in ("legal imports", "smuggled", "offshore cloud"))
    assert "D1234567" in licences and "CN" in licences and remaining == "500"
    assert "201 more units do NOT fit: headroom is 200 units" in cap and "91 FR 1684" in cap
    assert "rows match" in first_page and "showing 1–20" in first_page
    assert audit_memo.value.suggested_filename.startswith("decision-memo-")
    answers = [line.rsplit("\t", 1)[-1] for line in no_hits.splitlines() if line.startswith("#")]
    assert answers and set(answers) == {"no hit"}  # the Acme Bakery row of each width's batch
    assert "checked in this page" in verdict and "does NOT check" in forged
    assert not console, console
    assert not violations, violations
    assert not overflow, f"wider than {width}px: {overflow}"
    assert len(list(shots.glob("*.png"))) == 10

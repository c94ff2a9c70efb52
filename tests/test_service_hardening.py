"""The service as a security reviewer tries it: limits, keys and scopes, headers, assets, charts,
time zones, secrets in logs, backups and exports, and what a newcomer sees from `serve`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from computegate.store.keys import create_key
from computegate.store.transparency import verify
from computegate.surfaces.api import app as app_module
from computegate.surfaces.api import create_app
from tests.conftest import Client
from tests.test_cli import run
from tests.test_service import H200_CN, _free_port, _wait, need


def test_body_size_is_limited_before_parsing(client: Client) -> None:
    c, auth = client
    big = b"[" + b"{}," * 1_000_000 + b"{}]"
    r = c.post("/v1/decide", content=big, headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413 and "body larger than" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"["
        for _ in range(300):
            yield b"{}," * 10_000
        yield b"{}]"

    r = c.post("/v1/decide", content=chunks(), headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({**H200_CN, "end_user": {"name": "x" * 10_000}}, ["body", "end_user", "name"], "longer"),
        ('{"kind": "export", "item": "\\ud800"}', ["body"], "UTF-8"),
        ("deep", ["body", "item"], "nested deeper"),
        ("{not json", ["body"], "not valid JSON"),
    ],
)
def test_long_fields_lone_surrogates_and_deep_nesting_are_422(
    client: Client, body: object, loc: list[str], msg: str
) -> None:
    c, auth = client
    if body == "deep":
        deep: dict[str, object] = {}
        node = deep
        for _ in range(300):
            node["a"] = {}
            node = node["a"]  # type: ignore[assignment]
        body = {**H200_CN, "item": deep}
    content = body if isinstance(body, str) else json.dumps(body)
    r = c.post("/v1/decide", content=content, headers={**auth, "content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"][: len(loc)] == loc and msg in detail["msg"]
    assert c.get("/v1/audit", headers=auth).json()["total"] == 0  # nothing stored


def test_security_headers_everywhere(client: Client) -> None:
    c, auth = client
    for r in (
        c.get("/"),
        c.get("/docs"),
        c.get("/v1/catalog", headers=auth),
        c.post("/v1/decide", json=H200_CN),
        c.post("/v1/decide", content=b"x" * 3_000_000, headers=auth),
    ):
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, r.url
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_swagger_ui_and_the_page_use_only_packaged_assets(client: Client) -> None:
    c, _ = client
    for html in (c.get("/docs").text, c.get("/").text):
        assert "http://" not in html and "https://" not in html and "<script>" not in html
    js = c.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text
    assert c.get("/static/swagger-ui/swagger-ui.css").status_code == 200
    assert "Apache License" in c.get("/static/swagger-ui/LICENSE").text
    assert "5.35.0" in c.get("/static/swagger-ui/VERSION").text
    assert c.get("/static/page.js").status_code == 200


def test_openapi_declares_the_key_and_401_challenges(client: Client) -> None:
    c, _ = client
    doc = c.get("/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": scheme["description"],
    }
    assert {"APIKeyHeader": []} in doc["paths"]["/v1/decide"]["post"]["security"]
    r = c.post("/v1/decide", json=H200_CN)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("APIKey")


def test_scopes_revocation_and_rotation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cg.db'}"
    code, screener, _ = run(
        capsys, "keys", "create", "screeners", "--scope", "screen", "--database-url", db
    )
    assert code == 0
    code, _, err = run(capsys, "keys", "create", "x", "--scope", "delete", "--database-url", db)
    assert code == 2 and "unknown scope 'delete'" in err
    code, ops, _ = run(capsys, "keys", "create", "ops", "--database-url", db)
    screener, ops = screener.strip(), ops.strip()
    app = create_app(db)
    with TestClient(app) as c:
        assert (
            c.post("/v1/screen", json={"name": "Acme"}, headers={"X-API-Key": screener}).status_code
            == 200
        )
        r = c.post("/v1/decide", json=H200_CN, headers={"X-API-Key": screener})
        assert r.status_code == 403 and "'decide' scope" in r.json()["detail"]
        assert c.get("/v1/audit", headers={"X-API-Key": screener}).status_code == 403
        assert c.get("/v1/audit", headers={"X-API-Key": ops}).status_code == 200

        code, out, _ = run(capsys, "keys", "list", "--database-url", db)
        assert code == 0 and "screeners" in out and "audit:read" in out and "cg_" not in out
        assert run(capsys, "keys", "revoke", "screeners", "--database-url", db)[0] == 0
        code, new_ops, _ = run(capsys, "keys", "rotate", "ops", "--database-url", db)
        assert code == 0 and new_ops.strip().startswith("cg_")
        time.sleep(1.1)  # the server's key cache lives one second
        assert (
            c.post("/v1/screen", json={"name": "Acme"}, headers={"X-API-Key": screener}).status_code
            == 401
        )
        assert c.get("/v1/audit", headers={"X-API-Key": ops}).status_code == 401
        assert c.get("/v1/audit", headers={"X-API-Key": new_ops.strip()}).status_code == 200
    code, out, _ = run(capsys, "keys", "list", "--database-url", db)
    assert dt.date.today().isoformat() in out
    assert run(capsys, "keys", "revoke", "nobody", "--database-url", db)[0] == 2


def test_audit_time_filters_honour_time_zones(client: Client) -> None:
    c, auth = client
    c.post("/v1/decide", json=H200_CN, headers=auth)
    created = dt.datetime.fromisoformat(
        c.get("/v1/audit", headers=auth).json()["rows"][0]["created_at"]
    )
    plus5 = dt.timezone(dt.timedelta(hours=5))
    minus8 = dt.timezone(dt.timedelta(hours=-8))
    # a minute before and after, written in zones where comparing text would get both wrong
    before = (created - dt.timedelta(minutes=1)).astimezone(plus5).isoformat()
    after = (created + dt.timedelta(minutes=1)).astimezone(minus8).isoformat()
    assert before > created.isoformat() > after

    def total(**params: str) -> int:
        return int(c.get("/v1/audit", params=params, headers=auth).json()["total"])

    assert total(since=before) == 1 and total(until=before) == 0
    assert total(since=after) == 0 and total(until=after) == 1
    naive_utc = (created - dt.timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    assert total(since=naive_utc) == 1


def test_charts_need_a_key_and_cache_a_few_dates(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, _ = client
    assert c.get("/v1/charts/catalog").status_code == 401
    monkeypatch.setattr(app_module, "CHART_CACHE", 2)
    charts = app_module.CatalogCharts(c.app.state.service)  # type: ignore[attr-defined]
    for day in (1, 2, 3):
        assert "layer" in charts.specs(dt.date(2026, 1, day), None)["density"]
    assert list(charts._cache) == [dt.date(2026, 1, 2), dt.date(2026, 1, 3)]


def test_backup_and_export(
    tmp_path: Path, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'live.db'}"
    app = create_app(db)
    key = create_key(app.state.service.engine, "t")
    with TestClient(app) as c:
        c.post("/v1/decide", json=[H200_CN] * 5, headers={"X-API-Key": key})
        copy = tmp_path / "copy.db"
        code, out, _ = run(capsys, "audit", "backup", str(copy), "--database-url", db)
        assert code == 0 and "5 audit entries" in out
        from computegate.store.db import make_engine

        assert verify(make_engine(f"sqlite:///{copy}")).tree_size == 5
        assert (
            run(capsys, "audit", "backup", str(copy), "--database-url", db)[0] == 2
        )  # never overwrites
        code, _, err = run(
            capsys, "audit", "backup", "x.db", "--database-url", "postgresql://u@h/d"
        )
        assert code == 2 and "pg_dump" in err
        out_file = tmp_path / "export.jsonl"
        today = dt.date.today()
        code, out, _ = run(
            capsys,
            "audit",
            "export",
            "--out",
            str(out_file),
            "--since",
            today.isoformat(),
            "--database-url",
            db,
        )
        lines = [json.loads(x) for x in out_file.read_text().splitlines()]
        assert (
            code == 0
            and len(lines) == 5
            and lines[0]["leaf_hash"]
            and lines[0]["request"]["item"] == "H200"
        )
        tomorrow = (today + dt.timedelta(days=1)).isoformat()
        run(
            capsys,
            "audit",
            "export",
            "--out",
            str(out_file),
            "--since",
            tomorrow,
            "--database-url",
            db,
        )
        assert out_file.read_text() == ""


def test_serve_hides_the_password_prints_the_key_last_and_names_a_busy_port(tmp_path: Path) -> None:
    url = need("COMPUTEGATE_TEST_POSTGRES_URL")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "computegate",
        "serve",
        "--new-key",
        "--port",
        str(port),
        "--database-url",
        url,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait(f"http://127.0.0.1:{port}")
        busy = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2
        assert busy.stdout == "" and busy.stderr.count("\n") == 1, busy.stderr
        assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr and "--port" in busy.stderr
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert f":{password}@" not in out + err and ":***@" in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[-1].startswith("╰") and "API key" in lines[-5] and "cg_" in lines[-4]


def test_a_list_is_all_or_nothing_and_screening_is_idempotent(client: Client) -> None:
    c, auth = client
    good = [{**H200_CN, "quantity": q} for q in range(1, 1000)]
    r = c.post("/v1/decide", json=[*good, {**H200_CN, "item": "H2000"}], headers=auth)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "item"]
    assert c.get("/v1/audit", headers=auth).json()["total"] == 0
    r = c.post("/v1/decide", json=[*good, H200_CN, H200_CN], headers=auth)
    assert r.status_code == 422 and "at most 1,000" in r.json()["detail"][0]["msg"]
    once = {**auth, "Idempotency-Key": "screen-1"}
    first = c.post("/v1/screen", json={"name": "Hikvision", "country": "CN"}, headers=once).json()
    again = c.post("/v1/screen", json={"name": "Hikvision", "country": "CN"}, headers=once).json()
    assert first == again and first["hit"]
    other = c.post("/v1/screen", json={"name": "Acme"}, headers=once)
    assert other.status_code == 409
    assert c.get("/v1/audit", headers=auth).json()["total"] == 1

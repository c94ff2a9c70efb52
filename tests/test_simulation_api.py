"""POST /v1/simulate takes a basis and a profile, and names a bad one."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from computegate.surfaces.api import create_app


def test_simulate_endpoint_basis_and_profile(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'cg.db'}", auth=False)
    with TestClient(app) as client:
        body = {"scenarios": ["full-ban"], "draws": 200, "first_year": 2025, "last_year": 2026}
        ok = client.post(
            "/v1/simulate", json={**body, "basis": "h100e:dense_8bit", "profile": "ifp-cfr"}
        )
        assert ok.status_code == 200, ok.text
        payload = ok.json()
        assert payload["basis"] == "h100e:dense_8bit" and payload["profile"] == "ifp-cfr"
        assert any("910C" in note for note in payload["notes"])
        for field, value in (("basis", "b300e:vibes"), ("profile", "rosy")):
            bad = client.post("/v1/simulate", json={**body, field: value})
            assert 400 <= bad.status_code < 500 and "Traceback" not in bad.text
            assert field in bad.text and value in bad.text

"""The Engine carries the law it decides on: a user's regime directory reaches the CLI, the service
and the simulation, and the Engine's memo and regimes are its own (nothing in module globals)."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from computegate.engine import Engine
from computegate.simulation import Context
from computegate.simulation.schema import Product
from computegate.store.keys import create_key
from computegate.surfaces.api import create_app
from tests.test_cli import run

FIXTURE = Path(__file__).parent / "fixtures" / "amendments" / "2027-01-fixture.yaml"
MY_2027 = {
    "kind": "export",
    "date": "2027-01-02",
    "item": "H200",
    "to_country": "MY",
    "end_user": {"headquarters": "MY"},
}


@pytest.fixture(scope="module")
def regime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled regime plus the made-up 2027 amendment (Malaysia into D:5)."""
    directory = tmp_path_factory.mktemp("regime") / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    (directory / "amendments").mkdir(exist_ok=True)
    shutil.copy(FIXTURE, directory / "amendments" / FIXTURE.name)
    return directory


def test_engines_keep_their_own_law_and_memo(regime_dir: Path) -> None:
    bundled, amended = Engine.load(), Engine.load(regime_dir)
    assert bundled.decide(MY_2027).outcome == "no_license_required"
    assert amended.decide(MY_2027).outcome == "license_required"
    assert len(bundled.memo.dated) == 1 and len(amended.memo.dated) == 1
    assert bundled.regime_version != amended.regime_version


def test_the_service_decides_on_the_regime_directory_it_is_given(
    regime_dir: Path, tmp_path: Path
) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'cg.db'}", regime_dir=regime_dir)
    key = create_key(app.state.service.engine, "tests")
    with TestClient(app) as client:
        answer = client.post("/v1/decide", json=MY_2027, headers={"X-API-Key": key}).json()
    assert (answer["outcome"], answer["review_policy"]) == (
        "license_required",
        "presumption_of_denial",
    )


def test_the_simulation_asks_the_engine_it_is_given(regime_dir: Path) -> None:
    """A regime in which China is outside the January-2026 carve-out closes the H200 route."""
    closed = regime_dir.parent / "closed"
    shutil.copytree(regime_dir, closed)
    (closed / "amendments" / "2026-01-no-carve-out.yaml").write_text(
        """instrument:
  id: fixture-no-carve-out
  title: "Fixture: no January-2026 carve-out (test data, not law)"
  kind: final rule
  effective: 2026-01-15
  status: hypothetical
  confidence: unconfirmed
  changes: Removes China and Macau from the January-2026 case-by-case destinations.
parameters:
  jan2026.destinations:
    periods:
      - {value: [], effective: 2026-01-15, source: fixture-no-carve-out, cfr: "fixture"}
""",
        encoding="utf-8",
    )
    h200 = Product.model_validate(
        {"item": "H200", "units": {"values": {2026: {"median": 1000, "dist": "point"}}}}
    )
    on = dt.date(2026, 6, 1)
    assert Context(Engine.load()).export_status(h200, on, ()) == "case_by_case"
    assert Context(Engine.load(closed)).export_status(h200, on, ()) == "denied"


def test_the_cli_takes_a_regime_directory(
    regime_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPUTEGATE_REGIME_DIR", raising=False)
    args = ["decide", "--item", "H200", "--to", "MY", "--date", "2027-01-02"]
    args += ["--end-user-json", '{"headquarters": "MY"}', "--json"]
    code, out, _ = run(capsys, "--regime-dir", str(regime_dir), *args)
    assert code == 0 and '"outcome": "license_required"' in out
    monkeypatch.delenv("COMPUTEGATE_REGIME_DIR", raising=False)
    code, out, _ = run(capsys, *args)
    assert code == 0 and '"outcome": "no_license_required"' in out
    code, _, err = run(capsys, "--regime-dir", str(regime_dir.parent), "timeline")
    assert code == 2 and "has no parameters.yaml" in err

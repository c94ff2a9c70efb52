"""The command line as a user meets it: JSON shape, tables, charts, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from computegate.surfaces.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    captured = capsys.readouterr()
    code = exc.value.code if isinstance(exc.value.code, int) else 0
    return code, captured.out, captured.err


def test_classify_json_has_the_promised_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "H200", "--date", "2026-01-16", "--json")
    assert code == 0
    payload = json.loads(out)
    for key in (
        "name",
        "tpp",
        "performance_density",
        "total_dram_bandwidth_gbs",
        "eccn",
        "jan2026_case_by_case_zone",
        "findings",
    ):
        assert key in payload
    assert payload["eccn"] == "3A090.a"
    assert payload["jan2026_case_by_case_zone"] is True
    assert payload["tpp"] == pytest.approx(15_832)
    assert all(set(f) == {"rule", "text", "citation", "role"} for f in payload["findings"])
    assert all(f["citation"]["cfr"] or f["citation"]["document"] for f in payload["findings"])


def test_classify_accepts_inline_spec_and_spec_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = '{"name": "X1", "dense_tflops": {"fp16": 187.5}, "die_area_mm2": null, "dram_bandwidth_gbs": 1600, "datacenter": true}'
    code, out, _ = run(capsys, "classify", spec, "--date", "2026-01-16", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["tpp"] == 3_000
    assert payload["eccn"] is None and payload["eccn_status"] == "indeterminate"
    assert payload["missing_facts"][0]["fact"] == "die_area_mm2"
    path = tmp_path / "x2.yaml"
    path.write_text(
        "name: X2\ndense_tflops: {fp8: 700}\ndie_area_mm2: 600\ndram_bandwidth_gbs: 3000\ndatacenter: true\n"
    )
    code, out, _ = run(capsys, "classify", str(path), "--date", "2026-01-16", "--json")
    assert code == 0 and json.loads(out)["eccn_paragraph"] == "3A090.a.1"


def test_classify_table_shows_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "MLU290", "--date", "2025-01-01")
    assert code == 0
    assert "Missing fact" in out and "692 mm2" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["classify", "H2000"], "unknown chip 'H2000'"),
        (["classify", '{"dense_tflops": {"fp16": -5}}'], "dense_tflops.fp16"),
        (["classify", "H200", "--date", "2021-06-01"], "before the regime's coverage start"),
        (["classify", "H200", "--date", "16/01/2026"], "--date: '16/01/2026' is not a valid date"),
        (["classify", "H200", "--overlay", "nope"], "unknown overlay 'nope'"),
        (["catalog", "--plot", "chart.gif"], "unsupported chart format"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_malformed_spec_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x", "dense_tflops": ')
    code, _, err = run(capsys, "classify", str(path))
    assert code == 2
    assert str(path) in err and "invalid JSON" in err
    missing = tmp_path / "absent.json"
    code, _, err = run(capsys, "classify", str(missing))
    assert code == 2 and "no such file" in err


def test_catalog_json_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    chart = tmp_path / "catalog.png"
    code, out, _err = run(capsys, "catalog", "--date", "2026-01-16", "--json", "--plot", str(chart))
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 40
    assert {r["classification"]["eccn"] for r in rows} >= {"3A090.a", "3A090.b", None}
    assert {r["classification"]["eccn_status"] for r in rows} >= {
        "classified",
        "not_3a090",
        "indeterminate",
    }
    assert chart.stat().st_size > 50_000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "catalog.svg"
    code, _, _ = run(capsys, "catalog", "--date", "2026-01-16", "--plot", str(svg))
    assert code == 0 and b"Jan-2026" in svg.read_bytes()


def test_user_catalog_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "accelerators:\n  - {id: acme-z1, name: Acme Z1, dense_tflops: {fp8: 2000}, datacenter: true}\n"
    )
    code, out, _ = run(
        capsys, "classify", "acme z1", "--catalog", str(mine), "--date", "2026-01-16", "--json"
    )
    assert code == 0 and json.loads(out)["tpp"] == 16_000


def test_timeline_lists_every_rule_in_date_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "timeline", "--json")
    assert code == 0
    rows = json.loads(out)
    dates = [r["effective"] for r in rows]
    assert dates == sorted(dates)
    fr = {r["fr"] for r in rows}
    assert {
        "87 FR 62186",
        "88 FR 2821",
        "88 FR 73458",
        "89 FR 23876",
        "89 FR 96790",
        "90 FR 4544",
        "91 FR 1684",
    } <= fr
    assert {"91 FR 43034", "91 FR 17851", "90 FR 50857", "89 FR 18780"} <= fr
    in_2026 = {r["id"] for r in rows if r["effective"].startswith("2026")}
    assert {"h200-2026", "cambodia-d5-2026", "uae-2026", "affiliates-reimposition-2026"} <= in_2026
    code, out, _ = run(capsys, "timeline")
    assert code == 0 and "2026-01-15" in out and "2026-12-31" in out and "2026-11-10" in out


def test_sources_lists_every_instrument_with_confidence_and_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "sources", "--json", "--parameters")
    assert code == 0
    listed = json.loads(out)
    rows = listed["instruments"]
    assert {r["id"] for r in rows} >= {"uae-2026", "affiliates-suspension-2025", "mi-eu-2021"}
    assert all(r["verified"] and r["confidence"] for r in rows)
    assert all(p["verified"] and p["confidence"] for p in listed["parameters"])
    code, out, _ = run(capsys, "sources")
    assert code == 0 and "uae-2026" in out and "2026-12-01" in out


def test_demo_classifies_the_headline_chips(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for name in ("H20", "H200 SXM", "MI325X", "B200", "B30A"):
        assert name in out
    assert "91 FR 1684" in out

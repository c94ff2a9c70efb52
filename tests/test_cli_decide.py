"""`computegate decide` and `compare` as a user runs them, including batch files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from tests.test_cli import run

H200_CN = {
    "kind": "export",
    "date": "2026-01-16",
    "item": "H200",
    "quantity": 500,
    "to_country": "CN",
    "end_user": {"name": "Acme AI", "headquarters": "CN"},
}


def test_decide_flags_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "decide", "--item", "H200", "--to", "CN", "--date", "2026-01-16", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert d["outcome"] == "license_required"
    assert d["review_policy"] == "case_by_case"
    assert len(d["conditions"]) == 8
    assert d["license_exceptions"] == []
    assert d["regime"] == {"date": "2026-01-16", "overlays": []}
    assert {"rule", "text", "citation", "role"} == set(d["findings"][0])
    assert set(d["findings"][0]["citation"]) == {"cfr", "document", "url", "confidence"}
    assert d["missing_facts"] == []


def test_decide_end_user_json_and_overlay(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    user = tmp_path / "user.json"
    user.write_text(
        json.dumps(
            {"name": "Lion Cloud", "headquarters": "SG", "ultimate_parent_headquarters": "CN"}
        )
    )
    code, out, _ = run(
        capsys,
        "decide",
        "--item",
        "H200",
        "--to",
        "SG",
        "--date",
        "2026-03-01",
        "--end-user-json",
        str(user),
        "--json",
    )
    assert code == 0 and json.loads(out)["review_policy"] == "presumption_of_denial"
    code, out, _ = run(
        capsys,
        "decide",
        "--item",
        "B30A",
        "--to",
        "CN",
        "--date",
        "2026-03-01",
        "--overlay",
        "b30a-allowed",
        "--json",
    )
    d = json.loads(out)
    assert d["review_policy"] == "case_by_case" and d["regime"]["overlays"] == ["b30a-allowed"]


def test_decide_request_file_single_and_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(H200_CN))
    code, out, _ = run(capsys, "decide", "--request", str(one), "--json")
    assert code == 0 and json.loads(out)["review_policy"] == "case_by_case"
    many = tmp_path / "many.yaml"
    many.write_text(
        "- {kind: export, date: 2026-01-16, item: B200, to_country: CN}\n- {kind: export, date: 2026-01-16, item: H20, to_country: CN, exporter_informed: false}\n"
    )
    code, out, _ = run(capsys, "decide", "--request", str(many), "--json")
    assert [d["outcome"] for d in json.loads(out)] == ["license_required", "no_license_required"]


def test_decide_explain_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "decide", "--item", "H200", "--to", "CN", "--date", "2026-01-16", "--explain"
    )
    assert code == 0
    assert " 1. Export of NVIDIA H200 SXM (3A090.a.1) from US to CN on 2026-01-16" in out
    assert "case-by-case review instead of denial" in out
    assert "The exporter must certify or show" in out


def test_compare_dates_side_by_side(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps(H200_CN))
    code, out, _ = run(capsys, "compare", "--request", str(req), "--dates", "2026-01-14,2026-01-16")
    assert code == 0
    assert "presumption of denial" in out and "case by case" in out
    assert "Only on 2026-01-16" in out
    code, out, _ = run(
        capsys,
        "compare",
        "--request",
        str(req),
        "--dates",
        "2026-03-01",
        "--overlays",
        "none;b30a-allowed",
        "--json",
    )
    runs = json.loads(out)
    assert [r["overlays"] for r in runs] == [[], ["b30a-allowed"]]


def _write_orders(path: Path) -> None:
    rows = [
        {
            "id": "1",
            "kind": "export",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": "500",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "2",
            "kind": "export",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": "8",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "3",
            "kind": "export",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": "1",
            "to_country": "ZZ",
            "end_user_headquarters": "CN",
        },
        {
            "id": "4",
            "kind": "export",
            "date": "2026-01-16",
            "item": "H2000",
            "quantity": "1",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "5",
            "kind": "export",
            "date": "",
            "item": "H200",
            "quantity": "1",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "6",
            "kind": "export",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": "-3",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "7",
            "kind": "reexport",
            "date": "2026-01-16",
            "item": "H200",
            "quantity": "1",
            "to_country": "CN",
            "end_user_headquarters": "CN",
        },
        {
            "id": "8",
            "kind": "export",
            "date": "2024-06-01",
            "item": "L40",
            "quantity": "4",
            "to_country": "VN",
            "end_user_headquarters": "VN",
        },
    ]
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_batch_csv_keeps_every_row_and_reports_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src, dst = tmp_path / "orders.csv", tmp_path / "decisions.csv"
    _write_orders(src)
    code, _, err = run(capsys, "decide", "--input", str(src), "--output", str(dst))
    assert code == 0
    assert "8 rows" in err and "5 rows with errors" in err
    out = pl.read_csv(dst, infer_schema=False)
    assert out.height == 8
    assert out["id"].to_list() == [str(i) for i in range(1, 9)]
    by_id = {r["id"]: r for r in out.to_dicts()}
    assert by_id["1"]["review_policy"] == "case_by_case" and by_id["1"]["error"] is None
    assert "to_country" in by_id["3"]["error"] and "ISO 3166-1" in by_id["3"]["error"]
    assert "unknown chip 'H2000'" in by_id["4"]["error"]
    assert by_id["5"]["error"].startswith("date:")
    assert by_id["6"]["error"].startswith("quantity:") and by_id["6"]["outcome"] is None
    assert "reexport" in by_id["7"]["error"]
    assert by_id["8"]["license_exceptions"] == "ACA"


def test_batch_parquet_with_full_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src_csv, src, dst = tmp_path / "o.csv", tmp_path / "orders.parquet", tmp_path / "out.parquet"
    _write_orders(src_csv)
    pl.read_csv(src_csv, infer_schema=False).write_parquet(src)
    code, _, _ = run(capsys, "decide", "--input", str(src), "--output", str(dst), "--full")
    assert code == 0
    out = pl.read_parquet(dst)
    assert out.height == 8
    findings = json.loads(out.filter(pl.col("id") == "1")["findings"][0])
    assert findings[0]["rule"] == "request"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decide", "--input", "orders.csv"], "needs both --input and --output"),
        (["decide", "--item", "H200"], "give --item and --to"),
        (["decide", "--item", "H200", "--to", "CN", "--end-use", "spying"], "end_use.0"),
        (
            ["decide", "--item", "H200", "--to", "CN", "--end-user-json", "{bad"],
            "--end-user-json: invalid JSON",
        ),
        (["decide", "--input", "missing.csv", "--output", "x.csv"], "no such file"),
        (["compare", "--request", "[1]"], "one request"),
    ],
)
def test_decide_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_batch_missing_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("kind,date,to_country\nexport,2026-01-16,CN\n")
    code, _, err = run(capsys, "decide", "--input", str(src), "--output", str(tmp_path / "o.csv"))
    assert code == 2 and "missing required column(s): item" in err

"""Remote access: the decision table in cases/remote_access.yaml, plus surfaces and invariants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from computegate.io.errors import InputError
from computegate.rules import Decision, decide
from tests.fresh import decided
from tests.test_cli import run

TABLE = yaml.safe_load((Path(__file__).parent / "cases" / "remote_access.yaml").read_text())
BASE: dict[str, Any] = TABLE["base"]


def merged(patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(BASE)
    for key, value in patch.items():
        out[key] = (
            {**BASE[key], **value}
            if isinstance(value, dict) and isinstance(BASE.get(key), dict) and key != "customer"
            else value
        )
    return out


def _trace(d: Decision) -> str:
    return (
        f"{d.outcome}/{d.review_policy}\n"
        + "\n".join(f"{f.rule}: {f.text}" for f in d.findings)
        + "\n"
        + "\n".join(f"missing {m.fact}" for m in d.missing_facts)
    )


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_remote_access_table(case: dict[str, Any]) -> None:
    d = decide(merged(case["request"]))
    expect = case["expect"]
    assert d.outcome == expect["outcome"], _trace(d)
    if "review_policy" in expect:
        assert d.review_policy == expect["review_policy"], _trace(d)
    if "conditions" in expect:
        assert len(d.conditions) == expect["conditions"], _trace(d)
    assert set(expect.get("missing", [])) <= {m.fact for m in d.missing_facts}, _trace(d)
    for want in expect.get("finding", []):
        rule, text = (want, "") if isinstance(want, str) else want
        assert any(f.rule == rule and text in f.text for f in d.findings), (want, _trace(d))
    assert all(f.citation for f in d.findings)
    assert d.license_exceptions == []


def test_overlays_never_apply_unless_named() -> None:
    d = decide(merged({}))
    assert not any(f.rule.startswith(("remote_access.", "iaas_kyc.")) for f in d.findings)
    assert d.regime["overlays"] == []


def test_every_rasa_version_only_tightens_enacted_law() -> None:
    rank = {"no_license_required": 0, "insufficient_information": 1, "license_required": 2}
    for case in TABLE["cases"]:
        request = merged(case["request"])
        law = decided({**request, "overlays": []})
        for overlay in ("rasa-2024-house", "rasa-2026-house", "rasa-senate", "iaas-kyc-proposed"):
            assert rank[decided({**request, "overlays": [overlay]}).outcome] >= rank[law.outcome], (
                case["name"],
                overlay,
            )


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"datacenter_country": "XX"}, "datacenter_country"),
        ({"accelerators": []}, "accelerators"),
        ({"accelerators": [{"item": "H2000"}]}, "accelerators.0.item"),
        ({"customer": {"nationality": ["Chinese"]}}, "customer.nationality.0"),
        ({"workload": {"type": "mining"}}, "workload.type"),
        ({"provider": {"name": "x"}}, "provider.country"),
        ({"overlays": ["rasa-2030"]}, "overlays"),
    ],
)
def test_bad_remote_requests_name_the_field(patch: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as exc:
        decide({**BASE, **patch})
    assert exc.value.field == field


def test_whatif_cli_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps(BASE, default=str))
    code, out, _ = run(capsys, "whatif", "--request", str(req), "--json")
    assert code == 0
    rows = json.loads(out)
    sets = [r["overlays"] for r in rows]
    assert sets[0] == [] and len(sets) == 5
    assert {tuple(s) for s in sets[1:]} == {
        ("rasa-2024-house",),
        ("rasa-2026-house",),
        ("rasa-senate",),
        ("iaas-kyc-proposed",),
    }
    outcomes = {tuple(r["overlays"]): r["decision"]["outcome"] for r in rows}
    assert outcomes[()] == "no_license_required"
    assert outcomes[("rasa-senate",)] == "license_required"
    code, out, _ = run(capsys, "whatif", "--request", str(req))
    assert (
        code == 0
        and "rasa-senate" in out
        and "enacted law" in out
        and "presumption of denial" in out
        and "side by side: rasa-2024-house = rasa-senate = rasa-2026-house" in out
    )


def test_remote_access_in_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src, dst = tmp_path / "cloud.csv", tmp_path / "out.csv"
    pl.DataFrame(
        {
            "kind": ["remote_access", "remote_access", "remote_access"],
            "date": ["2026-03-01", "2026-03-01", "2026-03-01"],
            "item": ["B200", "B200", "B200"],
            "quantity": ["2048", "8", "1"],
            "provider_country": ["MY", "MY", None],
            "datacenter_country": ["MY", "MY", "MY"],
            "end_user_name": ["Lion AI", "TU Example", "broken"],
            "end_user_country": ["SG", "DE", "SG"],
            "end_user_headquarters": ["SG", "DE", "SG"],
            "end_user_ultimate_parent_headquarters": ["CN", None, None],
            "workload": ["ai_training", "ai_training", "ai_training"],
            "overlays": ["rasa-senate", "rasa-senate", "rasa-senate"],
        }
    ).write_csv(src)
    code, _, _ = run(capsys, "decide", "--input", str(src), "--output", str(dst))
    assert code == 0
    out = pl.read_csv(dst, infer_schema=False)
    assert out["outcome"].to_list() == ["license_required", "no_license_required", None]
    assert out["error"][2].startswith("provider.country")

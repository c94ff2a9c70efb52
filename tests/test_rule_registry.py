"""Every finding's rule id is in the regime's rule registry (rules.yaml), which gives its role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from computegate.engine import Engine
from computegate.regime import load_regime_data

CASES = Path(__file__).parent / "cases"


def _merged(base: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in request.items():
        nested = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = {**out[key], **value} if nested else value
    return out


def test_every_rule_id_in_the_case_tables_is_registered_with_a_role() -> None:
    engine = Engine.load()
    rules = engine.data.rules
    unknown: set[str] = set()
    decisive_seen = 0
    for table in ("export_decisions", "remote_access", "independent_review", "request_facts"):
        data = yaml.safe_load((CASES / f"{table}.yaml").read_text(encoding="utf-8"))
        for case in data["cases"]:
            if "error" in case.get("expect", {}):
                continue
            d = engine.decide(_merged(data.get("base", {}), case["request"]))
            for f in [*d.findings, *(f for a in d.alternatives for f in a.findings)]:
                if rules.get(f.rule) is None:
                    unknown.add(f.rule)
                assert f.role == rules.role(f.rule)
            decisive_seen += any(f.role == "decisive" for f in d.findings)
    assert not unknown, sorted(unknown)
    assert decisive_seen > 100  # nearly every decision names what decides it


def test_families_and_exact_ids_resolve() -> None:
    rules = load_regime_data().rules
    assert rules.role("3A090.a.1") == "decisive"  # the 3A090.a.* family
    assert rules.role("remote_access.as_export.hq-rule") == "context"
    assert rules.role("request") == "context"
    assert rules.get("no.such.rule") is None

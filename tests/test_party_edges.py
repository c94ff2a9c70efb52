"""Part 744/746 provisions and part 734 tests at their edges (cases/party_edges.yaml): effective dates
±1 day and thresholds at and just past their value, run by the export-table checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from computegate.rules import decide
from tests.test_export_decisions import test_decision_table as check_export_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "party_edges.yaml").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_party_edges_table(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_export_case(case)
    findings = decide(case["request"]).findings
    for rule, words in case["expect"].get("text", {}).items():
        assert any(f.rule == rule and words in f.text for f in findings), (rule, words, findings)

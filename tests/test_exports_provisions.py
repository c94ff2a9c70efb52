"""The export provisions held as data (cases/exports_provisions.yaml): NAC/ACA, the NAC notification,
3A090.c and License Exception HBM's exporter condition, at their dates (±1 day) and edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from computegate.regime import default_regime_data
from computegate.rules import decide
from tests.test_export_decisions import test_decision_table as check_export_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "exports_provisions.yaml").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_exports_provisions_table(case: dict[str, Any]) -> None:
    check_export_case(case)
    absent = set(case["expect"].get("absent", []))
    assert not absent & {f.rule for f in decide(case["request"]).findings}


def test_the_3a090c_requirement_follows_the_compliance_date() -> None:
    """The 3A090.c provision's versions change on the compliance date the parameter records."""
    data = default_regime_data()
    (compliance,) = {
        p.compliance for p in data.parameters["3a090.c.hbm_bandwidth_density_gt"].periods
    }
    before, after = data.provisions["742.6(a)(6)(i)(B)"].versions
    assert compliance is not None and before.end is not None
    assert (before.end - compliance).days == -1
    assert after.effective == compliance

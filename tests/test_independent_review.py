"""The independent second reading (cases/independent_review.yaml), run by the export-table checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_export_decisions import test_decision_table as check_export_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "independent_review.yaml").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_independent_review_table(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_export_case(case)

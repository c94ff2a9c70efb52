"""The independent second reading (cases/independent_review.yaml), run by the export-table checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_export_decisions import test_decision_table as check_export_case
from tests.test_remote_access import test_remote_access_table as check_remote_case

TABLE = yaml.safe_load((Path(__file__).parent / "cases" / "independent_review.yaml").read_text())
CASES = TABLE["cases"]
REMOTE = TABLE["remote_cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_independent_review_table(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_export_case(case)


@pytest.mark.parametrize("case", REMOTE, ids=[c["name"] for c in REMOTE])
def test_independent_review_remote(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_remote_case(case)

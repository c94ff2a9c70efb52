"""One order of strictness for outcomes and review policies, used wherever answers are combined
(separate requirements on one request) or compared (which reform is strictest, side by side)."""

from __future__ import annotations

from computegate.rules.request import Outcome, ReviewPolicy

OUTCOME_RANK: dict[str, int] = {
    "no_license_required": 0,
    "insufficient_information": 1,
    "license_required": 2,
}
POLICY_RANK: dict[ReviewPolicy | None, int] = {
    None: 0,
    "presumption_of_approval": 1,
    "case_by_case": 2,
    "presumption_of_denial": 3,
}


def strictness(outcome: Outcome | str, policy: ReviewPolicy | None) -> tuple[int, int]:
    return OUTCOME_RANK[outcome], POLICY_RANK[policy]

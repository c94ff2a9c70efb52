"""One accumulator and one combiner for every rule.

Each rule (the item-based requirement, a part 744/746 requirement, a remote-access control, a
classification step) builds a `Ruling`: whether a license is required (unknown = depends on a
missing fact), under which review policy, with which exceptions and conditions, and the findings
and missing facts behind it. `combine` joins separate requirements on one request: strictest wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from computegate.model.findings import Citation, Finding, MissingFact
from computegate.model.requests import Condition, Outcome, ReviewPolicy
from computegate.rules.strictness import POLICY_RANK, strictness

OUTCOME_OF: dict[bool | None, Outcome] = {
    True: "license_required",
    False: "no_license_required",
    None: "insufficient_information",
}
REQUIRED_OF: dict[str, bool | None] = {v: k for k, v in OUTCOME_OF.items()}


@dataclass
class Ruling:
    required: bool | None = False
    policy: ReviewPolicy | None = None
    exceptions: list[str] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing: list[MissingFact] = field(default_factory=list)
    subject: bool | None = False  # `jurisdiction` provisions: subject to the EAR on some basis

    def add(self, rule: str, text: str, citation: Citation | str) -> None:
        self.findings.append(Finding(rule=rule, text=text, citation=citation))

    @property
    def outcome(self) -> Outcome:
        return OUTCOME_OF[self.required]

    @outcome.setter
    def outcome(self, value: Outcome) -> None:
        self.required = REQUIRED_OF[value]

    def signature(self) -> tuple[bool | None, str | None, tuple[str, ...]]:
        return self.required, self.policy, tuple(self.exceptions)

    def describe(self) -> str:
        if self.required is None:
            return "depends on further facts"
        if not self.required:
            return "no license required"
        extra = f", exceptions {', '.join(self.exceptions)}" if self.exceptions else ""
        return f"license required ({self.policy or 'review policy unclear'}{extra})"


@dataclass(frozen=True)
class Combined:
    outcome: Outcome
    policy: ReviewPolicy | None
    exceptions: list[str]
    conditions: list[Condition]


def combine(rulings: Sequence[Ruling]) -> Combined:
    """Separate requirements on one request: the strictest outcome stands; under it, the strictest
    review policy; an exception only if every requirement allows it; the conditions of the
    requirements whose policy is the one that stands."""
    if not rulings:
        return Combined("no_license_required", None, [], [])
    if len(rulings) == 1:  # one requirement stands as it is
        (only,) = rulings
        if not only.required:
            return Combined(only.outcome, None, [], [])
        return Combined(
            "license_required", only.policy, list(only.exceptions), list(only.conditions)
        )
    outcome = max((r.outcome for r in rulings), key=lambda o: strictness(o, None))
    if outcome != "license_required":
        return Combined(outcome, None, [], [])
    requiring = [r for r in rulings if r.required]
    policy = max((r.policy for r in requiring), key=POLICY_RANK.__getitem__)
    exceptions = [e for e in requiring[0].exceptions if all(e in r.exceptions for r in requiring)]
    conditions = [
        c
        for r in requiring
        if (r.policy == policy and r.exceptions == exceptions) or len(requiring) == 1
        for c in r.conditions
    ]
    return Combined(outcome, policy, exceptions, conditions)


def merged(rulings: Sequence[Ruling]) -> Ruling:
    """Several requirements on one item as one ruling: `combine`'s answer and every finding; the
    missing facts of an undecided requirement only while the answer is undecided (one that is
    required settles it, whatever the others turn on). One ruling is returned as it is."""
    if len(rulings) == 1:
        return rulings[0]
    c = combine(rulings)
    out = Ruling(REQUIRED_OF[c.outcome], c.policy, list(c.exceptions), list(c.conditions))
    out.findings = [f for r in rulings for f in r.findings]
    out.missing = [m for r in rulings if r.required or out.required is None for m in r.missing]
    return out

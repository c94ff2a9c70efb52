"""Which decisions change under another regime — another date, another regime directory, overlays —
and which provisions change them. Decisions are re-decided, never patched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from computegate.io.errors import ComputegateError
from computegate.model.findings import Citation
from computegate.regime import Regime, RegimeData
from computegate.rules import decide, parse_request
from computegate.rules.law import Law

CONTEXT_RULES = ("request",)  # the finding that restates the request, present in every decision


@dataclass(frozen=True)
class RegimeChange:
    """The regime to compare against: a new date for every request, other data, extra overlays."""

    date: dt.date | None = None
    data: RegimeData | None = None
    overlays: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"date {self.date}"] if self.date else []
        if self.data is not None:
            parts.append("another regime directory")
        if self.overlays:
            parts.append(f"overlays {', '.join(self.overlays)}")
        return "; ".join(parts) or "no change"


@dataclass(frozen=True)
class Answer:
    outcome: str
    review_policy: str | None
    exceptions: tuple[str, ...]
    rules: frozenset[str]
    findings: tuple[tuple[str, str, str], ...]  # (rule, text, citation)

    @classmethod
    def of(cls, decision: Mapping[str, Any]) -> Answer:
        findings = tuple(
            (str(f["rule"]), str(f["text"]), _citation_text(f["citation"]))
            for f in decision["findings"]
        )
        return cls(
            outcome=str(decision["outcome"]),
            review_policy=decision.get("review_policy"),
            exceptions=tuple(decision.get("license_exceptions", ())),
            rules=frozenset(r for r, _, _ in findings if r not in CONTEXT_RULES),
            findings=findings,
        )

    def verdict(self) -> tuple[str, str | None, tuple[str, ...]]:
        return self.outcome, self.review_policy, self.exceptions


@dataclass(frozen=True)
class Change:
    source: str
    request: Mapping[str, Any]
    before: Answer
    after: Answer

    @property
    def provisions(self) -> tuple[str, ...]:
        """The rules that fire only after (+) or only before (−) the change."""
        added = sorted(self.after.rules - self.before.rules)
        removed = sorted(self.before.rules - self.after.rules)
        return (*(f"+{r}" for r in added), *(f"−{r}" for r in removed))

    @property
    def why(self) -> str:
        """The last finding only the new answer has (findings run from facts to the policy they
        set, so the last is the one that decides), else the last one the old answer lost."""
        new = [f for f in self.after.findings if f[0] in self.after.rules - self.before.rules]
        old = [f for f in self.before.findings if f[0] in self.before.rules - self.after.rules]
        text, cite = (new[-1][1:] if new else old[-1][1:]) if (new or old) else ("", "")
        return f"{text} ({cite})" if text else "the same provisions answer differently"


@dataclass
class ImpactReport:
    change: str
    checked: int = 0
    changed: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def groups(self) -> dict[tuple[str, ...], list[Change]]:
        out: dict[tuple[str, ...], list[Change]] = {}
        for c in self.changed:
            out.setdefault(c.provisions, []).append(c)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "checked": self.checked,
            "changed": len(self.changed),
            "groups": [
                {
                    "provisions": list(key),
                    "count": len(items),
                    "decisions": [
                        {
                            "source": c.source,
                            "before": _verdict_dict(c.before),
                            "after": _verdict_dict(c.after),
                            "why": c.why,
                        }
                        for c in items
                    ],
                }
                for key, items in self.groups().items()
            ],
            "errors": self.errors,
        }


def _citation_text(value: Any) -> str:
    """Citations are objects now; audit rows written before were plain strings."""
    return value if isinstance(value, str) else str(Citation.model_validate(value))


def _verdict_dict(a: Answer) -> dict[str, Any]:
    return {
        "outcome": a.outcome,
        "review_policy": a.review_policy,
        "license_exceptions": list(a.exceptions),
    }


def redecide(request: Mapping[str, Any], change: RegimeChange, law: Law) -> Mapping[str, Any]:
    """The request decided under the changed regime (its own date unless the change sets one)."""
    raw = dict(request)
    if change.date is not None:
        raw["date"] = change.date.isoformat()
    raw["overlays"] = [*raw.get("overlays", []), *change.overlays]
    req = parse_request(raw)
    if change.data is None:
        return law.decide(req).model_dump(mode="json")
    regime = Regime(change.data, req.date, req.overlays)
    return decide(req, regime=regime, catalog=law.catalog).model_dump(mode="json")


Case = tuple[str, Callable[[], Mapping[str, Any]], Mapping[str, Any] | None]


def impact(cases: Iterable[Case], change: RegimeChange, law: Law) -> ImpactReport:
    """Each case is (source, a function giving the request, the recorded decision or None = decide it
    now under the law in force on the request's date). A request that cannot be read or decided is
    reported and the rest go on. Cases whose outcome, review policy or exceptions change are kept."""
    report = ImpactReport(change.describe())
    for source, load, recorded in cases:
        try:
            request = load()
            before = recorded if recorded is not None else redecide(request, RegimeChange(), law)
            after = redecide(request, change, law)
        except ComputegateError as exc:
            report.errors.append(f"{source}: {exc}")
            continue
        report.checked += 1
        b, a = Answer.of(before), Answer.of(after)
        if b.verdict() != a.verdict():
            report.changed.append(Change(source, request, b, a))
    return report

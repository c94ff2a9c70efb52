"""Part 744 end-user and end-use controls and part 746 country-wide controls: each hit requires a
license whatever the item's ECCN.

These checks are monotone: they can only add license requirements, never remove one. The provisions
that are comparisons and memberships (744.2-744.4, 744.21, 744.22, 744.23, 746, 746.8(b)) are data
(regime/data/provisions/, steps part744 and part746) run by the one evaluator; Python keeps the
interpretive tests: the Entity List entry read from screening evidence, aggregate ownership and the
Affiliates rule with its suspension, and company-specific is-informed letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from computegate.model.classification import Classification
from computegate.model.findings import Citation, Finding, MissingFact
from computegate.model.requests import (
    EndUser,
    EntityListEntry,
    ExportRequest,
    ReviewPolicy,
    ScreeningEvidence,
)
from computegate.regime import Regime, cite
from computegate.regime.schema import Step
from computegate.rules.evaluate import Facts, rulings
from computegate.rules.horizon import status_unknown

# the place readings moved to rules/readings.py (the evaluator reads them too); named here for the
# modules that import them from this one
from computegate.rules.readings import Where as Where
from computegate.rules.readings import china_equivalent as china_equivalent
from computegate.rules.readings import in_scope as in_scope
from computegate.rules.readings import listed_as as listed_as
from computegate.rules.readings import where as where


@dataclass(frozen=True)
class Hit:
    """A part-744 license requirement that applies to this request."""

    rule: str
    text: str
    citation: Citation | str
    policy: ReviewPolicy


def _policy(regime: Regime, name: str) -> tuple[ReviewPolicy, Citation]:
    pv = regime.get(name)
    assert pv is not None, name
    policy: ReviewPolicy = pv.value
    return policy, pv.citation


def is_informed(
    req: ExportRequest, item_keys: set[str], regime: Regime
) -> tuple[list[Hit], list[Finding], list[MissingFact]]:
    """Company-specific is-informed letters: bind the informed exporter only, for the named items
    (and systems containing them) to the letter's destinations (and headquarters, where it says so),
    under the letter's review policy (denial unless the letter's data says otherwise)."""
    pv = regime.get("is_informed.letters")
    if pv is None:
        return [], [], []
    user = req.end_user
    hits: list[Hit] = []
    notes: list[Finding] = []
    missing: list[MissingFact] = []
    for letter in pv.value:
        if item_keys.isdisjoint(letter["items"]):
            continue
        hq = [
            china_equivalent(c, regime)
            for c in (user.headquarters, user.ultimate_parent_headquarters)
        ]
        places = [
            china_equivalent(req.to_country, regime),
            *(hq if letter.get("headquarters") else []),
        ]
        groups = letter.get("groups", [])
        reached = [
            c
            for c in places
            if c
            and (
                c in letter["destinations"]
                or any(regime.membership(c, g).status == "member" for g in groups)
            )
        ]
        if not reached:
            continue
        inst = regime.data.instruments.get(letter.get("source", ""))
        citation = cite(pv.period.cfr, inst) if inst else pv.citation
        scope = "/".join([*letter["destinations"], *groups])
        whose = " and entities headquartered there" if letter.get("headquarters") else ""
        text = f"BIS informed {letter.get('maker', 'the maker')} that this item needs a license to {scope}{whose}"
        if req.exporter_informed:
            hits.append(
                Hit(
                    "is-informed",
                    f"{text}; the exporter says it is informed: license required",
                    citation,
                    letter.get("review_policy", "presumption_of_denial"),
                )
            )
        elif req.exporter_informed is False:
            notes.append(
                Finding(
                    rule="is-informed",
                    text=f"{text}; the exporter says it is not an informed party",
                    citation=citation,
                )
            )
        else:
            notes.append(Finding(rule="is-informed", text=text, citation=citation))
            missing.append(
                MissingFact(
                    fact="exporter_informed",
                    question="Has BIS informed the exporter (is-informed letter) that this item needs a license for this destination?",
                    outcomes={
                        "yes": f"license required ({letter.get('review_policy', 'presumption_of_denial').replace('_', ' ')})",
                        "no": "no is-informed requirement",
                    },
                )
            )
    return hits, notes, missing[:1]


def screening_findings(
    evidence: ScreeningEvidence | None, name: str, regime: Regime
) -> tuple[list[Hit], list[Finding]]:
    """Turn a screening result into part-744 hits (Entity List) or findings (other lists, no match)."""
    if evidence is None:
        return [], []
    if not evidence.hit:
        text = f"{name} was screened against {evidence.list_source}: no match at the {evidence.threshold} threshold"
        return [], [Finding(rule="screening", text=text, citation=evidence.citation)]
    match = f"{name} matches '{evidence.entry_name}' (via '{evidence.matched_name}', score {evidence.score})"
    kind = listed_as(evidence)
    if kind == "entity_list":
        policy, cite = _policy(regime, "entity_list.review_policy")
        return [
            Hit(
                "744.11",
                f"{match} on the Entity List: license required for all items subject to the EAR",
                evidence.citation.also(cite),
                policy,
            )
        ], []
    if kind == "meu":
        text = f"{match} on the Military End-User List: treated as a military end user (744.21)"
        return [], [Finding(rule="744.21.meu_list", text=text, citation=evidence.citation)]
    if kind == "uvl":
        text = f"{match} on the Unverified List: no license exceptions, and a UVL statement is needed (744.15)"
        return [], [Finding(rule="744.15", text=text, citation=evidence.citation)]
    text = f"{match} on {evidence.list_name}: a list this engine does not evaluate (e.g. OFAC sanctions); review manually"
    return [], [Finding(rule="screening.other_list", text=text, citation=evidence.citation)]


def part744_hits(
    req: ExportRequest, regime: Regime, cls: Classification
) -> tuple[list[Hit], list[Finding], list[MissingFact]]:
    """Entity List (incl. the Affiliates rule), then the part 744 provisions (WMD end uses, 744.21
    military, 744.22 military-intelligence, 744.23 end uses). The missing facts are hits that may or
    may not apply."""
    hits: list[Hit] = []
    notes: list[Finding] = []
    pending: list[MissingFact] = []
    user = req.end_user
    name = user.name or "the end user"

    if user.entity_list:
        policy, cite = _policy(regime, "entity_list.review_policy")
        hits.append(
            Hit(
                "744.11",
                f"{name} is on the Entity List: license required for all items subject to the EAR",
                cite,
                policy,
            )
        )
    screened = screening_findings(user.screening, name, regime)
    hits += screened[0]
    notes += screened[1]
    _entry_policy(user, hits, notes)
    owned = _listed_ownership(user, regime, notes)
    if (user.listed_party_affiliate or owned) and not user.entity_list:
        _affiliates(regime, name, hits, notes, pending)
    elif owned is None and not user.entity_list:
        probe: list[Hit] = []
        _affiliates(regime, name, probe, [], [])
        if probe or regime.scheduled_change("affiliates_rule.in_force"):
            pending.append(
                MissingFact(
                    fact="end_user.owners",
                    question="Do listed parties own 50% or more of the end user in aggregate? (Some owners' listing is not given.)",
                    outcomes={
                        "yes": "license required (Affiliates rule: Entity List restrictions)",
                        "no": "no Affiliates-rule license requirement",
                    },
                )
            )

    _provisions("part744", req, regime, cls, hits, notes, pending)
    return hits, notes, pending


POLICY_WORDS: dict[str, ReviewPolicy] = {
    "presumption of denial": "presumption_of_denial",
    "case-by-case": "case_by_case",
    "case by case": "case_by_case",
    "presumption of approval": "presumption_of_approval",
}


def entry_details(user: EndUser) -> EntityListEntry | None:
    """The Entity List entry as the request states it, or as the screening hit's list entry gives it
    (footnote and review policy read from the entry's words; a policy in other words stays unknown)."""
    if user.entity_list_entry is not None:
        return user.entity_list_entry
    evidence = user.screening
    if listed_as(evidence) != "entity_list" or evidence is None:
        return None
    words = (evidence.license_policy or "").casefold()
    policy = next((p for w, p in POLICY_WORDS.items() if w in words), None)
    found = re.search(r"footnote\s*(\d+)", evidence.license_requirement or "", re.IGNORECASE)
    if policy is None and found is None:
        return None
    return EntityListEntry(
        footnote=int(found.group(1)) if found else None,
        license_policy=policy if " and " not in words and ";" not in words else None,
        scope=evidence.license_requirement,
    )


def _entry_policy(user: EndUser, hits: list[Hit], notes: list[Finding]) -> None:
    """An Entity List entry states its own license review policy; it governs that entry's requirement."""
    entry = entry_details(user)
    if entry is None or entry.license_policy is None:
        return
    for i, hit in enumerate(hits):
        if hit.rule == "744.11":
            hits[i] = Hit(hit.rule, hit.text, hit.citation, entry.license_policy)
            notes.append(
                Finding(
                    rule="744.11.entry",
                    text=f"The end user's Entity List entry states its license policy: {entry.license_policy.replace('_', ' ')}"
                    + (f" (items: {entry.scope})" if entry.scope else ""),
                    citation="15 CFR 744 Supp. 4 (the entry)",
                )
            )


def _listed_ownership(user: EndUser, regime: Regime, notes: list[Finding]) -> bool | None:
    """Aggregate ownership by listed parties against the Affiliates threshold: True at or above it,
    False if it cannot reach it, None if owners of unknown listing could tip it. No owners: False."""
    threshold = regime.get("affiliates_rule.threshold_pct")
    if not user.owners or threshold is None:
        return False
    listed = sum(o.percent for o in user.owners if o.listed)
    unknown = sum(o.percent for o in user.owners if o.listed is None)
    limit = float(threshold.value)
    answer = True if listed >= limit else False if listed + unknown < limit else None
    text = f"Listed parties own {listed:g}% of the end user in aggregate"
    if unknown:
        text += f" ({unknown:g}% held by owners whose listing is not given)"
    verdict = {True: "at or above", False: "below", None: "possibly at or above"}[answer]
    notes.append(
        Finding(
            rule="744.11.ownership",
            text=f"{text}: {verdict} the {limit:g}% threshold of the Affiliates rule",
            citation=threshold.citation,
        )
    )
    return answer


def _affiliates(
    regime: Regime, name: str, hits: list[Hit], notes: list[Finding], pending: list[MissingFact]
) -> None:
    """744.11(a)(1) Affiliates (50%) rule, with its suspension and scheduled reimposition."""
    pv = regime.get("affiliates_rule.in_force")
    if pv is None:
        return
    policy, _ = _policy(regime, "entity_list.review_policy")
    applies = (
        "license required (Entity List restrictions: presumption of denial, no license exceptions)"
    )
    unknown = status_unknown(
        regime,
        "affiliates_rule.in_force",
        f"Is the Affiliates (50%) rule in force on {regime.date}?",
        lambda value: applies if value else "no Affiliates-rule license requirement",
    )
    if unknown is not None:
        pending.append(unknown[0])
        notes.append(unknown[1])
    elif pv.value:
        text = f"{name} is at least 50% owned by listed parties: the Affiliates rule applies Entity List restrictions"
        hits.append(Hit("744.11.affiliates", text, pv.citation, policy))
    else:
        notes.append(
            Finding(
                rule="744.11.affiliates",
                text="The Affiliates (50%) rule is suspended on this date; ownership by listed parties does not by itself trigger a license",
                citation=pv.citation,
            )
        )


def _provisions(
    step: Step,
    req: ExportRequest,
    regime: Regime,
    cls: Classification,
    hits: list[Hit],
    notes: list[Finding],
    pending: list[MissingFact],
) -> None:
    """The provisions of a step, in file order: a required license is a hit (its findings, under its
    review policy); otherwise the findings are notes and an undecided provision's questions pending."""
    for ruling in rulings(step, Facts(req, regime, cls.reading, cls)):
        if ruling.required:
            policy = ruling.policy
            assert policy is not None, "a part 744/746 provision states its review policy"
            hits += [Hit(f.rule, f.text, f.citation, policy) for f in ruling.findings]
        else:
            notes += ruling.findings
            pending += ruling.missing


def part746_hits(req: ExportRequest, regime: Regime, cls: Classification) -> list[Hit]:
    """Part 746 country-wide requirements (embargoes, Russia/Belarus) for items on the CCL, with
    the 746.8(b) case-by-case policy for wholly-owned subsidiaries of US/A:5/A:6 companies."""
    hits: list[Hit] = []
    _provisions("part746", req, regime, cls, hits, [], [])
    return hits

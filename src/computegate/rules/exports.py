"""The item-based license requirement for 3A090/4A090 (and 3A090.c) items, by date.

Given one ECCN, say whether the destination or the end user's headquarters requires a license,
under which review policy, with which license exceptions and Jan-2026 conditions. The requirements,
review policies and exceptions are provisions (regime/data/provisions); the conditionally licensed
destinations and their approved entities (a listing that lapses past the knowledge horizon, an
entity named by the end user) are still read here and merged with the Nov-2023 requirement before
the `review` step sets the review policy.
"""

from __future__ import annotations

import re

from computegate.model.classification import Classification
from computegate.model.findings import MissingFact
from computegate.model.requests import ExportRequest
from computegate.regime import Regime
from computegate.rules.evaluate import Facts, apply, requirements
from computegate.rules.horizon import status_unknown
from computegate.rules.parties import Where, china_equivalent
from computegate.rules.ruling import Ruling, merged

CONTROLLED = ("3A090.a", "3A090.b", "4A090.a", "4A090.b", "3A090.c")
NOV_2023 = "742.6(a)(6)(iii)"  # the provision the conditional destinations below join


def item_ruling(req: ExportRequest, regime: Regime, eccn: str, cls: Classification) -> Ruling:
    """License requirement for one candidate ECCN: the requirement provisions in force (data, with
    3A090.c) and, from Nov 2023, the conditional destinations below; then the review, exception and
    bar provisions (742.6(b)(10), NAC/ACA, License Exception HBM, the Unverified List)."""
    if eccn not in CONTROLLED:
        ruling = Ruling(required=False)
        ruling.add(
            "item.uncontrolled",
            f"{eccn}: no advanced-computing (3A090/4A090) license requirement",
            "15 CFR 742.6(a)(6)",
        )
        return ruling
    facts = Facts(req, regime, eccn, cls)
    found = requirements(facts)
    if NOV_2023 in found:
        found[NOV_2023] = _with_conditional(req, regime, eccn, found[NOV_2023])
    rulings = list(found.values())
    ruling = merged(rulings) if rulings else _no_requirement(eccn, regime)
    if ruling.required:
        apply("review", facts, ruling)
        apply("exceptions", facts, ruling)
    if ruling.exceptions:
        apply("bars", facts, ruling)
    return ruling


def _no_requirement(eccn: str, regime: Regime) -> Ruling:
    ruling = Ruling(required=False)
    ruling.add(
        "item.uncontrolled",
        f"{eccn}: no advanced-computing license requirement is in force on {regime.date}",
        "15 CFR 742.6(a)(6)",
    )
    return ruling


def _with_conditional(req: ExportRequest, regime: Regime, eccn: str, by_scope: Ruling) -> Ruling:
    """The destination/headquarters provision's answer (`by_scope`) joined with the conditionally
    licensed destinations (strictest wins)."""
    dest = china_equivalent(req.to_country, regime) or req.to_country
    conditional = Ruling(required=None)
    by_exempt = _conditional_destination(req, regime, eccn, dest, conditional)
    conditional.required = {"yes": True, "no": False}.get(by_exempt)
    if by_exempt == "no" and not conditional.findings:
        return by_scope  # no conditionally licensed destination: nothing to combine
    return merged([conditional, by_scope])


def _named(name: str | None, entities: list[str]) -> str | None:
    """The listed entity the end user's name refers to (whole words, case-insensitive), if any."""
    words = set(re.split(r"\W+", (name or "").casefold()))
    return next((e for e in entities if e.casefold() in words), None)


def _conditional_destination(
    req: ExportRequest, regime: Regime, eccn: str, dest: str, ruling: Ruling
) -> Where:
    """A destination outside the group scope that keeps a license requirement except for exempt end
    users (the UAE rule): 'yes' licensed, 'no' exempt or out of scope, 'unknown' missing fact added."""
    scope = regime.get("ac.conditional_destinations")
    if scope is None or dest not in scope.value:
        return "no"
    categories = regime.get("ac.conditional_exempt_categories")
    exempt: list[str] = categories.value if categories is not None else []
    user = req.end_user
    if user.exemption is None:
        ruling.missing.append(
            MissingFact(
                fact="end_user.exemption",
                question=f"{dest} keeps a license requirement for {eccn} except for these end users: {', '.join(exempt)}. Is the end user one of them?",
                outcomes={
                    " / ".join(
                        exempt
                    ): f"no license required to {dest} (other requirements may still apply)",
                    "none": "license required",
                },
            )
        )
        ruling.add(
            "conditional-destination",
            f"{dest} is outside the country-group scope but keeps a license requirement unless the end user is exempt; the request does not say",
            scope.citation,
        )
        return "unknown"
    if user.exemption not in exempt:
        ruling.add(
            "conditional-destination",
            f"{eccn} to or within {dest}: license required (the end user is none of: {', '.join(exempt)})",
            scope.citation,
        )
        return "yes"
    if user.exemption == "approved_entity":
        lapsed = _approved_entity_lapsed(regime, user.name, ruling)
        if lapsed != "no":
            return lapsed
    ruling.add(
        "conditional-destination",
        f"{dest} keeps a license requirement for {eccn}, but not for this end user ({user.exemption})",
        (categories or scope).citation,
    )
    return "no"


def _approved_entity_lapsed(regime: Regime, name: str | None, ruling: Ruling) -> Where:
    """A named approved entity whose listing has ended is no longer exempt; past the horizon a
    scheduled lapse is unknown ('unknown', missing fact added)."""
    param = regime.data.parameters.get("ac.approved_entities")
    pv = regime.get("ac.approved_entities")
    ever = sorted({e for p in param.periods for e in p.value}) if param else []
    entity = _named(name, ever)
    if entity is None:
        return "no"
    unknown = status_unknown(
        regime,
        "ac.approved_entities",
        f"Is {entity} still an approved entity on {regime.date}?",
        lambda value: (
            "no license required (approved entity)"
            if value and entity in value
            else "license required (no longer an approved entity)"
        ),
    )
    if unknown is not None:
        ruling.missing.append(unknown[0])
        ruling.findings.append(unknown[1])
        return "unknown"
    if pv is not None and entity in pv.value:
        return "no"
    ruling.add(
        "conditional-destination.lapsed",
        f"{entity} is no longer an approved entity on this date: license required",
        pv.citation if pv is not None else "15 CFR 740 Supp. 8",
    )
    return "yes"

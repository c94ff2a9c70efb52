"""The item-based license requirement for 3A090/4A090 (and 3A090.c) items, by date.

Given one ECCN, say whether the destination or the end user's headquarters requires a license,
under which review policy, with which license exceptions and Jan-2026 conditions. The requirements
and exceptions are provisions (regime/data/provisions); the Nov-2023 review policy, the Jan-2026
case-by-case path and the conditionally licensed destinations are still read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from computegate.io.errors import InputError
from computegate.model.classification import Classification
from computegate.model.findings import MissingFact
from computegate.model.requests import Condition, ExportRequest
from computegate.regime import Regime
from computegate.rules.evaluate import Facts, apply, requirements
from computegate.rules.horizon import status_unknown
from computegate.rules.parties import Where, china_equivalent, where
from computegate.rules.ruling import Ruling, merged

CONTROLLED = ("3A090.a", "3A090.b", "4A090.a", "4A090.b", "3A090.c")
NOV_2023 = "742.6(a)(6)(iii)"  # the provision the Nov-2023 review policy below attaches to


@dataclass(frozen=True)
class _Case:
    """A request that needs a licence under the Nov-2023 structure: what, where, whose headquarters."""

    req: ExportRequest
    regime: Regime
    eccn: str
    cls: Classification
    dest: str
    hq: list[str]

    def parts(self) -> tuple[ExportRequest, Regime, str, Classification, str, list[str]]:
        return self.req, self.regime, self.eccn, self.cls, self.dest, self.hq


def _combine(answers: list[Where]) -> Where:
    for value in ("yes", "ambiguous", "unknown"):
        if value in answers:
            return value
    return "no"


def item_ruling(req: ExportRequest, regime: Regime, eccn: str, cls: Classification) -> Ruling:
    """License requirement for one candidate ECCN: the requirement provisions in force (data, with
    3A090.c) and, from Nov 2023, the conditional destinations and review policy below; then the
    exception and bar provisions (NAC/ACA, License Exception HBM, the Unverified List)."""
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
        found[NOV_2023] = _ruling_2023(req, regime, eccn, cls, found[NOV_2023])
    rulings = list(found.values())
    ruling = merged(rulings) if rulings else _no_requirement(eccn, regime)
    if ruling.required:
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


def _hq_where(
    req: ExportRequest, regime: Regime, groups: str, named: str
) -> tuple[Where, list[str]]:
    """Headquarters test over the end user and its ultimate parent (a missing parent = none separate)."""
    user = req.end_user
    codes = [
        china_equivalent(c, regime) or c
        for c in (user.headquarters, user.ultimate_parent_headquarters)
        if c
    ]
    if not codes:
        return "unknown", []
    return _combine([where(c, regime, groups, named) for c in codes]), codes


def _ruling_2023(
    req: ExportRequest, regime: Regime, eccn: str, cls: Classification, by_scope: Ruling
) -> Ruling:
    """The Nov-2023 structure: the destination/headquarters provision's answer (`by_scope`), the
    conditionally licensed destinations, then this structure's review policy (NAC/ACA are the
    740.8 provisions)."""
    dest = china_equivalent(req.to_country, regime) or req.to_country
    hq_pv = regime.get("ac.hq_groups")
    assert hq_pv is not None
    conditional = Ruling(required=None)
    by_exempt = _conditional_destination(req, regime, eccn, dest, conditional)
    conditional.required = {"yes": True, "no": False}.get(by_exempt)
    if by_exempt == "no" and not conditional.findings:
        ruling = by_scope  # no conditionally licensed destination: nothing to combine
    else:
        ruling = merged([conditional, by_scope])
    if req.end_user.headquarters and not req.end_user.ultimate_parent_headquarters:
        ruling.add(
            "hq-rule.parent",
            "No ultimate parent given: the end user is treated as its own ultimate parent",
            hq_pv.citation,
        )
    if ruling.required:
        hq_codes = [
            china_equivalent(c, regime) or c
            for c in (req.end_user.headquarters, req.end_user.ultimate_parent_headquarters)
            if c
        ]
        case = _Case(req, regime, eccn, cls, dest, hq_codes)
        _review_policy_2023(case, ruling)
    return ruling


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


def _cambodia_style_ambiguity(
    dest: str, hq: list[str], regime: Regime, what: str, yes: str, no: str
) -> MissingFact:
    places = [c for c in (dest, *hq) if regime.membership(c, "D:5").status == "ambiguous"]
    notes = [regime.membership(c, "D:5").entry for c in places]
    detail = (
        "; ".join(n.note for n in notes if n is not None and n.note)
        or "membership is disputed on this date"
    )
    return MissingFact(
        fact="country_group_membership",
        kind="legal_ambiguity",
        question=f"Is {', '.join(places) or dest} in Country Group D:5 on this date? ({detail})",
        outcomes={"in D:5": yes, "not in D:5": no},
    )


def _review_policy_2023(case: _Case, ruling: Ruling) -> None:
    _, regime, eccn, cls, dest, hq = case.parts()
    deny_dest = where(dest, regime, "ac.denial_groups", "ac.denial_named")
    deny_hq = (
        _combine([where(c, regime, "ac.denial_groups", "ac.denial_named") for c in hq])
        if hq
        else "no"
    )
    deny_pv = regime.get("ac.denial_groups")
    assert deny_pv is not None
    if "ambiguous" in (deny_dest, deny_hq) and "yes" not in (deny_dest, deny_hq):
        ruling.policy = None
        yes = "presumption of denial (NAC with notification, if the item is eligible)"
        no = "presumption of approval (ACA, if the item is eligible)"
        ruling.missing.append(_cambodia_style_ambiguity(dest, hq, regime, "review policy", yes, no))
        return
    if deny_dest == "no" and deny_hq == "no":
        ruling.policy = "presumption_of_approval"
        ruling.add(
            "742.6(b)(10)(ii)",
            f"{dest} is licensed but not D:5/Macau, and the end user is not headquartered there: presumption of approval",
            deny_pv.citation,
        )
        return
    ruling.policy = "presumption_of_denial"
    hq_hit = "/".join(
        c for c in hq if where(c, regime, "ac.denial_groups", "ac.denial_named") == "yes"
    )
    why = f"destination {dest}" if deny_dest == "yes" else f"headquarters {hq_hit}"
    ruling.add("742.6(b)(10)(ii)", f"D:5 or Macau ({why}): presumption of denial", deny_pv.citation)
    if _jan2026_case_by_case(case, ruling):
        return
    relief = regime.get("ac.hq_case_by_case_except_datacenter_a")
    datacenter_a = eccn.endswith(".a") and cls.datacenter is not False
    if deny_dest == "no" and relief is not None and relief.value and not datacenter_a:
        ruling.policy = "case_by_case"
        ruling.add(
            "744.23(d)(3)",
            f"Headquarters-rule license for {eccn} (not a datacenter .a item): case-by-case",
            relief.citation,
        )


def _jan2026_case_by_case(case: _Case, ruling: Ruling) -> bool:
    """The 91 FR 1684 carve-out: case-by-case for in-window exports from the US to China/Macau."""
    req, regime, eccn, cls, dest, hq = case.parts()
    dests = regime.get("jan2026.destinations")
    if dests is None:
        return False
    blockers: list[str] = []
    if req.kind != "export":
        blockers.append(f"it covers exports from the US only, not a {req.kind}")
    if dest not in dests.value:
        blockers.append(f"it covers exports to {'/'.join(dests.value)} only, not {dest}")
    other_hq = [
        c
        for c in hq
        if c not in dests.value and where(c, regime, "ac.denial_groups", "ac.denial_named") == "yes"
    ]
    if other_hq:
        blockers.append(
            f"the party is headquartered in {'/'.join(other_hq)} (D:5/Macau outside China and Macau)"
        )
    if cls.jan2026_case_by_case_zone is False:
        blockers.append("the item is outside the TPP/DRAM-bandwidth window")
    required = regime.get("jan2026.us_availability_required")
    if required is not None and required.value and cls.jan2026_us_available_at_publication is False:
        blockers.append("the item was not commercially available in the US at publication")
    blockers += _failed_certifications(req, regime)
    if blockers:
        ruling.add(
            "jan2026.case_by_case",
            "The Jan-2026 case-by-case policy does not apply: " + "; ".join(blockers),
            dests.citation,
        )
        return False
    unknowns = []
    if cls.jan2026_case_by_case_zone is None:
        unknowns.append(
            ("item.specs", "Is the item inside the window (TPP and total DRAM bandwidth)?")
        )
    if required is not None and required.value and cls.jan2026_us_available_at_publication is None:
        unknowns.append(
            ("item.us_availability", "Was the item commercially available in the US on 2026-01-15?")
        )
    for fact, question in unknowns:
        ruling.missing.append(
            MissingFact(
                fact=fact,
                question=question,
                outcomes={
                    "yes": "case-by-case (with certifications)",
                    "no": "presumption of denial",
                },
            )
        )
    if eccn.startswith("4A090"):
        ruling.missing.append(
            MissingFact(
                fact="jan2026_scope_4a090",
                kind="legal_ambiguity",
                question="Does the Jan-2026 case-by-case policy reach 4A090 computers (and per IC or in aggregate)?",
                outcomes={
                    "yes, per IC": "case-by-case (with certifications)",
                    "no / aggregate": "presumption of denial",
                },
            )
        )
    if unknowns or eccn.startswith("4A090"):
        ruling.policy = None
        return True
    ruling.policy = "case_by_case"
    conditions = regime.get("jan2026.conditions")
    ruling.add(
        "jan2026.case_by_case",
        f"Export from the US to {dest} of an in-window item that was commercially available in the US: case-by-case review instead of denial, with certifications",
        dests.citation,
    )
    certified = sorted(k for k, v in req.certifications.items() if v)
    if certified and conditions is not None:
        ruling.add(
            "jan2026.certification",
            f"The exporter states it can certify: {', '.join(certified)}",
            conditions.citation,
        )
    if conditions is not None:
        ruling.conditions.extend(
            Condition(
                id=c["id"],
                text=c["text"],
                citation=conditions.cite_paragraph(c["cfr"]),
            )
            for c in conditions.value
        )
    return True


def _failed_certifications(req: ExportRequest, regime: Regime) -> list[str]:
    """A certification stated false takes the request off the case-by-case path (91 FR 1684); an
    unknown one stays a condition to certify."""
    conditions = regime.get("jan2026.conditions")
    if not req.certifications or conditions is None:
        return []
    ids = [c["id"] for c in conditions.value]
    unknown = sorted(set(req.certifications) - set(ids))
    if unknown:
        raise InputError(
            f"certifications.{unknown[0]}",
            f"not a certification on {regime.date}: use one of {', '.join(ids)}",
        )
    return [f"the exporter cannot certify {i}" for i in ids if req.certifications.get(i) is False]

"""Remote (cloud) access: what enacted law reaches today, and what each RASA version would.

Enacted law: renting compute is generally not an export; US-person support rules, end-use controls and
the Jan-2026 licence conditions still bite. Each bill is an overlay with its own definitions; a covered
access is licensed by analogy to an export of the item to the customer, since every bill leaves the
licence requirement to BIS regulations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from computegate.model.classification import Classification
from computegate.model.findings import Citation, Finding, MissingFact
from computegate.model.requests import (
    Decision,
    ExportRequest,
    ItemSummary,
    RemoteAccessRequest,
)
from computegate.regime import ParamValue, Regime
from computegate.rules.evaluate import Facts, RemoteFacts, apply, reform_status
from computegate.rules.parties import screening_findings
from computegate.rules.persons import foreign_person, person_of_concern
from computegate.rules.ruling import Ruling

CONTROLLED = ("3A090.a", "3A090.b", "4A090.a", "4A090.b")
DRIVING_RULES = frozenset(
    {
        "742.6(a)(6)",
        "742.6(a)(6)(iii)",
        "hq-rule",
        "742.6(b)(10)(ii)",
        "744.23(d)(3)",
        "jan2026.case_by_case",
        "744.11",
        "744.21",
        "744.23",
        "744.2-744.4",
    }
)


def _customer_label(req: RemoteAccessRequest) -> str:
    c = req.customer
    parts = [
        f"incorporated in {c.country}" if c.country else None,
        f"headquartered in {c.headquarters}" if c.headquarters else None,
    ]
    if c.ultimate_parent_headquarters:
        parts.append(f"ultimate parent headquartered in {c.ultimate_parent_headquarters}")
    if c.nationality:
        parts.append(f"nationality {'/'.join(c.nationality)}")
    detail = ", ".join(p for p in parts if p)
    return "the customer" + (f" ({detail})" if detail else "")


def summary(req: RemoteAccessRequest, item: ItemSummary) -> Finding:
    lines = ", ".join(
        f"{line.count:,} x {line.item if isinstance(line.item, str) else line.item.get('name', 'custom chip')}"
        for line in req.accelerators
    )
    provider = (
        f"a provider in {req.provider.country}{' (US person)' if req.provider.is_us_person else ''}"
    )
    text = (
        f"Remote access on {req.date}: {_customer_label(req)} uses {lines} ({item.eccn_paragraph or item.reading}) "
        f"in a data centre in {req.datacenter_country} run by {provider}, from {req.accessed_from or 'an unstated place'}, "
        f"for {req.workload.type.replace('_', ' ')}"
    )
    if req.duration_days:
        text += f" over {req.duration_days:,} days"
    return Finding(
        rule="request", text=text, citation="15 CFR 734.3 (items subject to the EAR assumed)"
    )


def enacted(
    req: RemoteAccessRequest, regime: Regime, cls: Classification, export_of_chips: Decision | None
) -> Ruling:
    """Enacted law's answer: the provisions of the remote-access steps (data), in order, with the
    separate export of the chips and the weapons-kind reading of 744.6(b) between them."""
    v = Ruling()
    facts = RemoteFacts(req, regime, cls)
    apply("remote.access", facts, v)
    if export_of_chips is not None:
        policy = (
            f", {export_of_chips.review_policy.replace('_', ' ')}"
            if export_of_chips.review_policy
            else ""
        )
        not_export = regime.get("remote.not_an_export")
        assert not_export is not None
        v.add(
            "remote.chips",
            f"Separately, exporting {cls.name} to the data centre in {req.datacenter_country} (provider headquartered in "
            f"{req.provider.country}) is its own question: {export_of_chips.outcome.replace('_', ' ')}{policy}",
            next(
                (f.citation for f in reversed(export_of_chips.findings) if f.rule in DRIVING_RULES),
                not_export.citation,
            ),
        )
    apply("remote.us_person", facts, v)
    _us_person_wmd_support(req, regime, facts, v)
    c = req.customer
    if c.screening is not None:
        v.findings.extend(screening_findings(c.screening, c.name or "the customer", regime)[1])
    apply("remote.customer", facts, v)
    return v


def _us_person_wmd_support(
    req: RemoteAccessRequest, regime: Regime, facts: Facts, v: Ruling
) -> None:
    """744.6(b)(1)-(3): a US-person provider knowingly assisting weapons work needs a licence, with a
    country scope per kind; 'wmd' does not say which kind, so the kind is asked for unless every
    kind gives the same answer. Kept in Python: an interpretation (which kind a stated 'wmd' use
    is), with scopes the data may not encode (D:2), not a comparison."""
    pv = regime.get("remote.us_person_wmd_support_scope")
    policy = regime.get("wmd.review_policy")
    if pv is None or policy is None or v.outcome == "license_required":
        return
    if not req.provider.is_us_person or "wmd" not in req.workload.uses:
        return
    places = sorted(set(facts.get("customer.ties")))
    required = "licence required (744.6(b))"
    outcomes: dict[str, str] = {}
    for entry in pv.value:
        kind, scope = str(entry).split(":", 1)
        if scope == "worldwide":
            answer = required
        elif scope not in regime.data.groups:
            answer = f"licence required if the use is in or by a {scope} country ({scope} is not encoded here)"
        elif any(regime.membership(p, scope).status == "member" for p in places):
            answer = required
        else:
            answer = (
                f"no 744.6(b) requirement ({'/'.join(places) or 'no country given'} not in {scope})"
            )
        outcomes[kind.replace("_", " ")] = answer
    if set(outcomes.values()) == {required}:
        v.outcome, v.policy = "license_required", policy.value
        v.add(
            "744.6(b)",
            "A US-person provider assisting WMD work: licence required whatever the kind of weapon",
            pv.citation,
        )
        return
    v.outcome = "insufficient_information"
    v.missing.append(
        MissingFact(
            fact="workload.wmd_kind",
            question="Which weapons work does the service assist? 744.6(b)(1)-(3) give each kind its own country scope",
            outcomes=outcomes,
        )
    )
    v.add(
        "744.6(b)",
        "A US-person provider assisting WMD work: the licence requirement depends on the kind of weapon",
        pv.citation,
    )


# -- overlays ----------------------------------------------------------------------------------


ACCESS = "remote.access_control."
KYC = "remote.iaas_kyc."


def _param(regime: Regime, name: str) -> ParamValue:
    pv = regime.get(name)
    assert pv is not None, name  # declared for every date by the base regime
    return pv


def access_control_on(regime: Regime) -> bool:
    """A remote-access control (a bill, when its overlay is on) covers someone on this date."""
    return bool(_param(regime, ACCESS + "persons").value != "none")


def kyc_on(regime: Regime) -> bool:
    return bool(_param(regime, KYC + "cip_information").value)


def _status(rule: str, pv: ParamValue, regime: Regime) -> Finding:
    return Finding(rule=rule, text=reform_status(regime, pv.name), citation=pv.citation)


def access_control_verdict(
    req: RemoteAccessRequest,
    regime: Regime,
    cls: Classification,
    as_export: Decision | None,
) -> Ruling:
    """Would the remote-access control in force (a bill's overlay) reach this access, and with what
    licence answer? Every element is a declared parameter the overlay sets."""
    v = Ruling()
    p = ACCESS
    persons = _param(regime, p + "persons")
    cite = persons.citation
    name = persons.overlay or "enacted law"
    v.findings.append(_status("remote_access.status", persons, regime))

    if persons.value == "foreign_person":
        covered, why = foreign_person(req)
        missing = None
    else:
        countries = _param(regime, p + "countries_of_concern")
        covered, why, missing = person_of_concern(req, list(countries.value))
    v.add("remote_access.persons", f"{why[0].upper()}{why[1:]} under {name}", cite)
    if covered is False:
        return v
    if missing is not None:
        v.missing.append(missing)
    elif covered is None:
        v.missing.append(
            MissingFact(
                fact="customer",
                question="Where is the customer incorporated and headquartered, and of what nationality are the individuals?",
                outcomes={"foreign (of concern)": "covered", "otherwise": "not covered"},
            )
        )

    channel = _param(regime, p + "channel")
    if channel.value == "iaas" and req.provider.service != "iaas":
        text = f"The service is {req.provider.service}, not a cloud infrastructure service (IaaS): outside {name}"
        return _drop(v, "remote_access.channel", text, channel.citation)
    outside = _param(regime, p + "access_outside_us_required")
    if outside.value and req.accessed_from == "US":
        text = f"Access from inside the US is outside {name}"
        return _drop(v, "remote_access.location", text, outside.citation)
    items = _param(regime, p + "items")
    if items.value != "none":
        scope = (
            "on the Commerce Control List"
            if items.value == "ccl"
            else "subject to US jurisdiction under ECRA"
        )
        v.add(
            "remote_access.items",
            f"The accelerators ({cls.eccn_paragraph or cls.reading}) are assumed to be {scope}",
            items.citation,
        )

    risk = _param(regime, p + "risk_standard")
    listed = _param(regime, p + "listed_uses")
    named_uses = sorted(set(req.workload.uses) & set(listed.value))
    if not req.assume_serious_risk_determination:
        v.missing.append(
            MissingFact(
                fact="secretary_determination",
                kind="legal_ambiguity",
                question=f"Will the Secretary determine that this use meets the bill's test ({risk.value})?",
                outcomes={"yes": _licence_text(as_export), "no": f"outside {name}"},
            )
        )
        v.add(
            "remote_access.risk",
            f"The bill reaches the access only if {risk.value}; no determination is assumed",
            risk.citation,
        )
        v.outcome = "insufficient_information"
        return v
    assumed, why = _assumed_determination(req, cls, str(risk.value), named_uses)
    if not assumed:
        return _drop(v, "remote_access.risk", why, risk.citation)
    v.add("remote_access.risk", why, risk.citation)
    mental = _param(regime, p + "mental_state")
    sunset = _param(regime, p + "sunset_years")
    for rule, pv, text in (
        ("remote_access.mental_state", mental, f"Covers access on a {mental.value} basis"),
        (
            "remote_access.sunset_years",
            sunset,
            f"The authority would sunset after {sunset.value:.0f} years",
        ),
    ):
        if pv.value:
            v.add(rule, text, pv.citation)

    if v.missing:
        v.outcome = "insufficient_information"
        return v
    if as_export is None:
        v.outcome = "insufficient_information"
        v.missing.append(
            MissingFact(
                fact="customer.country",
                question="Where does the customer access from?",
                outcomes={"known": "licence answer by analogy to an export there"},
            )
        )
        return v
    v.add(
        "remote_access.licence",
        f"Covered as remote access; the bill leaves licensing to BIS rules, so it is treated like an export of the item to the customer: {_licence_text(as_export)}",
        cite,
    )
    v.findings.extend(
        Finding(rule=f"remote_access.as_export.{f.rule}", text=f.text, citation=f.citation)
        for f in as_export.findings
        if f.rule in DRIVING_RULES
    )
    v.outcome = as_export.outcome
    v.policy = as_export.review_policy
    v.missing.extend(as_export.missing_facts)
    return v


def _assumed_determination(
    req: RemoteAccessRequest, cls: Classification, standard: str, named_uses: Sequence[str]
) -> tuple[bool, str]:
    """The Secretary's determination assumed: a use the text names as a serious risk, or training
    on controlled (3A090/4A090) accelerators; anything else is outside it."""
    if named_uses:
        return True, (
            f"The workload's stated purpose ({', '.join(named_uses)}) is one the text names as a serious risk; assuming the Secretary so determines"
        )
    if req.workload.type == "ai_training" and cls.eccn in CONTROLLED:
        return True, (
            f"Assumption: the Secretary determines that training AI models on controlled (3A090/4A090) accelerators meets the test ({standard})"
        )
    what = req.workload.type.replace("_", " ").capitalize()
    return False, (
        f"{what} on {cls.eccn_paragraph or cls.reading} items is outside the assumed determination (training on controlled accelerators): not covered"
    )


def _drop(v: Ruling, rule: str, text: str, citation: Citation) -> Ruling:
    """An element of the control fails: the access is outside it, whatever else is unknown."""
    v.add(rule, text, citation)
    v.missing.clear()
    return v


def _licence_text(d: Decision | None) -> str:
    if d is None:
        return "licence answer unknown"
    text = d.outcome.replace("_", " ")
    return text + (f" ({d.review_policy.replace('_', ' ')})" if d.review_policy else "")


def kyc_verdict(req: RemoteAccessRequest, regime: Regime, cls: Classification) -> Ruling:
    """The IaaS KYC proposal, when an overlay sets it: the provisions of its step (data)."""
    v = Ruling()
    apply("remote.iaas_kyc", RemoteFacts(req, regime, cls), v)
    return v


def as_export_request(req: RemoteAccessRequest, item: Any) -> ExportRequest | None:
    """The export a covered remote access is treated like: the item going to the customer."""
    c = req.customer
    if c.nationality:
        dest: str | None = c.nationality[0]
    elif req.accessed_from and req.accessed_from != "US":
        dest = req.accessed_from
    else:
        dest = c.country if c.country != "US" else c.headquarters
    if dest is None or dest == "US":
        return None
    origin = req.datacenter_country
    if origin == "US":
        kind, from_country = "export", "US"
    elif origin == dest:
        kind, from_country = "transfer", dest
    else:
        kind, from_country = "reexport", origin
    end_use = tuple(
        u for u in req.workload.uses if u in ("military", "military_intelligence", "wmd")
    )
    return ExportRequest.model_validate(
        {
            "kind": kind,
            "date": req.date,
            "item": item,
            "quantity": sum(line.count for line in req.accelerators),
            "from_country": from_country,
            "to_country": dest,
            "end_user": {
                "name": c.name,
                "country": c.country,
                "headquarters": c.headquarters or (c.country if not c.nationality else None),
                "ultimate_parent_headquarters": c.ultimate_parent_headquarters,
                "entity_list": c.entity_list,
                "military_end_user": c.military_end_user,
                "screening": c.screening,
            },
            "end_use": end_use,
        }
    )

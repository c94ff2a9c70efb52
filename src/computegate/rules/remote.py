"""Remote (cloud) access: what enacted law reaches today, and what each RASA version would.

Enacted law: renting compute is generally not an export; US-person support rules, end-use controls and
the Jan-2026 licence conditions still bite. Each bill is an overlay with its own definitions; a covered
access is licensed by analogy to an export of the item to the customer, since every bill leaves the
licence requirement to BIS regulations.
"""

from __future__ import annotations

from typing import Any

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import (
    Condition,
    Decision,
    ExportRequest,
    ItemSummary,
    RemoteAccessRequest,
)
from computegate.regime import ParamValue, Regime
from computegate.rules.parties import (
    china_equivalent,
    in_scope,
    listed_as,
    screening_findings,
    where,
)
from computegate.rules.ruling import Ruling

CONTROLLED_A = ("3A090.a", "4A090.a")
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
    v = Ruling()
    not_export = regime.get("remote.not_an_export")
    assert not_export is not None
    v.add(
        "remote.not_export",
        "Renting compute ships nothing: under enacted law remote access is generally not an export, reexport or transfer of the chips, so no licence is needed for the access as such",
        not_export.citation,
    )
    if export_of_chips is not None:
        policy = (
            f", {export_of_chips.review_policy.replace('_', ' ')}"
            if export_of_chips.review_policy
            else ""
        )
        v.add(
            "remote.chips",
            f"Separately, exporting {cls.name} to the data centre in {req.datacenter_country} (provider headquartered in "
            f"{req.provider.country}) is its own question: {export_of_chips.outcome.replace('_', ' ')}{policy}",
            next(
                (f.citation for f in reversed(export_of_chips.findings) if f.rule in DRIVING_RULES),
                not_export.citation,
            ),
        )
    _us_person_support(req, regime, cls, v)
    _us_person_mi_support(req, regime, v)
    _us_person_wmd_support(req, regime, v)
    c = req.customer
    listed = listed_as(c.screening)
    if c.screening is not None:
        v.findings.extend(screening_findings(c.screening, c.name or "the customer", regime)[1])
    if c.entity_list or c.military_end_user or listed in ("entity_list", "meu"):
        who = (
            "on the Entity List"
            if c.entity_list or listed == "entity_list"
            else "a military end user"
        )
        v.add(
            "remote.listed_customer",
            f"The customer is {who}: providing compute is not an export, but any export of software or technology to it needs a licence (744.11 / 744.21), and OFAC sanctions are not evaluated here",
            "15 CFR 744.11; 15 CFR 744.21",
        )
    _jan2026_kyc(req, regime, cls, v)
    return v


def _places(req: RemoteAccessRequest, regime: Regime) -> list[str]:
    c = req.customer
    codes = [
        req.accessed_from,
        c.country,
        c.headquarters,
        c.ultimate_parent_headquarters,
        *c.nationality,
    ]
    return [china_equivalent(x, regime) or x for x in codes if x]


def _us_person_support(
    req: RemoteAccessRequest, regime: Regime, cls: Classification, v: Ruling
) -> None:
    uses = regime.get("remote.us_person_support_uses")
    policy = regime.get("remote.us_person_support_policy")
    if uses is None or policy is None or not req.provider.is_us_person:
        return
    risky = sorted(set(req.workload.uses) & set(uses.value))
    d5 = [
        p
        for p in _places(req, regime)
        if where(p, regime, "remote.us_person_support_groups", "remote.us_person_support_named")
        == "yes"
    ]
    if req.workload.type == "ai_training" and risky and d5 and cls.eccn in CONTROLLED_A:
        v.outcome, v.policy = "license_required", policy.value
        v.add(
            "744.6",
            f"A US-person provider supporting AI training for {', '.join(risky)} end uses tied to {'/'.join(sorted(set(d5)))}: licence required",
            policy.citation,
        )
    elif req.workload.type == "ai_training" and d5:
        v.add(
            "744.6",
            f"The provider is a US person serving a party tied to {'/'.join(sorted(set(d5)))}: 744.6 would bite if the training were for {' or '.join(u.replace('_', '-') for u in uses.value)} end uses (none stated)",
            uses.citation,
        )


def _us_person_wmd_support(req: RemoteAccessRequest, regime: Regime, v: Ruling) -> None:
    """744.6(b)(1)-(3): a US-person provider knowingly assisting weapons work needs a licence, with a
    country scope per kind; 'wmd' does not say which kind, so the kind is asked for unless every
    kind gives the same answer."""
    pv = regime.get("remote.us_person_wmd_support_scope")
    policy = regime.get("wmd.review_policy")
    if pv is None or policy is None or v.outcome == "license_required":
        return
    if not req.provider.is_us_person or "wmd" not in req.workload.uses:
        return
    places = sorted(set(_places(req, regime)))
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


def _us_person_mi_support(req: RemoteAccessRequest, regime: Regime, v: Ruling) -> None:
    """744.6(b)(5): a US person may not, without a licence, support a military-intelligence end use
    or end user in the 744.22 countries — any service, whatever the item or workload."""
    pv = regime.get("remote.us_person_mi_support")
    policy = regime.get("mi.review_policy")
    if pv is None or policy is None or not pv.value or not req.provider.is_us_person:
        return
    if "military_intelligence" not in req.workload.uses:
        return
    c = req.customer
    codes = (req.accessed_from, c.country, c.headquarters)
    places = sorted(
        {
            p
            for x in codes
            if (p := china_equivalent(x, regime))
            and in_scope(p, regime, "mi.groups", "mi.countries")
        }
    )
    if not places:
        return
    v.outcome, v.policy = "license_required", policy.value
    v.add(
        "744.6(b)(5)",
        f"A US-person provider supporting a military-intelligence end use or end user in {'/'.join(places)}: licence required for the service itself, whatever the item",
        pv.citation.also(policy.citation),
    )


def _jan2026_kyc(req: RemoteAccessRequest, regime: Regime, cls: Classification, v: Ruling) -> None:
    dests = regime.get("jan2026.destinations")
    users = regime.get("jan2026.remote_user_countries")
    conditions = regime.get("jan2026.conditions")
    if dests is None or users is None or conditions is None:
        return
    if (
        china_equivalent(req.datacenter_country, regime) not in dests.value
        or cls.eccn not in CONTROLLED
        or not cls.jan2026_case_by_case_zone
    ):
        return
    flagged = sorted({p for p in _places(req, regime) if p in users.value})
    v.add(
        "jan2026.remote_kyc",
        "If these chips came in under a Jan-2026 case-by-case licence, its conditions bind the provider: identify remote users in or headquartered in "
        + ", ".join(users.value)
        + (
            f" — this customer is tied to {', '.join(flagged)} and must be identified"
            if flagged
            else ""
        ),
        users.citation,
    )
    wanted = ("recipient_security_kyc", "iaas_model_weights")
    v.conditions.extend(
        Condition(id=c["id"], text=c["text"], citation=conditions.cite_paragraph(c["cfr"]))
        for c in conditions.value
        if c["id"] in wanted
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
    """Which reform set the control: its title and status (never law unless enacted)."""
    ov = regime.data.overlays[pv.overlay] if pv.overlay else None
    text = (
        f"{ov.title}: {ov.status} as of {ov.status_date}"
        + ("" if ov.status == "enacted" else "; not law")
        if ov is not None
        else "Enacted law"
    )
    return Finding(rule=rule, text=text, citation=pv.citation)


def _foreign_person(req: RemoteAccessRequest) -> tuple[bool | None, str]:
    c = req.customer
    if c.nationality:
        foreign = [n for n in c.nationality if n != "US"]
        if len(foreign) < len(c.nationality):
            return False, f"a US national ({'/'.join(c.nationality)}) is not a foreign person"
        return True, f"a national of {'/'.join(foreign)} is a foreign person"
    if c.country is None:
        return None, "the customer's country of incorporation is not given"
    if c.country == "US":
        return False, "a US-incorporated entity is a US person, whatever its parent"
    return True, f"an entity incorporated in {c.country} is a foreign person"


def _of_concern(
    req: RemoteAccessRequest, countries: list[str]
) -> tuple[bool | None, str, MissingFact | None]:
    c = req.customer
    concern = set(countries)
    named = "/".join(countries)
    if c.government and c.country in concern:
        return True, f"a government body of {c.country} is a foreign person of concern", None
    for label, code in (
        ("ultimate parent headquartered", c.ultimate_parent_headquarters),
        ("headquartered", c.headquarters),
        ("located", c.country),
    ):
        if code in concern and not c.nationality:
            return True, f"{label} in {code} makes the customer a foreign person of concern", None
    if c.nationality:
        hits = [n for n in c.nationality if n in concern]
        if not hits:
            return (
                False,
                f"a national of {'/'.join(c.nationality)} is not a person of concern ({named})",
                None,
            )
        if c.country in concern or req.accessed_from in concern:
            return (
                True,
                f"a {hits[0]} national in {c.country or req.accessed_from} is subject to that country's jurisdiction: a person of concern",
                None,
            )
        amb = MissingFact(
            fact="person_subject_to_jurisdiction",
            kind="legal_ambiguity",
            question=f"Is a {hits[0]} national living in {c.country or 'another country'} a 'person subject to the jurisdiction' of {hits[0]}?",
            outcomes={"yes": "a foreign person of concern (covered)", "no": "not covered"},
        )
        return (
            None,
            f"a {hits[0]} national outside {hits[0]}: whether they are subject to its jurisdiction is unclear",
            amb,
        )
    if c.country is None and c.headquarters is None:
        return None, "the customer's location and headquarters are not given", None
    where_ = "/".join(x for x in (c.country, c.headquarters, c.ultimate_parent_headquarters) if x)
    return (
        False,
        f"a customer tied only to {where_} is not a foreign person of concern ({named})",
        None,
    )


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
        covered, why = _foreign_person(req)
        missing = None
    else:
        countries = _param(regime, p + "countries_of_concern")
        covered, why, missing = _of_concern(req, list(countries.value))
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
        v.add(
            "remote_access.channel",
            f"The service is {req.provider.service}, not a cloud infrastructure service (IaaS): outside {name}",
            channel.citation,
        )
        return _drop(v)
    outside = _param(regime, p + "access_outside_us_required")
    if outside.value and req.accessed_from == "US":
        v.add(
            "remote_access.location",
            f"Access from inside the US is outside {name}",
            outside.citation,
        )
        return _drop(v)
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
    trains_controlled = req.workload.type == "ai_training" and cls.eccn in CONTROLLED
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
    if named_uses:
        v.add(
            "remote_access.risk",
            f"The workload's stated purpose ({', '.join(named_uses)}) is one the text names as a serious risk; assuming the Secretary so determines",
            risk.citation,
        )
    elif trains_controlled:
        v.add(
            "remote_access.risk",
            f"Assumption: the Secretary determines that training AI models on controlled (3A090/4A090) accelerators meets the test ({risk.value})",
            risk.citation,
        )
    else:
        what = req.workload.type.replace("_", " ")
        v.add(
            "remote_access.risk",
            f"{what.capitalize()} on {cls.eccn_paragraph or cls.reading} items is outside the assumed determination (training on controlled accelerators): not covered",
            risk.citation,
        )
        return _drop(v)
    mental = _param(regime, p + "mental_state")
    if mental.value:
        v.add(
            "remote_access.mental_state",
            f"Covers access on a {mental.value} basis",
            mental.citation,
        )
    sunset = _param(regime, p + "sunset_years")
    if sunset.value:
        v.add(
            "remote_access.sunset_years",
            f"The authority would sunset after {sunset.value:.0f} years",
            sunset.citation,
        )

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


def _drop(v: Ruling) -> Ruling:
    v.missing.clear()
    return v


def _licence_text(d: Decision | None) -> str:
    if d is None:
        return "licence answer unknown"
    text = d.outcome.replace("_", " ")
    return text + (f" ({d.review_policy.replace('_', ' ')})" if d.review_policy else "")


def kyc_verdict(req: RemoteAccessRequest, regime: Regime) -> Ruling:
    v = Ruling()
    info = _param(regime, KYC + "cip_information")
    flop = _param(regime, KYC + "training_report_flop")
    v.findings.append(_status("iaas_kyc.status", info, regime))
    us_iaas = req.provider.is_us_person or req.datacenter_country == "US"
    if not us_iaas:
        v.add(
            "iaas_kyc.provider",
            "The provider is neither US-owned nor operating in the US: the proposal would reach it only as a foreign reseller of a US IaaS product (not modelled)",
            info.citation,
        )
        return v
    foreign, why = _foreign_person(req)
    v.add(
        "iaas_kyc.cip",
        f"A US IaaS provider would verify every customer's identity ({', '.join(info.value)}); {why}",
        info.citation,
    )
    v.conditions.append(
        Condition(
            id="iaas_cip",
            text=f"Run a Customer Identification Program: collect and verify {', '.join(info.value)}",
            citation=info.citation,
        )
    )
    if not foreign or req.workload.type != "ai_training":
        return v
    threshold = float(flop.value)
    compute = req.workload.training_compute_flop
    if compute is None:
        v.missing.append(
            MissingFact(
                fact="workload.training_compute_flop",
                question="How many operations will the training run use?",
                outcomes={
                    f">= {threshold:.0e}": "reportable large AI training run",
                    f"< {threshold:.0e}": "no training-run report",
                },
            )
        )
    elif compute >= threshold:
        v.add(
            "iaas_kyc.report",
            f"A foreign person's training run of {compute:.1e} operations reaches the {threshold:.0e} reporting threshold",
            flop.citation,
        )
        v.conditions.append(
            Condition(
                id="iaas_training_report",
                text="Report the foreign customer's large AI training run to Commerce",
                citation=flop.citation,
            )
        )
    else:
        v.add(
            "iaas_kyc.report",
            f"Training run of {compute:.1e} operations is below the {threshold:.0e} reporting threshold",
            flop.citation,
        )
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

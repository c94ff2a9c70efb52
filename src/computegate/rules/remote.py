"""Remote (cloud) access: what enacted law reaches today, and what each RASA version would.

Enacted law: renting compute is generally not an export; US-person support rules, end-use controls and
the Jan-2026 licence conditions still bite. Each bill is an overlay with its own definitions; a covered
access is licensed by analogy to an export of the item to the customer, since every bill leaves the
licence requirement to BIS regulations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import (
    Decision,
    ExportRequest,
    ItemSummary,
    RemoteAccessRequest,
)
from computegate.regime import Regime
from computegate.regime.schema import Step
from computegate.rules.evaluate import Facts, RemoteFacts, apply, in_force
from computegate.rules.parties import screening_findings
from computegate.rules.ruling import Ruling

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


# -- reforms (overlays) ------------------------------------------------------------------------

REFORMS: tuple[Step, ...] = ("remote.access_control", "remote.iaas_kyc")


def reforms(
    req: RemoteAccessRequest,
    regime: Regime,
    cls: Classification,
    as_export: Callable[[], Decision | None],
) -> list[Ruling]:
    """The reforms' steps in force on the date (an overlay sets what their provisions require: a
    bill's access control, the IaaS KYC proposal), a ruling each. A covered access is licensed like
    the export `as_export` decides, made only if a provision reads it."""
    facts = RemoteFacts(req, regime, cls, as_export)
    out = []
    for step in REFORMS:
        if in_force(step, regime):
            ruling = Ruling()
            apply(step, facts, ruling)
            out.append(ruling)
    return out


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

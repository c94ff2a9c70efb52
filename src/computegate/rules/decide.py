"""decide(request): the license determination for an export, reexport or in-country transfer.

Pure: (request, Regime, Catalog) -> Decision. Memoised on the facts a decision depends on
(quantity and the end user's name do not change the law's answer).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from computegate.catalog import Accelerator, Catalog
from computegate.model import Condition
from computegate.model.built import built
from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import (
    Alternative,
    AnyRequest,
    Decision,
    EndUser,
    ExportRequest,
    ItemSummary,
    Outcome,
    RemoteAccessRequest,
    ReviewPolicy,
    parse_request,
)
from computegate.regime import Regime
from computegate.rules.classify import INDETERMINATE, classify
from computegate.rules.exports import item_ruling
from computegate.rules.facts import (
    declared_readings,
    deemed_export,
    exporter_facts,
    jurisdiction,
    missing_for,
    ofac_findings,
    technology_eccn,
)
from computegate.rules.findings_roles import with_roles
from computegate.rules.memo import Memo
from computegate.rules.parties import (
    Hit,
    china_equivalent,
    is_informed,
    part744_hits,
    part746_hits,
    where,
)
from computegate.rules.remote import as_export_request, enacted, reforms
from computegate.rules.remote import summary as remote_summary
from computegate.rules.ruling import Ruling, combine

USER_FACTS = operator.attrgetter(*(f for f in EndUser.model_fields if f != "name"))

CANDIDATES = {
    "ic": ("3A090.a", "3A090.b", "not 3A090"),
    "computer": ("4A090.a", "4A090.b", "not 4A090"),
    "hbm_stack": ("3A090.c", "not 3A090"),
}


def _item_key(item: str | Mapping[str, Any]) -> str:
    return item if isinstance(item, str) else json.dumps(item, sort_keys=True, default=str)


def decide(
    request: AnyRequest | Mapping[str, Any],
    regime: Regime | None = None,
    catalog: Catalog | None = None,
    memo: Memo | None = None,
) -> Decision:
    """License required or not, review policy, exceptions, conditions and cited findings.

    Given a memo (an Engine's), repeated facts are answered from it; without one, from scratch.
    """
    req = parse_request(request)
    catalog = catalog or Catalog.bundled()
    regime = regime or Regime.at(req.date, req.overlays)
    if isinstance(req, RemoteAccessRequest):
        return _decide_remote_memo(req, regime, catalog, memo)
    if memo is None:
        return _decide(req, regime, catalog, None)
    u = req.end_user
    facts = (
        _item_key(req.item),
        req.kind,
        req.from_country,
        req.to_country,
        USER_FACTS(u),  # every end-user field but the name, new fields included
        req.end_use,
        req.exporter_informed,
        req.origin,
        req.exporter,
        tuple(sorted(req.certifications.items())),
        req.release,
        req.deemed_export,
        req.declared_eccn,
        u.name if u.exemption == "approved_entity" else None,  # named approved entities can lapse
    )
    return _memoised(
        memo,
        catalog.token,
        facts,
        regime,
        lambda: _decide(req, regime, catalog, memo),
        lambda item: _summary(req, item),
    )


def _memoised(
    memo: Memo | None,
    catalog_token: int,
    facts: tuple[Any, ...],
    regime: Regime,
    compute: Callable[[], Decision],
    summary: Callable[[ItemSummary], Finding],
) -> Decision:
    """Decisions depend only on the facts and the law in force, never on quantity or names.

    Same facts on the same date: the same (immutable) decision. Same facts on another date in the
    same rule period: the same answer, re-dated (the summary finding and `regime` carry the date).
    """
    if memo is None:
        return compute()
    dated = (catalog_token, regime.key, facts)
    decision = memo.dated.get(dated)
    if decision is None:
        period = (catalog_token, regime.period_key, facts)
        core = memo.decisions.get(period) or memo.decisions.put(period, compute())
        if core.regime == regime.as_dict():
            decision = core
        else:
            findings = [summary(core.item), *core.findings[1:]]
            decision = core.model_copy(update={"findings": findings, "regime": regime.as_dict()})
        memo.dated.put(dated, decision)
    return decision


def classify_memo(
    chip: Accelerator, item_key: str, regime: Regime, catalog: Catalog, memo: Memo | None
) -> Classification:
    if memo is None:
        return classify(chip, regime, catalog=catalog)
    key = (catalog.token, regime.period_key, item_key)
    return memo.classifications.get(key) or memo.classifications.put(
        key, classify(chip, regime, catalog=catalog)
    )


def _decide(req: ExportRequest, regime: Regime, catalog: Catalog, memo: Memo | None) -> Decision:
    chip = catalog.resolve(req.item, "item")
    cls = classify_memo(chip, _item_key(req.item), regime, catalog, memo)
    readings, declared = declared_readings(req, regime, cls.reading, chip.kind)
    item = _item_as_ruled(ItemSummary.of(cls), req, readings)
    findings: list[Finding] = [_summary(req, item)]
    findings += [f for f in cls.findings if _relevant(f, req, regime)]
    findings += declared
    candidates = readings or (
        [cls.reading] if cls.reading != INDETERMINATE else list(CANDIDATES[chip.kind])
    )
    scope = jurisdiction(req, regime, cls, candidates)
    if scope.subject is False:
        findings += scope.findings + ofac_findings(req, regime) + _regime_notes(regime, cls)
        return _decision(
            outcome="no_license_required",
            review_policy=None,
            license_exceptions=[],
            conditions=[],
            findings=with_roles(findings, regime),
            missing_facts=[],
            regime=regime.as_dict(),
            item=item,
        )
    missing: list[MissingFact] = []
    hits, notes, pending = part744_hits(req, regime, cls)
    hits += part746_hits(req, regime, cls)
    inner = chip.contains if isinstance(chip.contains, Accelerator) else None
    keys = {chip.key} | ({inner.key} if inner else set())
    informed_hits, informed_notes, informed_missing = is_informed(req, keys, regime)
    hits += informed_hits
    findings += [Finding(rule=h.rule, text=h.text, citation=h.citation) for h in hits]
    findings += notes + informed_notes

    ruling = _item_ruling(req, regime, chip, cls, readings)
    if req.release != "commodity":
        ruling, item = _release(req, regime, candidates, ruling, item)
        findings[0] = _summary(req, item)
    exporter_facts(req, regime, cls, ruling)
    findings += ruling.findings
    missing += [
        m for m in cls.missing_facts if ruling.required is None or m.kind == "legal_ambiguity"
    ]
    missing += ruling.missing
    pending += informed_missing
    if pending and not hits:
        _depends_on(ruling, pending, missing)

    outcome, policy, exceptions, conditions = _assemble(hits, ruling)
    if hits and ruling.exceptions:
        findings.append(
            Finding(
                rule="740.2",
                text="License exceptions are unavailable because a part 744 or part 746 license requirement applies (740.8(b) for NAC/ACA)",
                citation=hits[0].citation,
            )
        )
    findings += scope.findings
    if scope.subject is None and outcome != "no_license_required":
        under_ear = outcome.replace("_", " ") + (f" ({policy.replace('_', ' ')})" if policy else "")
        missing += missing_for(scope, under_ear)
        outcome, policy, exceptions, conditions = "insufficient_information", None, [], []
    findings += ofac_findings(req, regime) + _regime_notes(regime, cls)
    alternatives = (
        [alt] if (alt := _as_written(req, regime, cls, ruling, hits, outcome, policy)) else []
    )
    return _decision(
        outcome=outcome,
        review_policy=policy,
        license_exceptions=exceptions,
        conditions=conditions,
        findings=with_roles(findings, regime),
        missing_facts=_dedupe(missing),
        regime=regime.as_dict(),
        item=item,
        alternatives=alternatives,
    )


def _decision(
    outcome: Outcome,
    review_policy: ReviewPolicy | None,
    license_exceptions: list[str],
    conditions: list[Condition],
    findings: list[Finding],
    missing_facts: list[MissingFact],
    regime: dict[str, Any],
    item: ItemSummary,
    alternatives: list[Alternative] | None = None,
) -> Decision:
    """The decision from parts the rules typed and made fresh for it (no second validation)."""
    values = {
        "outcome": outcome,
        "review_policy": review_policy,
        "license_exceptions": license_exceptions,
        "conditions": conditions,
        "findings": findings,
        "missing_facts": missing_facts,
        "regime": regime,
        "item": item,
        "alternatives": alternatives or [],
    }
    return built(Decision, values)


def _release(
    req: ExportRequest, regime: Regime, candidates: list[str], ruling: Ruling, item: ItemSummary
) -> tuple[Ruling, ItemSummary]:
    """Technology or software for the item: its ECCN follows the item's (asked with it when the item's
    ECCN is open); a deemed export is excluded from the advanced-computing requirement."""
    if len(candidates) == 1:
        tech_eccn, tech = technology_eccn(req, regime, candidates[0])
        ruling.findings[:0] = tech.findings
        if tech_eccn:
            item = item.model_copy(update={"eccn": tech_eccn, "eccn_paragraph": tech_eccn})
        return deemed_export(req, regime, tech_eccn, ruling), item
    label = f"{req.release} for a {' / '.join(candidates)} item"
    return deemed_export(req, regime, label, ruling), item


def _item_as_ruled(
    item: ItemSummary, req: ExportRequest, readings: list[str] | None
) -> ItemSummary:
    """A declared ECCN replaces the computed one in the answer (the finding names both)."""
    if readings is None or req.declared_eccn is None:
        return item
    eccn = req.declared_eccn.eccn
    return item.model_copy(
        update={"eccn": eccn, "eccn_paragraph": eccn, "eccn_status": "classified"}
    )


def _depends_on(ruling: Ruling, pending: list[MissingFact], missing: list[MissingFact]) -> None:
    """Part-744 requirements that may apply (an unknown letter or law): the answer turns on them
    unless the item ruling already gives denial with no exceptions, which they could not change."""
    if ruling.required and ruling.policy == "presumption_of_denial" and not ruling.exceptions:
        return
    if ruling.required:
        ruling.policy, ruling.exceptions, ruling.conditions = None, [], []
    else:
        ruling.required = None
    missing += pending


def _relevant(finding: Finding, req: ExportRequest, regime: Regime) -> bool:
    """Classification findings worth repeating: the ECCN steps, and the Jan-2026 window where it can apply."""
    if finding.rule.startswith(("sec232", "regime.")):
        return False
    if finding.rule.startswith("jan2026."):
        dests = regime.get("jan2026.destinations")
        return dests is not None and china_equivalent(req.to_country, regime) in dests.value
    return True


def _summary(req: ExportRequest, item: ItemSummary) -> Finding:
    """The facts the answer rests on (quantity and names never change it; they stay with the request)."""
    route = (
        f"from {req.from_country} to {req.to_country}"
        if req.kind != "transfer"
        else f"within {req.to_country}"
    )
    what = f"{item.name} ({item.eccn_paragraph or item.reading})"
    if req.release != "commodity":
        what = f"{req.release} for {what}"
    kind = (
        "deemed export (release in the US to a foreign national)" if req.deemed_export else req.kind
    )
    text = f"{kind[0].upper()}{kind[1:]} of {what} {route} on {req.date}"
    if req.origin is not None and req.origin.made_in:
        text += f"; made in {req.origin.made_in}" + (
            f" by {req.origin.producer}" if req.origin.producer else ""
        )
    if req.end_use:
        text += f"; end use: {', '.join(req.end_use)}"
    foreign = req.origin is not None and req.origin.made_in not in (None, "US")
    scope = "see the part 734 findings" if foreign else "items subject to the EAR assumed"
    return Finding(rule="request", text=text, citation=f"15 CFR 734.3 ({scope})")


def _item_ruling(
    req: ExportRequest,
    regime: Regime,
    chip: Accelerator,
    cls: Classification,
    readings: list[str] | None = None,
) -> Ruling:
    """The item-based requirement; with an indeterminate (or two-way declared) ECCN, every candidate is tried."""
    if readings is not None and len(readings) == 1:
        return item_ruling(req, regime, readings[0], cls)
    if readings is None and cls.reading != INDETERMINATE:
        return item_ruling(req, regime, cls.reading, cls)
    tried = readings or CANDIDATES[chip.kind]
    rulings = {eccn: item_ruling(req, regime, eccn, cls) for eccn in tried}
    first = next(iter(rulings.values()))
    if (
        all(r.signature() == first.signature() for r in rulings.values())
        and first.required is not None
    ):
        first.add(
            "eccn.irrelevant",
            "The ECCN is undetermined, but every possible classification gives the same answer here",
            "15 CFR 774 Supp. 1",
        )
        return first
    out = Ruling(required=None)
    out.missing.append(
        MissingFact(
            fact="eccn",
            question="The ECCN depends on facts not given (see the other missing facts); the answer depends on it",
            outcomes={eccn: r.describe() for eccn, r in rulings.items()},
        )
    )
    return out


def _assemble(
    hits: list[Hit], ruling: Ruling
) -> tuple[Outcome, ReviewPolicy | None, list[str], list[Condition]]:
    """Each part 744/746 requirement and the item-based one are separate requirements: strictest wins."""
    joined = combine([*(Ruling(required=True, policy=h.policy) for h in hits), ruling])
    return joined.outcome, joined.policy, joined.exceptions, joined.conditions


def _regime_notes(regime: Regime, cls: Classification) -> list[Finding]:
    notes = [f for f in cls.findings if f.rule.startswith("regime.")]
    key = ("decide", "ai-diffusion")
    if (
        key not in regime.answers
    ):  # the same for every date of the period (its dates are breakpoints)
        regime.answers[key] = _diffusion_note(regime)
    note: Finding | None = regime.answers[key]
    return [*notes, note] if note is not None else notes


def _diffusion_note(regime: Regime) -> Finding | None:
    in_cfr = regime.get("ai_diffusion.in_cfr")
    enforced = regime.get("ai_diffusion.enforced")
    compliance = regime.get("ai_diffusion.compliance_date")
    if in_cfr is None or enforced is None or compliance is None:
        return None
    if enforced.value and regime.date < compliance.value:
        text = f"The AI Diffusion rule is in effect but compliance is required only from {compliance.value}; the earlier requirements apply"
        return Finding(rule="ai-diffusion", text=text, citation=compliance.citation)
    if not enforced.value:
        text = "The AI Diffusion rule's text remains in the CFR but BIS does not enforce it; decided on the enforced (pre-Diffusion) reading, with the as-written result under alternatives where it differs"
        return Finding(rule="ai-diffusion", text=text, citation=enforced.citation)
    return None


def _as_written(
    req: ExportRequest,
    regime: Regime,
    cls: Classification,
    ruling: Ruling,
    hits: list[Hit],
    outcome: str,
    policy: ReviewPolicy | None,
) -> Alternative | None:
    """The AI Diffusion rule as written (worldwide license for .a items with country tiers)."""
    enforced = regime.get("ai_diffusion.enforced")
    compliance = regime.get("ai_diffusion.compliance_date")
    if enforced is None or compliance is None or enforced.value or regime.date < compliance.value:
        return None
    if cls.eccn not in ("3A090.a", "4A090.a") or hits or ruling.required is None:
        return None
    in_cfr = regime.get("ai_diffusion.in_cfr")
    tier1 = regime.get("ai_diffusion.tier1")
    cap = regime.get("ai_diffusion.tier2_country_cap_tpp")
    lpp = regime.get("ai_diffusion.lpp_tpp_per_consignee_year")
    assert in_cfr is not None and tier1 is not None and cap is not None and lpp is not None
    dest = china_equivalent(req.to_country, regime) or req.to_country
    hq = [c for c in (req.end_user.headquarters, req.end_user.ultimate_parent_headquarters) if c]
    tier3 = any(
        where(c, regime, "ac.denial_groups", "ac.denial_named") == "yes" for c in (dest, *hq)
    )
    units = int(float(lpp.value) // cls.tpp) if cls.tpp else 0
    alt_policy: ReviewPolicy | None = "presumption_of_approval"
    if tier3:
        alt_policy, exceptions = (policy if ruling.required else "presumption_of_denial"), []
    else:
        exceptions = ["AIA"] if dest in tier1.value else ["LPP"] if units else []
    if ("license_required", alt_policy, exceptions) == (outcome, policy, list(ruling.exceptions)):
        return None  # as written, the same answer
    scope = f"As written, {cls.reading} needs a license to every destination"
    steps = [("ai-diffusion.scope", scope, in_cfr.citation)]
    if tier3:
        text = f"{dest} or the party's headquarters is Tier 3 (D:5/Macau): {alt_policy}"
        steps.append(("ai-diffusion.tier3", text, in_cfr.citation))
    elif dest in tier1.value:
        text = f"{dest} is Tier 1: presumption of approval; License Exception AIA available"
        steps.append(("ai-diffusion.tier1", text, tier1.citation))
    else:
        text = f"{dest} is Tier 2: approval within the country cap of {float(cap.value):,.0f} TPP (2025-2027), then denial"
        steps.append(("ai-diffusion.tier2", text, cap.citation))
        if units:
            text = f"License Exception LPP covers up to {float(lpp.value):,.0f} TPP per consignee per year ({units:,} units of this item)"
            steps.append(("ai-diffusion.lpp", text, lpp.citation))
    return Alternative(
        reading="ai-diffusion-as-written",
        outcome="license_required",
        review_policy=alt_policy,
        license_exceptions=exceptions,
        findings=with_roles([Finding(rule=r, text=t, citation=c) for r, t, c in steps], regime),
    )


def _dedupe(missing: list[MissingFact]) -> list[MissingFact]:
    seen: set[tuple[str, str]] = set()
    out = []
    for m in missing:
        if (m.fact, m.question) not in seen:
            seen.add((m.fact, m.question))
            out.append(m)
    return out


def _decide_remote_memo(
    req: RemoteAccessRequest, regime: Regime, catalog: Catalog, memo: Memo | None
) -> Decision:
    facts = (
        req.model_dump_json(exclude={"date": True, "customer": {"name"}, "provider": {"name"}}),
    )
    return _memoised(
        memo,
        catalog.token,
        facts,
        regime,
        lambda: _decide_remote(req, regime, catalog, memo),
        lambda item: remote_summary(req, item),
    )


def _decide_remote(
    req: RemoteAccessRequest, regime: Regime, catalog: Catalog, memo: Memo | None
) -> Decision:
    """Enacted law for the access, then the remote-access control and IaaS KYC rules in force (set by
    overlays); each is a separate requirement, so the strictest answer stands."""
    lines = [
        (line, catalog.resolve(line.item, f"accelerators.{i}.item"))
        for i, line in enumerate(req.accelerators)
    ]
    classes = [
        (line, classify_memo(chip, _item_key(line.item), regime, catalog, memo))
        for line, chip in lines
    ]
    line, cls = max(classes, key=lambda lc: lc[1].tpp or -1.0)
    item = ItemSummary.of(cls)
    law_only = Regime.at(
        req.date,
        [o for o in req.overlays if regime.data.overlays[o].topic != "remote_access"],
        data=regime.data,
    )
    chips_in = None
    if req.datacenter_country != "US":
        chips_in = decide(
            {
                "kind": "export",
                "date": req.date,
                "item": line.item,
                "to_country": req.datacenter_country,
                "end_user": {"headquarters": req.provider.country},
            },
            law_only,
            catalog,
            memo,
        )

    def as_export() -> Decision | None:  # the export a covered access is licensed like
        export_like = as_export_request(req, line.item)
        return decide(export_like, law_only, catalog, memo) if export_like else None

    layers = [enacted(req, regime, cls, chips_in), *reforms(req, regime, cls, as_export)]
    joined = combine(layers)
    outcome, policy = joined.outcome, joined.policy
    findings = [remote_summary(req, item)] + [
        f for f in cls.findings if f.rule.startswith(("3A090", "4A090", "tpp."))
    ]
    for layer in layers:
        findings += layer.findings
    return Decision(
        outcome=outcome,
        review_policy=policy,
        license_exceptions=[],
        conditions=[c for layer in layers for c in layer.conditions],
        findings=with_roles(
            findings + [f for f in cls.findings if f.rule == "regime.horizon"], regime
        ),
        missing_facts=_dedupe([m for layer in layers for m in layer.missing]),
        regime=regime.as_dict(),
        item=item,
    )

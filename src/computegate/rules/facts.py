"""The facts a request may state beyond item and route, and the provisions they feed.

Whether a foreign-made item is subject to the EAR at all (734.9(h) and Entity List footnote foreign
direct product rules, 734.4 de minimis); a declared ECCN overriding the computed one; technology and
software for advanced-computing items and deemed exports (734.13(b), 742.6(a)(6)); the state of a NAC
notification; and the OFAC programs this engine does not evaluate. Each fact the law needs and the
request lacks becomes a missing fact with the outcome under each answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import ExportRequest
from computegate.regime import ParamValue, Regime
from computegate.rules.evaluate import Facts, apply
from computegate.rules.exports import CONTROLLED
from computegate.rules.parties import Where, china_equivalent, entry_details, listed_as, where
from computegate.rules.ruling import Ruling

FAMILY_OF_KIND = {"ic": "3A090", "computer": "4A090", "hbm_stack": "3A090"}


def _f(rule: str, text: str, pv: ParamValue) -> Finding:
    return Finding(rule=rule, text=text, citation=pv.citation)


# -- classification stated by the request ---------------------------------------------------------


def declared_readings(
    req: ExportRequest, regime: Regime, computed: str, kind: str
) -> tuple[list[str] | None, list[Finding]]:
    """The ECCN readings to rule under when the request declares an ECCN (None: keep the computed one).

    A .z ECCN is licensed as the 3A090/4A090 paragraph its parameters meet: the computed paragraph if
    it is one, otherwise both .a and .b are tried."""
    declared = req.declared_eccn
    if declared is None or declared.eccn == computed:
        return None, []
    zpv = regime.get("eccn.z_paragraphs")
    zmap = dict(e.split(":") for e in zpv.value) if zpv is not None else {}
    who = f"{declared.eccn} (declared by {declared.source})"
    if declared.eccn in CONTROLLED:
        return [declared.eccn], [
            Finding(
                rule="eccn.declared",
                text=f"The request declares {who}; it overrides the computed {computed}",
                citation="15 CFR 774 Supp. 1",
            )
        ]
    if declared.eccn.endswith(".z"):
        if zpv is None or declared.eccn not in zmap:
            return None, [
                Finding(
                    rule="eccn.declared",
                    text=f"The request declares {who}, a .z paragraph that does not exist on {regime.date}; the computed {computed} is used",
                    citation="15 CFR 774 Supp. 1",
                )
            ]
        family = "4A090" if kind == "computer" else zmap[declared.eccn]
        readings = [computed] if computed.startswith(family) else [f"{family}.a", f"{family}.b"]
        text = (
            f"The request declares {who}; it overrides the computed {computed}. A .z item meets the "
            f"{family} parameters and is licensed as {' or '.join(readings)}"
        )
        return readings, [_f("eccn.declared", text, zpv)]
    return [declared.eccn], [
        Finding(
            rule="eccn.declared",
            text=f"The request declares {who}; it overrides the computed {computed} (no advanced-computing paragraph)",
            citation="15 CFR 774 Supp. 1",
        )
    ]


def technology_eccn(req: ExportRequest, regime: Regime, reading: str) -> tuple[str | None, Ruling]:
    """Technology or software for a 3A090/4A090 item carries the hardware's destination scope (742.6(a)(6)).

    Returns the technology/software ECCN (None if the hardware is not an advanced-computing item) and a
    ruling holding the findings to add."""
    out = Ruling()
    pv = regime.get("tech.eccns")
    family = reading.split(".")[0]
    if req.release == "commodity":
        return None, out
    table = {tuple(e.split(":")[:2]): e.split(":")[2] for e in pv.value} if pv else {}
    if pv is None or (family, req.release) not in table or reading not in CONTROLLED:
        out.add(
            "tech.eccn",
            f"{req.release.capitalize()} for a {reading} item: no advanced-computing (742.6(a)(6)) control on {regime.date}",
            "15 CFR 742.6(a)(6)",
        )
        return None, out
    eccn = table[(family, req.release)]
    out.findings.append(
        _f(
            "tech.eccn",
            f"{req.release.capitalize()} for {reading} items is {eccn}: licensed to the same destinations and headquarters as the items",
            pv,
        )
    )
    return eccn, out


def deemed_export(req: ExportRequest, regime: Regime, eccn: str | None, ruling: Ruling) -> Ruling:
    """734.13(b): a release in the US to a foreign national is an export to their country; the
    advanced-computing requirement of 742.6(a)(6)(iii) excludes deemed exports."""
    if not req.deemed_export:
        return ruling
    pv = regime.get("deemed.ac_excluded")
    release = f"Release of {eccn or req.release} in the US to a national of {req.to_country}"
    if eccn is None or pv is None or not pv.value:
        ruling.add(
            "734.13(b)", f"{release}: a deemed export to {req.to_country}", "15 CFR 734.13(b)"
        )
        return ruling
    out = Ruling(required=False)
    out.findings = [f for f in ruling.findings if f.rule == "tech.eccn"]
    out.findings.append(
        _f(
            "734.13(b)",
            f"{release} is a deemed export, which the advanced-computing license requirement excludes: no 742.6(a)(6) license (Entity List and other part 744 requirements still apply)",
            pv,
        )
    )
    return out


# -- is a foreign-made item subject to the EAR? -----------------------------------------------------


@dataclass
class Jurisdiction:
    """Whether the item is subject to the EAR (None: depends on missing facts) and why."""

    subject: bool | None = True
    findings: list[Finding] = field(default_factory=list)
    unknown: list[tuple[str, str, str]] = field(default_factory=list)  # fact, question, "yes" text


def _either(a: bool | None, b: bool | None) -> bool | None:
    return True if True in (a, b) else None if None in (a, b) else False


def _both(a: bool | None, b: bool | None) -> bool | None:
    return False if False in (a, b) else None if None in (a, b) else True


def jurisdiction(req: ExportRequest, regime: Regime, readings: list[str]) -> Jurisdiction:
    """Foreign-made items shipped from abroad are subject to the EAR only through a foreign direct
    product rule or above the de minimis level; US-made items (or items in the US) always are."""
    origin = req.origin
    if origin is None or origin.made_in in (None, "US"):
        return Jurisdiction()
    if req.kind == "export":
        text = f"A foreign-made item (made in {origin.made_in}) exported from the US is subject to the EAR as an item in the US"
        return Jurisdiction(
            findings=[Finding(rule="734.3", text=text, citation="15 CFR 734.3(a)(1)")]
        )
    out = Jurisdiction(subject=None)
    dest = china_equivalent(req.to_country, regime) or req.to_country
    fdp = _either(_fdp_ac(req, regime, readings, dest, out), _fdp_country(req, regime, dest, out))
    footnote = _fdp_footnote(req, regime, out)
    minimis = _de_minimis(req, regime, readings, dest, out)
    out.subject = _either(_either(fdp, footnote), minimis)
    made = f"{origin.producer + ', ' if origin.producer else ''}made in {origin.made_in}"
    if out.subject is False:
        out.findings.append(
            Finding(
                rule="734.3",
                text=f"The item ({made}) is foreign-made, outside every foreign direct product rule and at or below the de minimis level: not subject to the EAR, so no EAR license",
                citation="15 CFR 734.3(a)",
            )
        )
    elif out.subject:
        out.findings.append(
            Finding(
                rule="734.3",
                text=f"The item ({made}) is foreign-made but subject to the EAR (see the 734 findings)",
                citation="15 CFR 734.3(a)",
            )
        )
    return out


def _fdp_ac(
    req: ExportRequest, regime: Regime, readings: list[str], dest: str, out: Jurisdiction
) -> bool | None:
    pv = regime.get("fdp.ac.in_force")
    if pv is None or not pv.value:
        if pv is not None:
            out.findings.append(
                _f("734.9(h)", f"No advanced-computing FDP rule on {regime.date}", pv)
            )
        return False
    items = [r for r in readings if r in CONTROLLED and r != "3A090.c"]
    if not items:
        out.findings.append(
            _f("734.9(h)", "The advanced-computing FDP rule reaches 3A090/4A090 items only", pv)
        )
        return False
    by_dest = _fdp_destination(req, regime, dest)
    tech = req.origin.us_technology if req.origin else None
    scope = regime.get("fdp.ac.product_scope")
    listed = ", ".join(scope.value) if scope else "the listed Category 3/4/5 technology or software"
    if by_dest is False:
        text = f"The advanced-computing FDP rule does not reach {dest} or this party's headquarters"
        written = regime.get("ai_diffusion.in_cfr")
        if written is not None and written.value:
            text += "; as written since the AI Diffusion rule (90 FR 4544) it reaches every destination, but that rule is not enforced (see the ai-diffusion finding)"
    elif tech is False:
        text = f"Not a direct product of US technology or software ({listed}): outside the advanced-computing FDP rule"
    elif tech and by_dest:
        text = f"A direct product of US technology or software, meeting {'/'.join(items)} and destined to {dest} (or a party headquartered in Macau/D:5): subject to the EAR under the advanced-computing FDP rule"
    else:
        text = "The advanced-computing FDP rule may apply (see missing facts)"
        if tech is None:
            out.unknown.append(
                (
                    "origin.us_technology",
                    f"Is the item a direct product of US technology or software ({listed}), or made by a plant (or major component) that is?",
                    "subject to the EAR (advanced-computing FDP rule)",
                )
            )
    out.findings.append(_f("734.9(h)", text, pv))
    return _both(by_dest, tech)


def _fdp_country(req: ExportRequest, regime: Regime, dest: str, out: Jurisdiction) -> bool | None:
    """734.9(f), (j): the Russia/Belarus and Iran FDP rules reach any CCL item made with US technology."""
    pv = regime.get("fdp.country_destinations")
    if pv is None or dest not in pv.value:
        return False
    tech = req.origin.us_technology if req.origin else None
    if tech:
        text = f"A direct product of US technology or software destined to {dest}: subject to the EAR under the {dest} FDP rule"
        out.findings.append(_f("734.9(f)", text, pv))
        return True
    if tech is None and not any(u[0] == "origin.us_technology" for u in out.unknown):
        out.unknown.append(
            (
                "origin.us_technology",
                f"Is the item a direct product of US technology or software (any ECCN in product group D or E), or made by a plant that is? ({dest} FDP rule)",
                f"subject to the EAR ({dest} FDP rule)",
            )
        )
    return None if tech is None else False


def _destination_licensed(dest: str, regime: Regime) -> Where:
    """The 742.6(a)(6)(iii) destination scope as the FDP rule reads it (the licensing itself is the
    provision 742.6(a)(6)(iii); a disputed membership is not in scope here)."""
    listed = where(dest, regime, "ac.license_groups", "ac.license_named_destinations")
    if listed == "no":
        return "no"
    named = regime.get("ac.license_named_destinations")
    if named is not None and dest in named.value:
        return "yes"
    exempt = where(dest, regime, "ac.license_exempt_groups")
    if exempt == "yes":
        return "no"
    return "ambiguous" if "ambiguous" in (listed, exempt) else "yes"


def _fdp_destination(req: ExportRequest, regime: Regime, dest: str) -> bool | None:
    """The FDP rule's destination scope follows the 742.6(a)(6) scope of the date (and headquarters)."""
    old = regime.get("ac.destinations_2022")
    if old is not None:
        return dest in old.value
    if _destination_licensed(dest, regime) == "yes":
        return True
    user = req.end_user
    hq = [c for c in (user.headquarters, user.ultimate_parent_headquarters) if c]
    if any(
        where(china_equivalent(c, regime), regime, "ac.hq_groups", "ac.hq_named") == "yes"
        for c in hq
    ):
        return True
    return False if hq else None


def _fdp_footnote(req: ExportRequest, regime: Regime, out: Jurisdiction) -> bool:
    """734.9(e): a listed party whose entry carries an FDP footnote pulls in direct products of US
    technology or software (an unknown product test is asked by the 734.9(h) question)."""
    pv = regime.get("fdp.entity_list_footnotes")
    entry = entry_details(req.end_user)
    listed = req.end_user.entity_list or listed_as(req.end_user.screening) == "entity_list"
    if pv is None or entry is None or entry.footnote not in pv.value or not listed:
        return False
    tech = req.origin.us_technology if req.origin else None
    if tech:
        out.findings.append(
            _f(
                "734.9(e)",
                f"The end user's Entity List entry carries footnote {entry.footnote}: a direct product of US technology or software is subject to the EAR",
                pv,
            )
        )
        return True
    if tech is None and not any(u[0] == "origin.us_technology" for u in out.unknown):
        out.unknown.append(
            (
                "origin.us_technology",
                "Is the item a direct product of US technology or software (Entity List footnote FDP rule)?",
                f"subject to the EAR (Entity List footnote {entry.footnote} FDP rule)",
            )
        )
    return False


def _de_minimis(
    req: ExportRequest, regime: Regime, readings: list[str], dest: str, out: Jurisdiction
) -> bool | None:
    level = regime.get("de_minimis.level_pct")
    if level is None:
        return False
    e1 = regime.get("de_minimis.e1_level_pct")
    groups = regime.get("de_minimis.e1_groups")
    limit = float(level.value)
    cite = level
    if (
        e1 is not None
        and groups is not None
        and any(regime.membership(dest, g).status == "member" for g in groups.value)
    ):
        limit, cite = float(e1.value), e1
    share = req.origin.us_content_pct if req.origin else None
    if share is None:
        out.unknown.append(
            (
                "origin.us_content_pct",
                f"What share of the item's value is US-origin controlled content? Above {limit:g}% it is subject to the EAR (de minimis)",
                f"above {limit:g}%: subject to the EAR (de minimis)",
            )
        )
        return None
    if share > limit:
        text = f"US-origin controlled content {share:g}% exceeds the de minimis level of {limit:g}% for {dest}: subject to the EAR"
        out.findings.append(_f("734.4", text, cite))
        return True
    computers = [r for r in readings if r.startswith("4A090")]
    if share > 0 and computers:
        return _computer_no_level(regime, dest, share, out)
    text = f"US-origin controlled content {share:g}% is at or below the de minimis level of {limit:g}% for {dest}"
    out.findings.append(_f("734.4", text, cite))
    return False


def _computer_no_level(regime: Regime, dest: str, share: float, out: Jurisdiction) -> bool | None:
    """734.4(a)(1): a high-performance foreign-made computer with US-origin semiconductors has no de
    minimis level — certainly to E:1/E:2, elsewhere as one reading of its scope has it."""
    pv = regime.get("de_minimis.computer_no_level")
    groups = regime.get("de_minimis.computer_no_level_groups")
    if pv is None or groups is None:
        return False
    if any(regime.membership(dest, g).status == "member" for g in groups.value):
        text = f"A foreign-made computer with US-origin content ({share:g}%) destined to {dest} (E:1/E:2) has no de minimis level: subject to the EAR"
        out.findings.append(_f("734.4", text, groups))
        return True
    text = f"US-origin content {share:g}% in a foreign-made 4A090 computer: whether 734.4(a)(1) removes the de minimis level for {dest} is unsettled"
    out.findings.append(_f("734.4", text, pv))
    out.unknown.append(
        (
            "de_minimis.computer_no_level",
            f"Does 734.4(a)(1) (no de minimis level for high-performance computers with US-origin controlled semiconductors) reach {dest}? ({pv.period.note or pv.citation})",
            "subject to the EAR (no de minimis level)",
        )
    )
    return None


def missing_for(j: Jurisdiction, if_subject: str) -> list[MissingFact]:
    """The facts that decide whether the EAR applies, with the outcome under each answer."""
    facts = []
    for fact, question, yes in j.unknown:
        kind = "legal_ambiguity" if fact.startswith("de_minimis.") else "fact"
        facts.append(
            MissingFact(
                fact=fact,
                kind=kind,
                question=question,
                outcomes={
                    yes: if_subject,
                    "otherwise": "not subject to the EAR unless another 734 test applies: no EAR license",
                },
            )
        )
    return facts


# -- the exporter's notification, and sanctions outside the EAR --------------------------------------


def exporter_facts(req: ExportRequest, regime: Regime, cls: Classification, ruling: Ruling) -> None:
    """What the exporter says about itself (its headquarters for 740.25 HBM, its NAC notification):
    the `exporter` provisions, applied to the item ruling last (an exporter that states nothing
    gives them nothing to read)."""
    if req.exporter is not None:
        apply("exporter", Facts(req, regime, cls.reading, cls), ruling)


def ofac_findings(req: ExportRequest, regime: Regime) -> list[Finding]:
    """Never silence: a party tied to an OFAC program country gets a finding that this is not evaluated."""
    pv = regime.get("ofac.program_countries")
    if pv is None:
        return []
    user = req.end_user
    codes = {
        req.to_country,
        user.country,
        user.headquarters,
        user.ultimate_parent_headquarters,
        *(o.country for o in user.owners),
        req.exporter.headquarters if req.exporter else None,
    }
    tied = sorted({china_equivalent(c, regime) or c for c in codes if c}.intersection(pv.value))
    if not tied:
        return []
    return [
        _f(
            "ofac.out_of_scope",
            f"A party is tied to {', '.join(tied)}: OFAC sanctions programs (Treasury, 31 CFR chapter V) may prohibit this transaction whatever the EAR answer; this engine does not evaluate them",
            pv,
        )
    ]

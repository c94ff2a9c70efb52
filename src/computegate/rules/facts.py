"""The facts a request may state beyond item and route, and the provisions they feed.

Whether a foreign-made item is subject to the EAR at all (the `jurisdiction` provisions: 734.9
foreign direct product rules, 734.4 de minimis); a declared ECCN overriding the computed one;
technology and software for advanced-computing items and deemed exports (734.13(b), 742.6(a)(6));
the state of a NAC notification; and the OFAC programs this engine does not evaluate. Each fact
the law needs and the request lacks becomes a missing fact with the outcome under each answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import ExportRequest, ItemOrigin
from computegate.regime import ParamValue, Regime
from computegate.rules.evaluate import READERS, Facts, apply
from computegate.rules.exports import CONTROLLED
from computegate.rules.parties import china_equivalent, entry_details, listed_as
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


class OriginFacts(Facts):
    """A foreign-made item's facts as the `jurisdiction` provisions read them, with the ECCN
    readings it is ruled under."""

    __slots__ = ("readings",)

    def __init__(
        self, req: ExportRequest, regime: Regime, cls: Classification, readings: list[str]
    ) -> None:
        super().__init__(req, regime, cls.reading, cls)
        self.readings = readings


# the questions' outcome under the EAR, decided after them: a placeholder until then (missing_for)
_IF_SUBJECT = "\x00if subject\x00"


def _origin(f: Facts) -> ItemOrigin | None:
    return f.req.origin


def _fdp_footnotes(f: Facts) -> list[int]:
    """The FDP footnote of the end user's Entity List entry, if the end user is listed (734.9(e))."""
    user = f.req.end_user
    entry = entry_details(user)
    listed = user.entity_list or listed_as(user.screening) == "entity_list"
    return [entry.footnote] if listed and entry and entry.footnote is not None else []


READERS.update(
    {
        "date": lambda f: f.regime.date,
        "item.readings": lambda f: cast(OriginFacts, f).readings,
        "origin.made_in": lambda f: o.made_in if (o := _origin(f)) else None,
        "origin.made": lambda f: (
            f"{o.producer + ', ' if o.producer else ''}made in {o.made_in}"
            if (o := _origin(f))
            else None
        ),
        "origin.us_technology": lambda f: o.us_technology if (o := _origin(f)) else None,
        "origin.us_content_pct": lambda f: o.us_content_pct if (o := _origin(f)) else None,
        "end_user.fdp_footnotes": _fdp_footnotes,
        "jurisdiction.subject": lambda f: f.ruling.subject if f.ruling else None,
        "jurisdiction.if_subject": lambda f: _IF_SUBJECT,
    }
)


@dataclass
class Jurisdiction:
    """Whether the item is subject to the EAR (None: depends on missing facts), why, and the
    questions whose answers decide it."""

    subject: bool | None = True
    findings: list[Finding] = field(default_factory=list)
    missing: list[MissingFact] = field(default_factory=list)


def jurisdiction(
    req: ExportRequest, regime: Regime, cls: Classification, readings: list[str]
) -> Jurisdiction:
    """A request that states no foreign origin is about a US-origin item, which is subject to the
    EAR; a foreign-made item's answer is the `jurisdiction` provisions'."""
    origin = req.origin
    if origin is None or origin.made_in in (None, "US"):
        return Jurisdiction()
    facts, ruling = OriginFacts(req, regime, cls, readings), Ruling()
    # an item in the US is subject whatever its origin (734.3(a)(1), step `jurisdiction.in_us`);
    # one abroad if any basis holds (734.4, 734.9: `jurisdiction`), then answered (734.3)
    apply("jurisdiction.in_us", facts, ruling)
    if ruling.subject is not True:
        apply("jurisdiction", facts, ruling)
        apply("jurisdiction.answer", facts, ruling)
    return Jurisdiction(ruling.subject, ruling.findings, ruling.missing)


def missing_for(j: Jurisdiction, if_subject: str) -> list[MissingFact]:
    """The facts that decide whether the EAR applies, one question a fact, each answer naming the
    outcome under the EAR (decided after the jurisdiction: it replaces the placeholder the
    questions were written with)."""
    asked: dict[str, MissingFact] = {}
    for m in j.missing:
        outcomes = {k: v.replace(_IF_SUBJECT, if_subject) for k, v in m.outcomes.items()}
        asked.setdefault(m.fact, m.model_copy(update={"outcomes": outcomes}))
    return list(asked.values())


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

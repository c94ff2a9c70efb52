"""One evaluator for the provisions (regime/data/provisions/*.yaml), in three-valued logic.

A provision's `when` is compiled once per regime data into a closure over the request's facts that
answers true, false or unknown (Kleene: `all` is false if any part is false, unknown if none is
false and some is unknown; `any` dually; `not` keeps unknown). An unknown carries the gaps behind
it — a fact the request lacks, or a disputed country-group membership — and each gap becomes the
provision's question (`ask`) with what each answer leads to. True applies `then`, false `else`;
unknown applies only what `then` and `else` agree on. Findings carry the provision's id (its rule
id) and the citation of the parameter they rest on. Python keeps only the fact readers and the
named interpretive readings below, each with its citation.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from computegate.io.errors import InputError
from computegate.model.classification import Classification
from computegate.model.findings import Citation, Finding, MissingFact
from computegate.model.requests import Condition, Decision, ExportRequest, RemoteAccessRequest
from computegate.regime import Regime, RegimeData
from computegate.regime.schema import (
    Ask,
    ConditionsFrom,
    Effect,
    FindingSpec,
    OutcomeFrom,
    ProvisionFile,
    Step,
    Version,
    When,
)
from computegate.rules.persons import foreign_person, person_of_concern
from computegate.rules.readings import china_equivalent, listed_as, where
from computegate.rules.ruling import Ruling

Tri = bool | None
MEMBERSHIP = "country_group_membership"


@dataclass(frozen=True)
class Gap:
    """Why a condition is unknown: a fact not given, or a disputed group membership of `detail`."""

    fact: str
    kind: Literal["fact", "legal_ambiguity"] = "fact"
    detail: str = ""


Answer = tuple[Tri, tuple[Gap, ...]]


_UNREAD = object()  # a fact not read yet (None is a read fact: not given)


class Facts:
    """The request's facts as provisions read them (each read at most once per evaluation)."""

    __slots__ = ("_seen", "cls", "eccn", "gap", "memo", "regime", "req", "ruling")

    def __init__(self, req: ExportRequest, regime: Regime, eccn: str, cls: Classification) -> None:
        self.req, self.regime, self.eccn, self.cls = req, regime, eccn, cls
        self.ruling: Ruling | None = None
        self.gap: Gap | None = None  # the gap a question is being asked about
        self._seen: dict[str, Any] = {}
        self.memo: dict[str, Answer] = {}  # condition answers that depend on facts only

    def get(self, name: str) -> Any:
        value = self._seen.get(name, _UNREAD)
        if value is _UNREAD:
            value = READERS[name](self)
            if name not in _UNCACHED:
                self._seen[name] = value
        return value


def _headquarters(f: Facts) -> list[str] | None:
    """The end user's and its ultimate parent's headquarters (Hong Kong as China); none given = unknown."""
    user = f.req.end_user
    codes = [
        china_equivalent(c, f.regime) or c
        for c in (user.headquarters, user.ultimate_parent_headquarters)
        if c
    ]
    return codes or None


READERS: dict[str, Callable[[Facts], Any]] = {
    "item.eccn": lambda f: f.eccn,
    "item.datacenter": lambda f: f.cls.datacenter,
    "item.hbm_bandwidth_density_gbs_per_mm2": lambda f: f.cls.hbm_bandwidth_density_gbs_per_mm2,
    "request.kind": lambda f: f.req.kind,
    "destination": lambda f: china_equivalent(f.req.to_country, f.regime) or f.req.to_country,
    "end_user.headquarters": _headquarters,
    # not screened or no hit: on no list (the rules never assume a listing)
    "end_user.list": lambda f: listed_as(f.req.end_user.screening) or "none",
    "ruling.exceptions": lambda f: f.ruling.exceptions if f.ruling is not None else [],
    "gap.place": lambda f: f.gap.detail if f.gap is not None else None,
    "end_use": lambda f: f.req.end_use,
    "end_user.military_end_user": lambda f: f.req.end_user.military_end_user,
    "end_user.military_intelligence_end_user": lambda f: (
        f.req.end_user.military_intelligence_end_user
    ),
    "end_user.mi_places": lambda f: _mi_places(f),
    "end_user.whole_owners": lambda f: _whole_owners(f),
    "destination_and_headquarters": lambda f: sorted(
        {f.get("destination"), *(f.get("end_user.headquarters") or ())}
    ),
    "exporter.headquarters": lambda f: f.req.exporter.headquarters if f.req.exporter else None,
    "exporter.nac_notified": lambda f: f.req.exporter.nac_notified if f.req.exporter else None,
    "exporter.bis_objected": lambda f: f.req.exporter.bis_objected if f.req.exporter else None,
}


def _mi_places(f: Facts) -> list[str]:
    """Where a military-intelligence end use is (the destination) and where a military-intelligence
    end user is (its country, else the destination), Hong Kong as China (15 CFR 744.22(a))."""
    dest = f.get("destination")
    places = {dest} if "military_intelligence" in f.req.end_use else set()
    if f.req.end_user.military_intelligence_end_user:
        places.add(china_equivalent(f.req.end_user.country, f.regime) or dest)
    return sorted(places)


def _whole_owners(f: Facts) -> list[str]:
    """Where the owners holding all of the end user (100%) and not listed are headquartered
    (746.8(b): a wholly-owned subsidiary)."""
    return [
        o.country
        for o in f.req.end_user.owners
        if o.percent >= 100 and o.country and o.listed is not True
    ]


# facts that change during one evaluation (read from the ruling being built or the gap being asked)
_UNCACHED = frozenset({"ruling.exceptions", "gap.place", "jurisdiction.subject"})


class RemoteFacts(Facts):
    """A remote access's facts (rules/remote.py): the access, and the item it rents (the fastest);
    `as_export` makes the export decision a covered access is licensed like, when a provision asks."""

    __slots__ = ("access", "as_export")

    def __init__(
        self,
        req: RemoteAccessRequest,
        regime: Regime,
        cls: Classification,
        as_export: Callable[[], Decision | None] = lambda: None,
    ) -> None:
        self.access, self.regime, self.cls, self.eccn = req, regime, cls, cls.eccn or ""
        self.ruling, self.gap, self.as_export = None, None, as_export
        self._seen, self.memo = {}, {}


def _access(f: Facts) -> RemoteAccessRequest:
    return cast(RemoteFacts, f).access


def _ties(f: Facts) -> list[str]:
    """Every place the customer is tied to: where it accesses from, is incorporated, headquartered
    or parented, and its individuals' nationalities (Hong Kong as China)."""
    req = _access(f)
    c = req.customer
    codes = [req.accessed_from, c.country, c.headquarters, c.ultimate_parent_headquarters]
    return [china_equivalent(x, f.regime) or x for x in (*codes, *c.nationality) if x]


def _locations(f: Facts) -> list[str]:
    """Where the customer is: where it accesses from, is incorporated and headquartered."""
    req = _access(f)
    c = req.customer
    codes = (req.accessed_from, c.country, c.headquarters)
    return [p for x in codes if (p := china_equivalent(x, f.regime))]


def _customer_list(f: Facts) -> str:
    """The list the customer is on, by the request's own flags or by screening evidence."""
    c = _access(f).customer
    listed = listed_as(c.screening)
    if c.entity_list or listed == "entity_list":
        return "entity_list"
    if c.military_end_user or listed == "meu":
        return "meu"
    return listed or "none"


READERS.update(
    {
        "provider.us_person": lambda f: _access(f).provider.is_us_person,
        "datacenter": lambda f: (
            china_equivalent(_access(f).datacenter_country, f.regime)
            or _access(f).datacenter_country
        ),
        "workload.type": lambda f: _access(f).workload.type,
        "workload.uses": lambda f: _access(f).workload.uses,
        "workload.training_compute_flop": lambda f: _access(f).workload.training_compute_flop,
        "customer.ties": _ties,
        "customer.locations": _locations,
        "customer.list": _customer_list,
        "customer.foreign_person": lambda f: foreign_person(_access(f))[0],
        "customer.foreign_person_reason": lambda f: foreign_person(_access(f))[1],
        # an item not shown to be in the Jan-2026 window is read as outside it
        "item.jan2026_zone": lambda f: bool(f.cls.jan2026_case_by_case_zone),
    }
)


def _of_concern(f: Facts) -> tuple[bool | None, str, str | None]:
    """S. 3519's person-of-concern reading (rules/persons.py) against the countries of concern in
    force, once per evaluation."""
    if "of_concern" not in f._seen:
        countries = f.regime.get("remote.access_control.countries_of_concern")
        f._seen["of_concern"] = person_of_concern(_access(f), countries.value if countries else [])
    answer: tuple[bool | None, str, str | None] = f._seen["of_concern"]
    return answer


def _licence_answer(f: Facts) -> str:
    d: Decision | None = f.get("access.as_export")
    if d is None:
        return "licence answer unknown"
    policy = f" ({d.review_policy.replace('_', ' ')})" if d.review_policy else ""
    return d.outcome.replace("_", " ") + policy


# the bills' access control (provisions/ecra-1742-15-remote-access.yaml)
READERS.update(
    {
        "provider.service": lambda f: _access(f).provider.service,
        "access.from": lambda f: _access(f).accessed_from,
        "item.paragraph": lambda f: f.cls.eccn_paragraph or f.cls.reading,
        # the Secretary's determination is not known unless the request assumes it
        "request.assumes_determination": lambda f: (
            _access(f).assume_serious_risk_determination or None
        ),
        "access.as_export": lambda f: cast(RemoteFacts, f).as_export(),
        "access.licence_answer": _licence_answer,
        # S. 3519's "foreign person of concern" (rules/persons.py, cited there): on every ground
        # but one the bill leaves open — whether a national of a country of concern living
        # elsewhere is "subject to the jurisdiction" of it: unknown for such a national
        "customer.of_concern": lambda f: _of_concern(f)[0],
        "customer.subject_to_jurisdiction": lambda f: None if _of_concern(f)[2] else False,
        "customer.of_concern_reason": lambda f: _of_concern(f)[1],
        "customer.national_abroad": lambda f: _of_concern(f)[2],
        "customer.residence": lambda f: _access(f).customer.country or "another country",
    }
)


@dataclass(frozen=True)
class Interpretation:
    """A reading of the law that is not a plain comparison: kept in Python, named and cited."""

    read: Callable[[Facts], Tri]
    citation: str


INTERPRETATIONS: dict[str, Interpretation] = {
    # Note 2 to 3A090 reaches ICs "not designed or marketed for use in datacenters"; an IC not
    # shown to be such is read as a datacenter IC (the stricter reading, as exports.py does).
    "datacenter_item": Interpretation(
        lambda f: f.cls.datacenter is not False, "15 CFR 774 Supp. 1, ECCN 3A090, Note 2"
    ),
    # who is a foreign person (rules/persons.py): nationality for individuals, incorporation for entities
    "foreign_person": Interpretation(
        lambda f: f.get("customer.foreign_person"),
        "15 CFR 772.1 'foreign person'; proposed 15 CFR 7.301",
    ),
    # Whether the headquarters rule (742.6(a)(6)(iii)(A)) reaches 3A090.c is read differently by the
    # summaries of 89 FR 96790; the data's reading (hbm.hq_rule) says whether it is settled.
    "hq_rule_reaches_hbm": Interpretation(
        lambda f: _hq_rule_reaches_hbm(f.regime),
        "15 CFR 742.6(a)(6)(iii)(A) and (a)(6)(i)(B), as amended by 89 FR 96790",
    ),
}


INTERPRETATIONS["computer_no_level_elsewhere"] = Interpretation(
    # 734.4(a)(1) removes the de minimis level for high-performance computers with US-origin
    # controlled semiconductors; its destination scope differs between codifications: outside the
    # groups every reading reaches, unknown while the data marks it `ambiguous`.
    lambda f: _unsettled(f.regime, "de_minimis.computer_no_level"),
    "15 CFR 734.4(a)(1)",
)


def _unsettled(regime: Regime, name: str) -> Tri:
    """Unknown while the data marks a reading `ambiguous`, otherwise false."""
    reading = regime.get(name)
    return None if reading is not None and reading.value == "ambiguous" else False


def _hq_rule_reaches_hbm(regime: Regime) -> Tri:
    """Unknown while the data marks the reach `ambiguous`; otherwise not read as reaching 3A090.c."""
    return _unsettled(regime, "hbm.hq_rule")


# The Jan-2026 rule (91 FR 1684) sets its window for each IC; whether it reaches
# 4A090 computers, and per IC or in aggregate, its text does not say: always a legal ambiguity.
INTERPRETATIONS["jan2026_reaches_computers"] = Interpretation(
    lambda f: None, "15 CFR 742.6(b)(10)(iii)(A)(1), as amended by 91 FR 1684"
)


def _certifications(f: Facts, stated: bool) -> list[str] | None:
    """The conditions the exporter states it can (sorted) or cannot (in the regime's order) certify;
    none stated = None. A name no `conditions` parameter lists on the date is an input error."""
    given = f.req.certifications
    if not given:
        return None
    regime = f.regime
    listed = [regime.get(n) for n, p in regime.data.parameters.items() if p.type == "conditions"]
    ids = [c["id"] for pv in listed if pv is not None for c in pv.value]
    if not ids:
        return None
    unknown = sorted(set(given) - set(ids))
    if unknown:
        raise InputError(
            f"certifications.{unknown[0]}",
            f"not a certification on {regime.date}: use one of {', '.join(ids)}",
        )
    if stated:
        return sorted(k for k, v in given.items() if v) or None
    return [i for i in ids if given.get(i) is False] or None


READERS.update(
    {
        "end_user.own_headquarters": lambda f: china_equivalent(
            f.req.end_user.headquarters, f.regime
        ),
        "end_user.parent_headquarters": lambda f: china_equivalent(
            f.req.end_user.ultimate_parent_headquarters, f.regime
        ),
        # unlike item.jan2026_zone, unknown while the item's specs leave the window open
        "item.jan2026_window": lambda f: f.cls.jan2026_case_by_case_zone,
        "item.us_available_at_publication": lambda f: f.cls.jan2026_us_available_at_publication,
        "exporter.certifies": lambda f: _certifications(f, True),
        "exporter.cannot_certify": lambda f: _certifications(f, False),
    }
)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
Test = Callable[[Facts], Answer]
_TRUE: Answer = (True, ())
_FALSE: Answer = (False, ())


def compile_when(node: When) -> Test:
    """The condition as a closure (built once; no dict is interpreted per decision). Answers are
    not kept per node: a finding's `if:` is compiled apart from the condition it reports, so a
    per-node memo was hit by fewer than 1 in 300 evaluations and cost more than it saved; the
    facts themselves are read once (`Facts.get`)."""
    return _compile_node(node)


def _compile_node(node: When) -> Test:
    if node.compare is not None:
        return _compare(node.compare.metric, _OPS[node.compare.op], node.compare.parameter)
    if node.member is not None and (node.member.certain or node.member.disputed):
        m = node.member
        return _member_certain(m.place, m.groups, m.named, m.disputed)
    if node.member is not None:
        return _member(node.member.place, node.member.groups, node.member.named)
    if node.known is not None:
        name = node.known
        return lambda f: _TRUE if f.get(name) is not None else _FALSE
    if node.is_ is not None:
        return _one_of(node.is_.fact, frozenset(node.is_.values))
    if node.interpret is not None:
        return _interpret(node.interpret)
    if node.has is not None:
        return _has(node.has.fact, frozenset(node.has.values), node.has.parameter)
    if node.certain is not None:
        return _certain(compile_when(node.certain))
    if node.parameter is not None:
        return _parameter_is(node.parameter.name, frozenset(node.parameter.values))
    if node.all is not None:
        return _all([compile_when(c) for c in node.all])
    if node.any is not None:
        return _any([compile_when(c) for c in node.any])
    assert node.not_ is not None  # the schema lets exactly one key through
    inner = compile_when(node.not_)

    def negate(f: Facts) -> Answer:
        value, gaps = inner(f)
        return (None if value is None else not value), gaps

    return negate


def _compare(metric: str, op: Callable[[Any, Any], bool], parameter: str) -> Test:
    def test(f: Facts) -> Answer:
        value = f.get(metric)
        if value is None:
            return None, (Gap(metric),)
        pv = f.regime.get(parameter)
        # no such threshold on the date: nothing to meet (`requires` usually rules this out)
        return _FALSE if pv is None else (op(value, pv.value), ())

    return test


def _remembered(key: str, answer: Callable[[Facts], Answer]) -> Test:
    """A membership test's answer kept for one request's facts: the findings that report it ask the
    same membership (by the same key) again."""

    def test(f: Facts) -> Answer:
        seen: Answer | None = f.memo.get(key)
        if seen is None:
            seen = f.memo[key] = answer(f)
        return seen

    return test


def _member(place: str, groups: str | None, named: str | None) -> Test:
    return _remembered(
        f"member:{place}:{groups}:{named}", lambda f: _membership(f, place, groups, named)
    )


def _membership(f: Facts, place: str, groups: str | None, named: str | None) -> Answer:
    value = f.get(place)
    if value is None:
        return None, (Gap(place),)
    if not isinstance(value, list):  # one place (the destination): no lists to build
        answer = _where(value, f.regime, groups, named)
        if answer == "ambiguous":
            return None, (Gap(MEMBERSHIP, "legal_ambiguity", value),)
        return _TRUE if answer == "yes" else _FALSE
    codes = value
    answers = [_where(c, f.regime, groups, named) for c in codes]
    if "yes" in answers:
        return _TRUE
    disputed = [c for c, a in zip(codes, answers, strict=True) if a == "ambiguous"]
    if disputed:
        return None, tuple(Gap(MEMBERSHIP, "legal_ambiguity", c) for c in disputed)
    return _FALSE


def _where(code: str, regime: Regime, groups: str | None, named: str | None) -> str:
    if groups is not None:
        return where(code, regime, groups, named)
    listed = regime.get(named) if named else None
    return "yes" if listed is not None and code in listed.value else "no"


def _one_of(fact: str, values: frozenset[Any]) -> Test:
    def test(f: Facts) -> Answer:
        value = f.get(fact)
        if value is None:
            return None, (Gap(fact),)
        return _TRUE if value in values else _FALSE

    return test


def _has(fact: str, values: frozenset[Any], parameter: str | None) -> Test:
    """Does the fact's list hold one of the values (or of the list parameter's value in force)?"""

    def test(f: Facts) -> Answer:
        held = f.get(fact)
        if held is None:
            return None, (Gap(fact),)
        pv = f.regime.get(parameter) if parameter else None
        if pv is not None:
            return _TRUE if any(x in pv.value for x in held) else _FALSE
        return _FALSE if values.isdisjoint(held) else _TRUE

    return test


def _parameter_is(name: str, values: frozenset[Any]) -> Test:
    """A reform's setting on the date (an overlay edits it): known whatever the request says."""

    def test(f: Facts) -> Answer:
        pv = f.regime.get(name)
        return _TRUE if pv is not None and pv.value in values else _FALSE

    return test


def _member_certain(
    place: str, groups: str | None, named: str | None, disputed: str | None
) -> Test:
    """Some place certainly in the groups or list; else, if some place is in the `disputed` list,
    unknown (one legal ambiguity naming those places); else false."""
    return _remembered(
        f"certain:{place}:{groups}:{named}:{disputed}",
        lambda f: _certain_member(f, place, groups, named, disputed),
    )


def _certain_member(
    f: Facts, place: str, groups: str | None, named: str | None, disputed: str | None
) -> Answer:
    value = f.get(place)
    if value is None:
        return None, (Gap(place),)
    codes = value if isinstance(value, list) else [value]
    if any(_where(c, f.regime, groups, named) == "yes" for c in codes):
        return _TRUE
    listed = f.regime.get(disputed) if disputed else None
    unsure = [c for c in codes if listed is not None and c in listed.value]
    return (None, (Gap(MEMBERSHIP, "legal_ambiguity", "/".join(unsure)),)) if unsure else _FALSE


def _interpret(name: str) -> Test:
    read = INTERPRETATIONS[name].read

    def test(f: Facts) -> Answer:
        value = read(f)
        return (None, (Gap(name),)) if value is None else (value, ())

    return test


def _certain(inner: Test) -> Test:
    """True only where the part is certainly true: a provision whose text reaches only what is
    established (a disputed membership or a fact not given does not meet it) reads unknown as false."""

    def test(f: Facts) -> Answer:
        return _TRUE if inner(f)[0] is True else _FALSE

    return test


def _all(parts: list[Test]) -> Test:
    return _kleene(parts, dominant=False)


def _any(parts: list[Test]) -> Test:
    return _kleene(parts, dominant=True)


def _kleene(parts: list[Test], dominant: bool) -> Test:
    """Kleene's and (dominant False) / or (dominant True): one dominant part decides; otherwise
    unknown parts leave the whole unknown, with all their gaps; otherwise the other value."""
    decided, otherwise = (_TRUE, _FALSE) if dominant else (_FALSE, _TRUE)

    def test(f: Facts) -> Answer:
        gaps: list[Gap] = []
        for part in parts:
            value, why = part(f)
            if value is dominant:
                return decided
            if value is None:
                gaps += why
        return (None, tuple(gaps)) if gaps else otherwise

    return test


# -- text templates: {fact} or {parameter}, with :words, :note or a format spec ----------------------
_FIELD = re.compile(r"\{([^{}:]+)(?::([^{}]*))?\}")
Render = Callable[[Facts], str]


def compile_text(text: str) -> Render:
    """A template as a closure (the loader has checked every placeholder names a fact or parameter)."""
    literal: list[str] = []
    getters: list[Callable[[Facts], str]] = []
    pos = 0
    for m in _FIELD.finditer(text):
        literal.append(text[pos : m.start()].replace("{", "{{").replace("}", "}}"))
        literal.append("{}")
        getters.append(_placeholder(m.group(1), m.group(2) or ""))
        pos = m.end()
    literal.append(text[pos:].replace("{", "{{").replace("}", "}}"))
    pattern = "".join(literal)
    if not getters:
        return lambda f: text
    if len(getters) == 1:  # most templates name one fact or parameter
        (only,) = getters
        return lambda f: pattern.format(only(f))
    return lambda f: pattern.format(*[g(f) for g in getters])


def _placeholder(name: str, spec: str) -> Callable[[Facts], str]:
    if spec.startswith("in:"):
        return _listed_in(name, *spec.split(":", 3)[1:])
    if spec.startswith("notes:"):
        return _disputed_notes(name, spec.removeprefix("notes:"))
    if name in READERS:
        return lambda f: _show(f.get(name), spec)
    if spec == "reform":
        return lambda f: reform_status(f.regime, name)
    if spec == "overlay":  # the reform that set the parameter on the date
        return lambda f: getattr(f.regime.get(name), "overlay", None) or "enacted law"
    if spec.startswith("hyphens:"):  # a list parameter's words joined by what follows
        sep = spec.removeprefix("hyphens:")
        return lambda f: sep.join(str(v).replace("_", "-") for v in _value(f.regime, name))
    if spec == "note":

        def note(f: Facts) -> str:
            pv = f.regime.get(name)
            return f" ({pv.period.note})" if pv is not None and pv.period.note else ""

        return note
    if spec == "compliance":

        def compliance(f: Facts) -> str:
            pv = f.regime.get(name)
            return str(pv.period.compliance) if pv is not None else "unknown"

        return compliance

    def value(f: Facts) -> str:
        pv = f.regime.get(name)
        return _show(pv.value if pv is not None else None, spec)

    return value


def _listed_in(name: str, groups: str, named: str, sep: str) -> Callable[[Facts], str]:
    """{fact:in:GROUPS:NAMED:sep}: the places (or values) of a list fact that are in the named list
    or certainly in one of the groups on the date ("-": none), sorted, each once."""
    g = None if groups == "-" else groups
    n = None if named == "-" else named

    def show(f: Facts) -> str:
        codes = f.get(name) or ()
        return sep.join(sorted({c for c in codes if _where(c, f.regime, g, n) == "yes"}))

    return show


def _disputed_notes(name: str, groups: str) -> Callable[[Facts], str]:
    """{place:notes:GROUPS}: why the place's membership of the groups is disputed on the date (the
    data's notes on those memberships)."""

    def show(f: Facts) -> str:
        place, listed = f.get(name), f.regime.get(groups)
        answers = [f.regime.membership(place, g) for g in (listed.value if listed else ())]
        notes = [
            a.entry.note for a in answers if a.status == "ambiguous" and a.entry and a.entry.note
        ]
        return "; ".join(notes) or "membership is disputed on this date"

    return show


def _value(regime: Regime, name: str) -> Any:
    pv = regime.get(name)
    return pv.value if pv is not None else []


def reform_status(regime: Regime, name: str) -> str:
    """Which reform set a parameter on the date: its title and status (never law unless enacted)."""
    pv = regime.get(name)
    ov = regime.data.overlays[pv.overlay] if pv is not None and pv.overlay else None
    if ov is None:
        return "Enacted law"
    law = "" if ov.status == "enacted" else "; not law"
    return f"{ov.title}: {ov.status} as of {ov.status_date}{law}"


def _show(value: Any, spec: str) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return (spec or ", ").join(str(v) for v in value)
    if spec == "words":
        return str(value).replace("_", " ")
    if spec == "capital":  # words, the first one capitalised (a sentence's start)
        words = str(value).replace("_", " ")
        return words[:1].upper() + words[1:]
    return format(value, spec)


# -- compiled provisions -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Finding:
    rule: str
    text: Render
    cite: str | None
    guard: Test | None  # recorded only when this part of the condition holds
    also: tuple[str, ...] = ()  # further parameters whose citations join the first
    joined: dict[Hashable, Citation] = field(default_factory=dict, compare=False)  # by period


@dataclass(frozen=True)
class _Taken:
    """outcome_from compiled: the rules whose findings are carried over, and the question put when
    there is no decision."""

    rules: frozenset[str]
    question: Render
    outcomes: tuple[tuple[Render, Render], ...]


@dataclass(frozen=True)
class _Effect:
    spec: Effect
    findings: tuple[_Finding, ...]
    conditions: tuple[tuple[str, Render, str | None], ...]
    inert: bool = False  # sets nothing and records nothing: no need to apply it
    taken: _Taken | None = None  # outcome_from, compiled


@dataclass(frozen=True)
class _Version:
    spec: Version
    test: Test | None
    then: _Effect
    otherwise: _Effect
    ask: dict[str, tuple[Ask, Render, tuple[tuple[Render, Render], ...]]]
    if_unknown: tuple[_Finding, ...]


@dataclass(frozen=True)
class Compiled:
    spec: ProvisionFile
    applies_to: frozenset[str]
    versions: tuple[_Version, ...]
    citation: Citation


def compiled(data: RegimeData) -> dict[Step, list[Compiled]]:
    """The regime data's provisions by step, compiled once and kept on the data object."""
    steps: dict[Step, list[Compiled]] | None = data.compiled.get("provisions")
    if steps is None:
        steps = {}
        for prov in data.provisions.values():
            steps.setdefault(prov.step, []).append(_compile(prov))
        data.compiled["provisions"] = steps
    return steps


_NOTHING = Effect()


def _compile(prov: ProvisionFile) -> Compiled:
    def findings(specs: Iterable[FindingSpec]) -> tuple[_Finding, ...]:
        return tuple(
            _Finding(
                x.rule or prov.id,
                compile_text(x.text),
                x.cite,
                compile_when(x.if_) if x.if_ is not None else None,
                tuple(x.cite_also),
            )
            for x in specs
        )

    def effect(e: Effect) -> _Effect:
        return _Effect(
            e,
            findings(e.findings),
            tuple((x.id, compile_text(x.text), x.cite) for x in e.conditions),
            e == _NOTHING,
            _taken(e.outcome_from),
        )

    versions = tuple(
        _Version(
            v,
            compile_when(v.when) if v.when is not None else None,
            effect(v.then),
            effect(v.else_),
            {
                k: (
                    a,
                    compile_text(a.question),
                    tuple((compile_text(o), compile_text(t)) for o, t in a.outcomes.items()),
                )
                for k, a in v.ask.items()
            },
            findings(v.if_unknown),
        )
        for v in prov.versions
    )
    c = prov.citation
    citation = Citation(cfr=c.cfr, document=c.document, url=c.url, confidence=prov.confidence)
    return Compiled(prov, frozenset(prov.applies_to), versions, citation)


def _taken(source: OutcomeFrom | None) -> _Taken | None:
    if source is None:
        return None
    ask = source.if_none
    outcomes = tuple((compile_text(o), compile_text(t)) for o, t in ask.outcomes.items())
    return _Taken(frozenset(source.findings), compile_text(ask.question), outcomes)


def in_force(step: Step, regime: Regime) -> bool:
    """Whether any provision of a step is in force (a reform's step: while an overlay sets what it
    requires)."""
    return bool(_in_force(regime, step))


def _in_force(regime: Regime, step: Step) -> list[tuple[Compiled, _Version]]:
    """The provisions of a step with the version in force on the regime's date. Kept on the data
    per period of the law (version dates and required parameters are breakpoints of the period)."""
    key = ("provisions", step, regime.period_key)
    found: list[tuple[Compiled, _Version]] | None = regime.data.compiled.get(key)
    if found is None:
        found = []
        for prov in compiled(regime.data).get(step, []):
            version = next((v for v in prov.versions if _version_in_force(v.spec, regime)), None)
            if version is not None:
                found.append((prov, version))
        regime.data.compiled[key] = found
    return found


def _version_in_force(v: Version, regime: Regime) -> bool:
    day = regime.date
    if day < v.effective or (v.end is not None and day > v.end):
        return False
    for name in v.requires:
        pv = regime.get(name)
        if pv is None or pv.value is False or pv.value in ([], ""):
            return False
    return True


def _applicable(step: Step, facts: Facts) -> list[tuple[Compiled, _Version]]:
    """Those of `_in_force` that apply to the item's ECCN (kept on the data per period and ECCN)."""
    regime = facts.regime
    key = ("applicable", step, regime.period_key, facts.eccn)
    found: list[tuple[Compiled, _Version]] | None = regime.data.compiled.get(key)
    if found is None:
        found = [
            (p, v)
            for p, v in _in_force(regime, step)
            if not p.applies_to or facts.eccn in p.applies_to
        ]
        regime.data.compiled[key] = found
    return found


def requirements(facts: Facts) -> dict[str, Ruling]:
    """A ruling from each requirement provision in force for this item (by provision id), with the
    review policy the policy provisions give a license it requires."""
    out = {}
    for prov, version in _applicable("requirement", facts):
        ruling = Ruling(required=None)
        _evaluate(prov, version, facts, ruling)
        if ruling.required:
            apply("policy", facts, ruling)
        out[prov.spec.id] = ruling
    return out


def rulings(step: Step, facts: Facts) -> list[Ruling]:
    """A ruling from each provision of a step in force (part 744/746: any item), in file order."""
    out = []
    for prov, version in _applicable(step, facts):
        test = version.test  # a failed condition with nothing to follow from it: no ruling
        if test is not None and version.otherwise.inert and test(facts)[0] is False:
            continue
        ruling = Ruling()
        _evaluate(prov, version, facts, ruling)
        out.append(ruling)
    return out


def apply(step: Step, facts: Facts, ruling: Ruling) -> None:
    """Let every provision of a step (policy, exceptions, bars) in force for this item act on a ruling."""
    for prov, version in _applicable(step, facts):
        _evaluate(prov, version, facts, ruling)


def _evaluate(prov: Compiled, v: _Version, facts: Facts, ruling: Ruling) -> None:
    facts.ruling = ruling
    value, gaps = v.test(facts) if v.test is not None else _TRUE
    if value is True:
        _effect(prov, v.then, facts, ruling)
    elif value is False:
        _effect(prov, v.otherwise, facts, ruling)
    else:
        _unknown(prov, v, gaps, facts, ruling)


def _citation(prov: Compiled, param: str | None, regime: Regime) -> Citation:
    pv = regime.get(param) if param else None
    return pv.citation if pv is not None else prov.citation


def _cited(prov: Compiled, x: _Finding, regime: Regime) -> Citation:
    """The finding's citation joined with those of its further parameters in force on the date
    (joined once per period of the law: the parameters' citations change only between periods)."""
    if not x.also:
        return _citation(prov, x.cite, regime)
    citation = x.joined.get(regime.period_key)
    if citation is None:
        citation = _citation(prov, x.cite, regime)
        for param in x.also:
            pv = regime.get(param)
            if pv is not None:
                citation = citation.also(pv.citation)
        x.joined[regime.period_key] = citation
    return citation


def _findings(prov: Compiled, specs: Iterable[_Finding], facts: Facts) -> list[Finding]:
    return [
        Finding(rule=x.rule, text=x.text(facts), citation=_cited(prov, x, facts.regime))
        for x in specs
        if x.guard is None or x.guard(facts)[0] is True
    ]


def _effect(prov: Compiled, e: _Effect, facts: Facts, ruling: Ruling) -> None:
    regime = facts.regime
    findings = _findings(prov, e.findings, facts)
    spec = e.spec
    if spec.license_required is not None:
        ruling.required = spec.license_required
    if spec.review_policy is not None:
        ruling.policy = spec.review_policy
    elif spec.review_policy_from is not None:
        pv = regime.get(spec.review_policy_from)
        ruling.policy = pv.value if pv is not None else None
    if spec.subject_to_ear:
        ruling.subject = True
    if spec.bar_exceptions:
        ruling.exceptions = []
        ruling.conditions = [c for c in ruling.conditions if c.id not in spec.bar_conditions]
    if spec.withdraw:
        ruling.exceptions = [x for x in ruling.exceptions if x not in spec.withdraw]
        ruling.conditions = [c for c in ruling.conditions if c.id not in spec.bar_conditions]
    ruling.exceptions += [x for x in spec.exceptions if x not in ruling.exceptions]
    ruling.conditions += [
        Condition(id=cid, text=text(facts), citation=_citation(prov, param, regime))
        for cid, text, param in e.conditions
    ]
    if spec.conditions_from is not None:
        ruling.conditions += _conditions_from(spec.conditions_from, regime)
    ruling.findings += findings
    if spec.outcome_from is not None:
        _outcome_from(spec.outcome_from, e, facts, ruling)


def _outcome_from(source: OutcomeFrom, e: _Effect, facts: Facts, ruling: Ruling) -> None:
    """The outcome of the decision the request is treated like, or, with none, its question."""
    d: Decision | None = facts.get(source.fact)
    taken = e.taken
    assert taken is not None  # compiled with the effect
    if d is None:
        ruling.required = None
        ruling.missing.append(
            MissingFact(
                fact=source.if_none.fact,
                question=taken.question(facts),
                outcomes={o(facts): t(facts) for o, t in taken.outcomes},
            )
        )
        return
    ruling.outcome, ruling.policy = d.outcome, d.review_policy
    ruling.findings += [
        Finding(rule=f"{source.rule}.{x.rule}", text=x.text, citation=x.citation)
        for x in d.findings
        if x.rule in taken.rules
    ]
    ruling.missing += d.missing_facts


def _conditions_from(source: ConditionsFrom, regime: Regime) -> list[Condition]:
    pv = regime.get(source.parameter)
    listed = pv.value if pv is not None else []
    return [
        Condition(id=c["id"], text=c["text"], citation=pv.cite_paragraph(c["cfr"]))
        for c in listed
        if pv is not None and (not source.ids or c["id"] in source.ids)
    ]


def _unknown(
    prov: Compiled, v: _Version, gaps: tuple[Gap, ...], facts: Facts, ruling: Ruling
) -> None:
    """Each gap becomes a question; only what both branches agree on is applied."""
    asked: set[str] = set()
    for gap in gaps if v.spec.asks else ():
        missing = _question(prov, v, gap, facts)
        if missing.fact not in asked:
            asked.add(missing.fact)
            ruling.missing.append(missing)
    then, other = v.then.spec, v.otherwise.spec
    if then.license_required is not None or other.license_required is not None:
        same = then.license_required == other.license_required
        ruling.required = then.license_required if same else None
    if then.review_policy != other.review_policy:
        ruling.policy = None
    if then.subject_to_ear != other.subject_to_ear and ruling.subject is False:
        ruling.subject = None  # one basis unknown and none holds (so far): unknown
    ruling.exceptions += [
        x for x in then.exceptions if x in other.exceptions and x not in ruling.exceptions
    ]
    ruling.findings += _findings(prov, v.if_unknown, facts)


def _question(prov: Compiled, v: _Version, gap: Gap, facts: Facts) -> MissingFact:
    entry = v.ask.get(gap.fact)
    facts.gap = gap
    if entry is not None:
        ask, question, outcomes = entry
        return MissingFact(
            fact=ask.fact,
            kind=ask.kind,
            question=question(facts),
            outcomes={o(facts): t(facts) for o, t in outcomes},
        )
    where_ = f" ({gap.detail})" if gap.detail else ""
    return MissingFact(
        fact=gap.fact,
        kind=gap.kind,
        question=f"{prov.spec.title}: {gap.fact}{where_} is not known on {facts.regime.date}",
        outcomes={"holds": _describe(v.then.spec), "does not hold": _describe(v.otherwise.spec)},
    )


def _describe(e: Effect) -> str:
    parts = []
    if e.license_required is not None:
        parts.append("license required" if e.license_required else "no license required")
    if e.review_policy:
        parts.append(e.review_policy.replace("_", " "))
    if e.exceptions:
        parts.append(f"License Exception {', '.join(e.exceptions)} available")
    if e.bar_exceptions:
        parts.append("no license exception")
    return "; ".join(parts) or "no change"

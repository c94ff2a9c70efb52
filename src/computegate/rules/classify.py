"""classify(item, date): ECCN (3A090 / 4A090), the Jan-2026 window and the Section 232 bands.

The structure of the tests is data (regime/data/classification.yaml: which test applies on which
dates, the inequality behind every band-table key, 4A090 from 3A090, 3A090.c, the window and the
duty bands) and their numbers are parameters; both are compiled once per period of the law into
plain tuples that one three-valued band matcher reads. Python keeps the wording of findings and
the interpretations of the law, each named and cited below. An unknown fact gives the outcome
under each possibility instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from computegate.catalog import Accelerator, Catalog, ChipMetrics, compute_metrics
from computegate.catalog.metrics import equivalents
from computegate.io.errors import InputError
from computegate.model.classification import Classification, eccn_fields
from computegate.model.findings import Citation, Finding, MissingFact
from computegate.regime import ParamValue, Regime, RegimeData, cite
from computegate.regime.schema import Bound, ClassificationFile, IcTest, Instrument
from computegate.rules.findings_roles import with_roles

NOT_3A090 = "not 3A090"
INDETERMINATE = "indeterminate"

# -- how findings name and show each metric (wording only; the tests are data) --------------------
_LABEL = {
    "tpp": "TPP",
    "performance_density": "PD",
    "interconnect_gbs": "I/O rate",
    "dram_bandwidth_gbs": "DRAM bandwidth",
    "hbm_bandwidth_density_gbs_per_mm2": "memory bandwidth density",
}
_UNIT = {
    "interconnect_gbs": " GB/s",
    "dram_bandwidth_gbs": " GB/s",
    "hbm_bandwidth_density_gbs_per_mm2": " GB/s/mm2",
}
_FACT = {"tpp": "dense_tflops"}  # the input a metric comes from, where it is not the metric itself
_QUESTION = {
    "interconnect_gbs": "What is the chip's aggregate bidirectional I/O transfer rate (GB/s)?",
    "hbm_bandwidth_density_gbs_per_mm2": (
        "What is the HBM stack's memory bandwidth density (GB/s per mm2)?"
    ),
}
_DENSITIES = ("performance_density", "hbm_bandwidth_density_gbs_per_mm2")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRRORED = {">=": "<=", ">": "<"}


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def _value(metric: str, x: float) -> str:
    return f"{x:.2f}" if metric in _DENSITIES else _fmt(x)


def _limit(metric: str, x: float) -> str:
    return str(x) if metric in _DENSITIES else _fmt(x)


Model = TypeVar("Model", bound=BaseModel)


def _typed(cls: type[Model], fields_set: set[str], values: dict[str, Any]) -> Model:
    """A model from values that are already of the right types, in field order: what pydantic's
    model_construct does, without its per-field alias and default handling (classification builds
    a few thousand findings a second; validating parts built here from typed data adds nothing)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


_FINDING_SET = {"rule", "text", "citation"}
_MISSING_SET = {"fact", "question", "outcomes"}
_AMBIGUITY_SET = {"fact", "kind", "question", "outcomes"}
_CLASSIFICATION_SET = set(Classification.model_fields)


def _finding(rule: str, text: str, citation: Citation) -> Finding:
    # the role is set from the rule registry by with_roles
    values = {"rule": rule, "text": text, "citation": citation, "role": "context"}
    return _typed(Finding, _FINDING_SET, values)


def _missing(
    fact: str, question: str, outcomes: dict[str, str], ambiguity: bool = False
) -> MissingFact:
    kind = "legal_ambiguity" if ambiguity else "fact"
    values = {"fact": fact, "kind": kind, "question": question, "outcomes": outcomes}
    return _typed(MissingFact, _AMBIGUITY_SET if ambiguity else _MISSING_SET, values)


def _cited(citation: Citation | str) -> Citation:
    return Citation(cfr=citation) if isinstance(citation, str) else citation


# -- the band matcher ---------------------------------------------------------------------------
Metrics = Mapping[str, float | None]


@dataclass(frozen=True)
class _Bound:
    """metric op limit, compiled (the parameter's citation goes with it)."""

    metric: str
    op: str
    holds: Callable[[float, float], bool]
    limit: float
    label: str
    citation: Citation

    def text(self, value: float, held: bool = True) -> str:
        op = self.op if held else _NEGATED[self.op]
        unit = _UNIT.get(self.metric, "")
        return f"{self.label} {_value(self.metric, value)} {op} {_limit(self.metric, self.limit)}{unit}"

    def limit_text(self, held: bool = True) -> str:
        op = self.op if held else _NEGATED[self.op]
        return f"{op} {_limit(self.metric, self.limit)}{_UNIT.get(self.metric, '')}"


def _test(bounds: Iterable[_Bound], metrics: Metrics) -> tuple[bool | None, _Bound | None]:
    """Kleene `all` over the bounds: (False, the first bound that fails), (None, the first bound on
    an unknown metric) when none fails, (True, None) when all hold."""
    unknown = None
    for b in bounds:
        value = metrics[b.metric]
        if value is None:
            unknown = unknown or b
        elif not b.holds(value, b.limit):
            return False, b
    return (None, unknown) if unknown is not None else (True, None)


@dataclass(frozen=True)
class _Row:
    """One band-table row: the paragraph (or band) it gives and its bounds."""

    name: str
    eccn: str
    bounds: tuple[_Bound, ...]
    citation: Citation
    extra: Mapping[str, Any]


def _match(rows: Iterable[_Row], metrics: Metrics) -> tuple[_Row | None, _Bound | None]:
    """The first row that holds; (None, the bound it turns on) when an earlier row is unknown;
    (None, None) when no row holds."""
    for row in rows:
        value, why = _test(row.bounds, metrics)
        if value is None:
            return None, why
        if value:
            return row, None
    return None, None


def _range_text(bounds: Iterable[_Bound]) -> str:
    """Each metric's bounds as one range: "2,400 <= TPP < 4,800"."""
    parts = []
    for metric, group in itertools.groupby(bounds, key=lambda b: b.metric):
        lows: list[_Bound] = []
        highs: list[_Bound] = []
        for b in group:
            (lows if b.op in _MIRRORED else highs).append(b)
        label, unit = _LABEL[metric], _UNIT.get(metric, "")
        right = "".join(f" {b.op} {_limit(metric, b.limit)}" for b in (highs if lows else []))
        if not (lows and highs):
            lows, right = [], "".join(f" {b.op} {_limit(metric, b.limit)}" for b in lows + highs)
        left = "".join(f"{_limit(metric, b.limit)} {_MIRRORED[b.op]} " for b in lows)
        parts.append(f"{left}{label}{right}{unit}")
    return " and ".join(parts)


# -- compiling classification.yaml against the regime of one period ----------------------------------
@dataclass(frozen=True)
class _TierTest:
    """3A090.a/.b from a band table, with Note 2 to 3A090."""

    rows: tuple[_Row, ...]
    floor: float  # the lowest TPP any row reaches
    density_bands: tuple[tuple[float, float | None], ...]  # PD ranges, for an unknown die area
    table: ParamValue
    note2_tpp_min: float
    note2: Citation


@dataclass(frozen=True)
class _BoundsTest:
    """A test whose bounds must all hold (Oct-2022 3A090, 3A090.c, the Jan-2026 window)."""

    id: str
    name: str
    eccn: str
    paragraph: str
    bounds: tuple[_Bound, ...]
    instrument: Instrument  # of the first bound's parameter


@dataclass(frozen=True)
class _Law:
    """classification.yaml and the parameters it names, resolved for one period of the law."""

    readings: tuple[int, ...]
    readings_cite: Citation
    bits: Mapping[int, Mapping[str, float]]  # by TF32 reading (0: TF32 left out)
    per_ic: Citation
    ic: _TierTest | _BoundsTest | Finding
    computer: Mapping[str, tuple[str | None, Finding]]
    hbm: _BoundsTest | Finding
    hbm_compliance: Finding | None
    window: _BoundsTest | Finding
    availability: tuple[ParamValue, dt.date] | None
    duty: tuple[_Row, ...]
    duty_cite: Citation | None
    context: tuple[Finding, ...]
    references: dict[tuple[int, int], Mapping[str, ChipMetrics]]  # by catalog and TF32 reading


def _law(regime: Regime) -> _Law:
    key = ("classify", regime.period_key)
    law: _Law | None = regime.data.compiled.get(key)
    if law is None:
        law = regime.data.compiled[key] = _compile(regime)
    return law


def _spec(data: RegimeData) -> ClassificationFile:
    if data.classification is None:
        raise KeyError("the regime data has no classification.yaml")
    return data.classification


def _bound(b: Bound, regime: Regime) -> _Bound | None:
    pv = regime.get(b.parameter)
    if pv is None:
        return None
    limit = float(pv.value)
    return _Bound(b.metric, b.op, _OPS[b.op], limit, b.label or _LABEL[b.metric], pv.citation)


def _bounds_test(
    test_id: str, name: str, eccn: str, paragraph: str, bounds: Iterable[Bound], regime: Regime
) -> _BoundsTest | None:
    bounds = list(bounds)
    compiled = [_bound(b, regime) for b in bounds]
    first = regime.get(bounds[0].parameter)
    if first is None or any(b is None for b in compiled):
        return None
    kept = tuple(b for b in compiled if b)
    return _BoundsTest(test_id, name, eccn, paragraph, kept, first.instrument)


def _rows(pv: ParamValue, spec: ClassificationFile) -> tuple[_Row, ...]:
    rows = []
    for row in pv.value:
        bounds = sorted(
            (
                _Bound(c.metric, c.op, _OPS[c.op], float(v), _LABEL[c.metric], pv.citation)
                for k, v in row.items()
                if (c := spec.columns.get(k)) is not None
            ),
            key=lambda b: (b.metric != "tpp", b.metric, b.op not in _MIRRORED),
        )
        name = str(row.get("paragraph") or row.get("name"))
        citation = cite(str(row.get("cfr") or pv.period.cfr), pv.instrument, pv.overlay)
        eccn = ".".join(name.split(".")[:2])
        rows.append(_Row(name, eccn, tuple(bounds), citation, row))
    return tuple(rows)


def _tier_test(test: IcTest, regime: Regime, spec: ClassificationFile) -> _TierTest | None:
    assert test.table is not None
    table = regime.get(test.table)
    note2 = regime.get(test.not_datacenter_tpp_min) if test.not_datacenter_tpp_min else None
    if table is None or note2 is None:
        return None
    rows = _rows(table, spec)
    floor = min(b.limit for r in rows for b in r.bounds if b.metric == "tpp" and b.op in _MIRRORED)
    return _TierTest(rows, floor, _density_bands(rows), table, float(note2.value), note2.citation)


def _density_bands(rows: tuple[_Row, ...]) -> tuple[tuple[float, float | None], ...]:
    """The PD ranges between the table's PD limits, highest first (each tested at its lower end,
    the lowest at half the lowest limit), for listing the outcome of each range of die area."""
    pds = sorted(
        {b.limit for r in rows for b in r.bounds if b.metric == "performance_density"},
        reverse=True,
    )
    if not pds:
        return ()
    inner = [(lo, hi) for hi, lo in itertools.pairwise(pds)]
    return ((pds[0], None), *inner, (0.0, pds[-1]))


def _compile(regime: Regime) -> _Law:
    data = regime.data
    spec = _spec(data)
    base = regime.get("tpp.bit_lengths")
    if base is None:
        raise KeyError("tpp.bit_lengths not in force")
    readings_pv = regime.get("tpp.tf32_bit_length_readings")
    readings = tuple(int(x) for x in readings_pv.value) if readings_pv else (32,)
    readings_cite = _cited(
        readings_pv.citation if readings_pv else "15 CFR 774 Supp. 1, ECCN 3A090, Technical Note"
    )
    bits = {r: {**base.value, "tf32": r} for r in (*readings, 0)}

    ic: _TierTest | _BoundsTest | Finding | None = None
    for test in spec.ic:
        if test.table is not None:
            ic = _tier_test(test, regime, spec)
        else:
            assert test.eccn and test.paragraph
            name = test.name or test.id
            ic = _bounds_test(test.id, name, test.eccn, test.paragraph, test.bounds, regime)
        if ic is not None:
            break
    if ic is None:
        inst = data.instruments[spec.created_by]
        ic = _finding(
            "3A090.not_yet",
            f"ECCN 3A090 did not exist yet on this date; it was created effective {inst.effective}.",
            cite("15 CFR 774 Supp. 1", inst),
        )
    hbm, hbm_compliance = _hbm(spec, regime)
    duty, duty_cite = _duty(spec, regime)
    return _Law(
        readings=readings,
        readings_cite=readings_cite,
        bits=bits,
        per_ic=cite(PER_IC, data.instruments["acs-2023"]),
        ic=ic,
        computer=_computer(spec, ic, regime),
        hbm=hbm,
        hbm_compliance=hbm_compliance,
        window=_window(spec, regime),
        availability=_availability(regime),
        duty=duty,
        duty_cite=duty_cite,
        context=_context(regime),
        references={},
    )


def _computer(
    spec: ClassificationFile, ic: _TierTest | _BoundsTest | Finding, regime: Regime
) -> dict[str, tuple[str | None, Finding]]:
    """4A090 for a computer holding ICs of each 3A090 paragraph, as in force in this period."""
    if isinstance(ic, Finding):
        return {}
    inst = ic.table.instrument if isinstance(ic, _TierTest) else ic.instrument
    out: dict[str, tuple[str | None, Finding]] = {}
    for row in spec.computer:
        contains = f"Contains {row.contains} ICs"
        citation = cite(row.cfr, inst)
        if row.requires is not None:
            flag = regime.get(row.requires)
            if flag is None or not flag.value:
                why = flag.citation if flag else citation
                text = f"{contains}, but {row.eccn} was reserved on this date"
                out[row.contains] = (None, _finding(row.eccn, text, why))
                continue
            citation = flag.citation
        out[row.contains] = (row.eccn, _finding(row.eccn, f"{contains}: {row.eccn}", citation))
    return out


def _hbm(spec: ClassificationFile, regime: Regime) -> tuple[_BoundsTest | Finding, Finding | None]:
    h = spec.hbm
    test = _bounds_test(h.id, h.id, h.eccn or h.id, h.eccn or h.id, h.bounds, regime)
    if test is None:
        inst = regime.data.instruments[h.created_by]
        text = f"{h.id} (HBM) took effect {inst.effective}; not in force on this date"
        return _finding(h.id, text, cite("15 CFR 774 Supp. 1", inst)), None
    pv = regime.get(h.bounds[0].parameter)
    assert pv is not None
    compliance = pv.period.compliance
    if compliance and regime.date < compliance:
        text = f"Compliance with {h.id} is required from {compliance}"
        return test, _finding(f"{h.id}.compliance", text, pv.citation)
    return test, None


def _window(spec: ClassificationFile, regime: Regime) -> _BoundsTest | Finding:
    w = spec.window
    test = _bounds_test(w.id, w.id, "", "", w.bounds, regime)
    if test is None:
        inst = regime.data.instruments[w.created_by]
        text = f"The Jan-2026 case-by-case window takes effect {inst.effective}; not in force on this date"
        return _finding(w.id, text, cite(w.cfr or "", inst))
    return test


def _availability(regime: Regime) -> tuple[ParamValue, dt.date] | None:
    required = regime.get("jan2026.us_availability_required")
    when = regime.get("jan2026.us_availability_date")
    return None if required is None or when is None else (required, when.value)


def _duty(spec: ClassificationFile, regime: Regime) -> tuple[tuple[_Row, ...], Citation | None]:
    pv = regime.get(spec.duty.table)
    return ((), None) if pv is None else (_rows(pv, spec), pv.citation)


def _context(regime: Regime) -> tuple[Finding, ...]:
    meta = regime.data.meta
    out = []
    if regime.beyond_knowledge_horizon:
        text = f"The date is after the data's knowledge horizon {meta.knowledge_horizon}: {meta.knowledge_note}"
        out.append(_finding("regime.horizon", text, _cited("computegate regime data")))
    for sentence in regime.overlay_status():
        out.append(_finding("regime.overlay", sentence, _cited("computegate overlay")))
    return tuple(out)


# -- one IC, one computer, one HBM stack ---------------------------------------------------------
@dataclass(frozen=True)
class _Outcome:
    eccn: str
    paragraph: str | None
    findings: tuple[Finding, ...]
    missing: tuple[MissingFact, ...]


def _metrics(ic: Accelerator, m: ChipMetrics) -> dict[str, float | None]:
    return {
        "tpp": m.tpp,
        "performance_density": m.performance_density,
        "interconnect_gbs": ic.interconnect_gbs,
        "dram_bandwidth_gbs": ic.dram_bandwidth_gbs,
        "hbm_bandwidth_density_gbs_per_mm2": ic.hbm_bandwidth_density_gbs_per_mm2,
    }


def _ic_outcome(metrics: Metrics, datacenter: bool | None, law: _Law) -> _Outcome:
    """ECCN of one IC on the regime date."""
    if metrics["tpp"] is None:
        missing = _missing(
            "dense_tflops",
            "What is the chip's dense throughput at each precision?",
            {"unknown": "TPP cannot be computed, so the ECCN cannot be determined"},
        )
        return _Outcome(INDETERMINATE, None, (), (missing,))
    test = law.ic
    if isinstance(test, Finding):
        return _Outcome(NOT_3A090, None, (test,), ())
    if isinstance(test, _TierTest):
        return _tier_outcome(test, metrics, datacenter)
    return _bounds_outcome(test, metrics)


def _bounds_outcome(test: _BoundsTest, metrics: Metrics) -> _Outcome:
    value, why = _test(test.bounds, metrics)
    if value is None:
        assert why is not None
        missing = _missing(
            _FACT.get(why.metric, why.metric),
            _QUESTION[why.metric],
            {why.limit_text(): test.paragraph, why.limit_text(held=False): NOT_3A090},
        )
        return _Outcome(INDETERMINATE, None, (), (missing,))
    held = list(itertools.takewhile(lambda b: b is not why, test.bounds))
    both = " and ".join(b.text(_known(metrics, b)) for b in held)
    cited = test.bounds[0].citation
    if value:
        text = f"{both} ({test.name})"
        return _Outcome(test.eccn, test.paragraph, (_finding(test.id, text, cited),), ())
    assert why is not None
    fails = why.text(_known(metrics, why), held=False)
    text = (
        f"{both} but {fails}: outside the {test.name}"
        if held
        else _capital(f"{fails} ({test.name})")
    )
    return _Outcome(NOT_3A090, None, (_finding(test.id, text, cited),), ())


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _known(metrics: Metrics, b: _Bound) -> float:
    value = metrics[b.metric]
    assert value is not None
    return value


def _tier_outcome(test: _TierTest, metrics: Metrics, datacenter: bool | None) -> _Outcome:
    tpp = _known(metrics, _TPP)
    floor = test.note2_tpp_min
    if datacenter is None and tpp < floor:
        yes = _tier_outcome(test, metrics, True)
        if yes.eccn == NOT_3A090:
            return yes
        missing = _missing(
            "datacenter",
            "Is the chip designed or marketed for use in datacenters?",
            {
                "yes": yes.paragraph or yes.eccn,
                "no": f"{NOT_3A090} (Note 2: TPP {_fmt(tpp)} < {_fmt(floor)})",
            },
        )
        return _Outcome(INDETERMINATE, None, (), (missing, *yes.missing))
    if datacenter is False and tpp < floor:
        text = f"Not designed or marketed for datacenters and TPP {_fmt(tpp)} < {_fmt(floor)}: 3A090 does not apply"
        return _Outcome(NOT_3A090, None, (_finding("3A090.note2", text, test.note2),), ())
    if tpp < test.floor:
        text = f"TPP {_fmt(tpp)} is below every 3A090 TPP threshold"
        return _Outcome(NOT_3A090, None, (_finding("3A090.thresholds", text, test.note2),), ())
    row, why = _match(test.rows, metrics)
    if why is not None:
        options = _area_outcomes(test, metrics)
        missing = _missing(
            "die_area_mm2",
            "What is the applicable die area (all non-planar logic dies, mm2)?",
            {label: tier for label, _, tier in options},
        )
        eccns = {eccn for _, eccn, _ in options}
        eccn = eccns.pop() if len(eccns) == 1 else INDETERMINATE
        return _Outcome(eccn, None, (), (missing,))
    pd = metrics["performance_density"]
    if row is None:
        both = f"TPP {_fmt(tpp)}" + (f", PD {pd:.2f}" if pd is not None else "")
        text = f"{both}: below every 3A090.a/.b threshold"
        found = _finding("3A090.thresholds", text, test.table.citation)
        return _Outcome(NOT_3A090, None, (found,), ())
    if all(b.metric == "tpp" for b in row.bounds):
        text = f"TPP {_fmt(tpp)} " + " and ".join(f"{b.op} {_fmt(b.limit)}" for b in row.bounds)
    else:
        text = f"TPP {_fmt(tpp)}, PD {pd:.2f}: " + _range_text(row.bounds)
    findings: tuple[Finding, ...] = (_finding(row.name, text, row.citation),)
    if datacenter is False:
        text = (
            f"Not designed or marketed for datacenters but TPP {_fmt(tpp)} >= {_fmt(floor)}: "
            f"stays {row.eccn} (License Exception NAC may be available)"
        )
        findings += (_finding("3A090.note2", text, test.note2),)
    return _Outcome(row.eccn, row.name, findings, ())


_TPP = _Bound("tpp", ">=", operator.ge, 0.0, "TPP", Citation())


def _area_outcomes(test: _TierTest, metrics: Metrics) -> list[tuple[str, str, str]]:
    """With die area unknown: (range of applicable die area, ECCN, label) for each PD range."""
    tpp = _known(metrics, _TPP)
    lowest = test.density_bands[-1][1]
    assert lowest is not None
    merged: list[tuple[float, float | None, str | None, str]] = []
    for lo, hi in test.density_bands:
        probe = {**metrics, "performance_density": lo if lo > 0 else lowest / 2}
        row, _ = _match(test.rows, probe)
        name, eccn = (row.name, row.eccn) if row else (None, NOT_3A090)
        if merged and merged[-1][2] == name:
            merged[-1] = (lo, merged[-1][1], name, eccn)
        else:
            merged.append((lo, hi, name, eccn))
    out = []
    for lo, hi, name, eccn in merged:
        small = f"{_fmt(tpp / hi)} mm2 < " if hi else ""
        big = f"area <= {_fmt(tpp / lo)} mm2" if lo > 0 else "area"
        label = f"{small}{big}" if lo > 0 else f"area > {_fmt(tpp / hi)} mm2" if hi else big
        shown = eccn if name in (None, eccn) else f"{eccn} ({name})"
        out.append((f"applicable die area: {label}", eccn, shown))
    return out


def _computer_outcome(ic: _Outcome, law: _Law) -> _Outcome:
    """4A090: computers, assemblies and components containing 3A090 ICs."""
    if ic.eccn in (NOT_3A090, INDETERMINATE):
        reading = "not 4A090" if ic.eccn == NOT_3A090 else INDETERMINATE
        return _Outcome(reading, None, ic.findings, ic.missing)
    eccn, found = law.computer[ic.eccn]
    return _Outcome(eccn or "not 4A090", eccn, (*ic.findings, found), ic.missing)


def _hbm_outcome(metrics: Metrics, law: _Law) -> _Outcome:
    test = law.hbm
    if isinstance(test, Finding):
        return _Outcome(NOT_3A090, None, (test,), ())
    value, why = _test(test.bounds, metrics)
    if value is None:
        assert why is not None
        missing = _missing(
            why.metric,
            _QUESTION[why.metric],
            {f"{why.op} {why.limit}": test.eccn, f"{_NEGATED[why.op]} {why.limit}": NOT_3A090},
        )
        return _Outcome(INDETERMINATE, None, (), (missing,))
    b = test.bounds[0] if value else why
    assert b is not None
    text = b.text(_known(metrics, b), held=value)
    found = (_finding(test.id, _capital(text), b.citation),)
    if not value:
        return _Outcome(NOT_3A090, None, found, ())
    extra = (law.hbm_compliance,) if law.hbm_compliance else ()
    return _Outcome(test.eccn, test.paragraph, found + extra, ())


# -- the Jan-2026 window and the Section 232 bands --------------------------------------------------
def _zone(metrics: Metrics, law: _Law) -> tuple[bool | None, Finding | None, MissingFact | None]:
    """The Jan-2026 case-by-case window: every bound of the window holds."""
    test = law.window
    if isinstance(test, Finding):
        return False, test, None
    value, why = _test(test.bounds, metrics)
    if value is False:
        assert why is not None
        text = f"Outside the Jan-2026 window: {why.text(_known(metrics, why), held=False)}"
        return False, _finding(test.id, text, why.citation), None
    limits = " and ".join(f"{_LABEL[b.metric]} {b.limit_text()}" for b in test.bounds)
    if value is None:
        assert why is not None
        missing = _missing(
            _FACT.get(why.metric, why.metric),
            f"Needed for the Jan-2026 window ({limits})",
            {
                "inside both limits": "in the case-by-case window",
                "at or above either": "outside the window",
            },
        )
        return None, None, missing
    inside = " and ".join(b.text(_known(metrics, b)) for b in test.bounds)
    text = f"Inside the Jan-2026 window: {inside}"
    return True, _finding(test.id, text, test.bounds[0].citation), None


def _sec232(metrics: Metrics, law: _Law, out: _Notes) -> tuple[str | None, float | None]:
    if law.duty_cite is None:
        return None, None
    unknown = next((m for m in ("tpp", "dram_bandwidth_gbs") if metrics[m] is None), None)
    if unknown is not None:
        outcomes = {r.name: f"{r.extra['duty_rate']:.0%} duty" for r in law.duty}
        out.missing.append(
            _missing(
                _FACT.get(unknown, unknown),
                "Needed to place the item in the Section 232 duty bands",
                outcomes | {"none": "no duty"},
            )
        )
        return None, None
    band, _ = _match(law.duty, metrics)
    if band is None:
        out.add("sec232.band", "Outside both Section 232 duty bands", law.duty_cite)
        return None, None
    rate = float(band.extra["duty_rate"])
    text = (
        f"In Section 232 {band.name}: {_range_text(band.bounds)}: "
        f"{rate:.0%} duty on import unless a use-based exemption applies"
    )
    out.add("sec232.band", text, law.duty_cite)
    return band.name, rate


@dataclass
class _Notes:
    findings: list[Finding]
    missing: list[MissingFact]

    def add(self, rule: str, text: str, citation: Citation) -> None:
        self.findings.append(_finding(rule, text, citation))


# -- interpretations: readings of the law that are not a comparison, each named and cited -------------
PER_IC = "15 CFR 774 Supp. 1, ECCN 3A090, Technical Note"
"""per_ic_split: 3A090 classifies integrated circuits, so a card carrying several ICs is measured
per IC, its TPP and die area divided evenly between them (catalog.compute_metrics); the even split
is an assumption the finding states."""


def _us_available(ic: Accelerator, law: _Law, out: _Notes) -> bool | None:
    """us_commercial_availability (15 CFR 742.6(b)(10)(iii)(A)(1)): evidence that the item was
    commercially available in the US before the rule's date; a year is read as before the date
    only when it is an earlier year (the same year could be after it)."""
    if law.availability is None:
        return None
    required, cutoff = law.availability
    if not required.value:
        out.add(
            "jan2026.availability",
            "US commercial availability is not required under the active overlay",
            required.citation,
        )
        return None
    avail = ic.us_availability
    note = f" ({avail.note.rstrip('.')})" if avail.note else ""
    if avail.available is False:
        out.add(
            "jan2026.availability",
            f"Not commercially available in the US{note}: ineligible for the Jan-2026 window",
            required.citation,
        )
        return False
    if avail.available is None or avail.since_year is None or avail.since_year >= cutoff.year:
        out.missing.append(
            _missing(
                "us_availability",
                f"Was the item commercially available in the US on {cutoff}?",
                {
                    "yes": "eligible for the Jan-2026 window",
                    "no": "ineligible: presumption of denial stays",
                },
            )
        )
        return None
    out.add(
        "jan2026.availability",
        f"Commercially available in the US since {avail.since_year}, before {cutoff}",
        required.citation,
    )
    return True


def _tf32_ambiguity(
    readings: list[tuple[int, _Outcome, ChipMetrics, bool | None]], law: _Law, out: _Notes
) -> None:
    """tf32_bit_length (15 CFR 774 Supp. 1, ECCN 3A090, Technical Note: "bit length of the inputs
    to the multiply"): TF32 is a 19-bit format in 32-bit containers; when it sets the TPP every
    reading is reported, and a legal ambiguity is raised when the readings disagree."""
    outcomes: dict[str, str] = {}
    _, primary, _, zone = readings[0]
    differs = False
    for bits, outcome, m, z in readings:
        where = "inside" if z else "outside" if z is False else "unknown"
        outcomes[f"TF32 counted as {bits} bits"] = (
            f"TPP {_fmt(m.tpp or 0.0)}: {outcome.paragraph or outcome.eccn}; Jan-2026 window: {where}"
        )
        differs |= outcome.eccn != primary.eccn or z != zone
    out.add(
        "tpp.tf32",
        f"TF32 throughput sets the TPP and its bit length is ambiguous (19-bit format in 32-bit containers); "
        f"this answer counts it as {readings[0][0]} bits. "
        + "; ".join(f"{k} -> {v}" for k, v in outcomes.items()),
        law.readings_cite,
    )
    if differs:
        out.missing.append(
            _missing(
                "tf32_bit_length",
                "Does TPP count TF32 at 19 bits (format width) or 32 bits (container width)?",
                outcomes,
                ambiguity=True,
            )
        )


def _computer_window_ambiguity(aggregate: float, zone: bool | None, law: _Law, out: _Notes) -> None:
    """computer_window (15 CFR 742.6(b)(10)(iii)(A)(1)): the window's TPP limit is written for an
    item; for a computer inside it per IC but not in aggregate, the rule does not say which
    applies, so both are shown."""
    if not zone or isinstance(law.window, Finding):
        return
    limit = next(b for b in law.window.bounds if b.metric == "tpp")
    if aggregate >= limit.limit:
        out.missing.append(
            _missing(
                "jan2026_per_ic_or_aggregate",
                "Does the Jan-2026 TPP limit apply per IC or to the whole computer?",
                {
                    "per IC": "inside the window",
                    f"aggregate (TPP {_fmt(aggregate)})": "outside the window",
                },
                ambiguity=True,
            )
        )
        out.add(
            "jan2026.computer",
            f"Per IC the item is inside the window, but the computer's aggregate TPP {_fmt(aggregate)} is not; the rule does not say which applies",
            limit.citation,
        )


# -- classify ---------------------------------------------------------------------------------------
def _eccn(
    item: Accelerator, ic: Accelerator, law: _Law, bits: int
) -> tuple[_Outcome, ChipMetrics, Metrics]:
    """The item's ECCN under one TF32 reading."""
    m = compute_metrics(ic, law.bits[bits])
    metrics = _metrics(ic, m)
    if item.kind == "hbm_stack":
        return _hbm_outcome(metrics, law), m, metrics
    outcome = _ic_outcome(metrics, ic.datacenter, law)
    if item.kind == "computer":
        outcome = _computer_outcome(outcome, law)
    return outcome, m, metrics


def _tf32_matters(ic: Accelerator, m: ChipMetrics, law: _Law) -> bool:
    tf32 = ic.dense_tflops.tf32
    if tf32 is None:
        return False
    base = m.tpp or 0.0
    if "tf32" in m.tpp_precisions:  # the TPP without TF32
        base = compute_metrics(ic, law.bits[0]).tpp or 0.0
    return any(tf32 * bits / ic.ics_per_unit > base for bits in law.readings)


def classify(
    item: Accelerator,
    regime: Regime | dt.date | str,
    overlays: Iterable[str] = (),
    catalog: Catalog | None = None,
) -> Classification:
    """Classify one chip (or computer, or HBM stack) on the regime's date."""
    if not isinstance(regime, Regime):
        regime = Regime.at(regime, overlays)
    if item.kind == "computer" and not isinstance(item.contains, Accelerator):
        raise InputError("item.contains", "a computer must name the accelerator it contains")
    law = _law(regime)
    ic = item.contains if isinstance(item.contains, Accelerator) else item
    if item.kind != "computer":
        ic = item
    first = law.readings[0]
    outcome, m, metrics = _eccn(item, ic, law, first)
    hbm = item.kind == "hbm_stack"
    zone, zone_finding, zone_missing = (None, None, None) if hbm else _zone(metrics, law)
    out = _Notes([], [])
    if m.ics_per_unit > 1:
        out.add(
            "3A090.per_ic",
            f"3A090 applies per integrated circuit: the unit carries {m.ics_per_unit} ICs, so TPP and "
            "die area are divided evenly between them (assumption)",
            law.per_ic,
        )
    if not hbm and _tf32_matters(ic, m, law):
        readings = [(first, outcome, m, zone)]
        for bits in law.readings[1:]:
            o, mm, mx = _eccn(item, ic, law, bits)
            readings.append((bits, o, mm, _zone(mx, law)[0]))
        _tf32_ambiguity(readings, law, out)
    out.findings.extend(outcome.findings)
    out.missing.extend(outcome.missing)
    if zone_finding is not None:
        out.findings.append(zone_finding)
    if zone_missing is not None:
        out.missing.append(zone_missing)
    controlled = (
        None if outcome.eccn == INDETERMINATE else outcome.eccn.startswith(("3A090", "4A090"))
    )
    if zone and controlled is False:
        out.add(
            "jan2026.relevance",
            "The window only changes review policy for items 3A090/4A090 control; this item needs no 3A090 license",
            _cited("15 CFR 742.6(b)(10)"),
        )
    available = None if hbm else _us_available(ic, law, out)
    band, rate = (None, None) if hbm else _sec232(metrics, law, out)
    aggregate = None
    if item.kind == "computer" and m.tpp is not None and item.contains_count:
        aggregate = m.tpp * m.ics_per_unit * item.contains_count
        _computer_window_ambiguity(aggregate, zone, law, out)
    out.findings.extend(law.context)
    eccn, status = eccn_fields(outcome.eccn)
    values = {
        "name": item.name,
        "item_id": item.key,
        "kind": item.kind,
        "tpp": m.tpp,
        "tpp_precisions": list(m.tpp_precisions),
        "tf32_bits": first,
        "performance_density": m.performance_density,
        "applicable_die_area_mm2": m.applicable_die_area_mm2,
        "total_dram_bandwidth_gbs": ic.dram_bandwidth_gbs,
        "interconnect_gbs": ic.interconnect_gbs,
        "datacenter": ic.datacenter,
        "aggregate_tpp": aggregate,
        "hbm_bandwidth_density_gbs_per_mm2": item.hbm_bandwidth_density_gbs_per_mm2,
        "eccn": eccn,
        "eccn_status": status,
        "eccn_paragraph": outcome.paragraph,
        "controlled": controlled,
        "jan2026_case_by_case_zone": zone,
        "jan2026_us_available_at_publication": available,
        "sec232_band": band,
        "sec232_duty_rate": rate,
        "equivalents": _equivalents(m, law, first, catalog),
        "findings": with_roles(out.findings, regime),
        "missing_facts": out.missing,
        "regime": regime.as_dict(),
    }
    return _typed(Classification, _CLASSIFICATION_SET, values)


def _equivalents(
    m: ChipMetrics, law: _Law, tf32_bits: int, catalog: Catalog | None
) -> dict[str, dict[str, float | None]]:
    cat = catalog or Catalog.bundled()
    refs = law.references.get((cat.token, tf32_bits))
    if refs is None:
        refs = law.references[(cat.token, tf32_bits)] = cat.reference_metrics(law.bits[tf32_bits])
    return {name: equivalents(m, ref) for name, ref in refs.items()}

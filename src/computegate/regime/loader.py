"""Load and cross-check the regime data files; every problem names file, key and what is wrong."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from computegate.io import ISO_ALPHA2, DataFileError, read_yaml, validate_file
from computegate.regime.schema import (
    AmendmentFile,
    ClassificationFile,
    Fact,
    FindingSpec,
    Group,
    GroupsFile,
    Instrument,
    InstrumentsFile,
    Membership,
    Meta,
    OverlayFile,
    Parameter,
    ParametersFile,
    Period,
    ProvisionFile,
    RuleEntry,
    RulesFile,
    Version,
    When,
)

_tokens = itertools.count(1)


class RuleRegistry:
    """Every rule id a finding may carry (rules.yaml), with its role; "x.*" entries cover families."""

    def __init__(self, entries: Mapping[str, RuleEntry]) -> None:
        self.entries = dict(entries)
        self._families = sorted(
            ((k.removesuffix("*"), v) for k, v in entries.items() if k.endswith(".*")),
            key=lambda kv: -len(kv[0]),
        )
        self._resolved: dict[str, RuleEntry | None] = {}

    def get(self, rule: str) -> RuleEntry | None:
        if rule not in self._resolved:
            entry = self.entries.get(rule)
            if entry is None:
                entry = next((v for prefix, v in self._families if rule.startswith(prefix)), None)
            self._resolved[rule] = entry
        return self._resolved[rule]

    def role(self, rule: str) -> Literal["decisive", "context"]:
        """Decisive or context; an unregistered id (a defect a test catches) counts as context."""
        entry = self.get(rule)
        return entry.role if entry is not None else "context"


@dataclass(frozen=True)
class RegimeData:
    """Everything the regime files say, validated; immutable."""

    meta: Meta
    instruments: Mapping[str, Instrument]
    parameters: Mapping[str, Parameter]
    groups: Mapping[str, Group]
    overlays: Mapping[str, OverlayFile]
    rules: RuleRegistry
    provisions: Mapping[str, ProvisionFile] = field(default_factory=dict)
    classification: ClassificationFile | None = None  # classification.yaml (rules/classify.py)
    token: int = field(default_factory=lambda: next(_tokens))  # identity for memo keys
    breakpoints: tuple[dt.date, ...] = field(init=False)
    # what the rules layer compiles from this data once (the provisions as closures)
    compiled: dict[Any, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "breakpoints", _breakpoints(self))

    def period_index(self, date: dt.date) -> int:
        """Dates with the same index see the same law (every value, membership and compared date)."""
        return bisect.bisect_right(self.breakpoints, date)


def _breakpoints(data: RegimeData) -> tuple[dt.date, ...]:
    """Every date on which anything the rules read can change, overlays included."""
    points: set[dt.date] = {
        data.meta.coverage_start,
        data.meta.knowledge_horizon + dt.timedelta(days=1),
    }

    def periods(all_periods: Iterable[Period]) -> None:
        for p in all_periods:
            points.add(p.effective)
            points.update(d for d in (p.compliance, p.end and p.end + dt.timedelta(days=1)) if d)
            if isinstance(p.value, dt.date):
                points.add(p.value)

    def members(entries: Iterable[Membership]) -> None:
        for m in entries:
            points.add(m.since)
            if m.until:
                points.add(m.until + dt.timedelta(days=1))

    for param in data.parameters.values():
        periods(param.periods)
    for group in data.groups.values():
        members(group.members)
    for prov in data.provisions.values():
        for v in prov.versions:
            points.update(d for d in (v.effective, v.end and v.end + dt.timedelta(days=1)) if d)
    for ov in data.overlays.values():
        for plist in ov.parameters.values():
            periods(plist)
        for mlist in ov.groups.values():
            members(mlist)
    return tuple(sorted(points))


def _check_value(path: Path, key: str, ptype: str, value: Any) -> None:
    def bad(problem: str) -> DataFileError:
        return DataFileError(str(path), key, problem)

    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if ptype == "number" and not is_number:
        raise bad(f"expected a number, got {value!r}")
    if ptype == "bool" and not isinstance(value, bool):
        raise bad(f"expected true/false, got {value!r}")
    if ptype == "date" and not isinstance(value, dt.date):
        raise bad(f"expected a date (YYYY-MM-DD), got {value!r}")
    if ptype == "string" and not isinstance(value, str):
        raise bad(f"expected a string, got {value!r}")
    if ptype == "string_list" and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise bad(f"expected a list of strings, got {value!r}")
    if ptype == "conditions" and not (
        isinstance(value, list)
        and all(isinstance(c, dict) and {"id", "text", "cfr"} <= c.keys() for c in value)
    ):
        raise bad("expected a list of conditions, each with id, text and cfr")
    if ptype == "number_list" and not (
        isinstance(value, list) and all(isinstance(v, int | float) for v in value)
    ):
        raise bad(f"expected a list of numbers, got {value!r}")
    if ptype == "mapping" and not (
        isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values())
    ):
        raise bad(f"expected a mapping of numbers, got {value!r}")
    if ptype == "country_list":
        if not isinstance(value, list):
            raise bad(f"expected a list of ISO country codes, got {value!r}")
        _check_codes(path, key, value)
    if ptype == "tiers":
        bounds = {"tpp_min", "tpp_lt", "pd_min", "pd_lt"}
        if not isinstance(value, list) or not value:
            raise bad("expected a non-empty list of tiers")
        for i, tier in enumerate(value):
            if not isinstance(tier, dict) or not isinstance(tier.get("paragraph"), str):
                raise bad(f"tier {i}: needs a paragraph (e.g. 3A090.a.1)")
            extra = set(tier) - bounds - {"paragraph", "cfr"}
            if extra:
                raise bad(f"tier {i}: unknown key(s) {sorted(extra)}")
            if "tpp_min" not in tier or not all(
                isinstance(tier[k], int | float) and not isinstance(tier[k], bool)
                for k in bounds & set(tier)
            ):
                raise bad(f"tier {i}: needs a numeric tpp_min, and numeric bounds")
    if ptype == "letters" and not (
        isinstance(value, list)
        and all(isinstance(c, dict) and {"id", "items", "destinations"} <= c.keys() for c in value)
    ):
        raise bad("expected a list of letters, each with id, items and destinations")
    if ptype == "bands":
        need = {"name", "tpp_gt", "tpp_lt", "dram_bandwidth_gt_gbs", "dram_bandwidth_lt_gbs"}
        if not isinstance(value, list) or not all(
            isinstance(b, dict) and need <= b.keys() for b in value
        ):
            raise bad(f"expected a list of bands each with {sorted(need)}")


def _check_codes(path: Path, key: str, codes: Iterable[Any]) -> None:
    for code in codes:
        if code not in ISO_ALPHA2:
            hint = " (YAML reads an unquoted NO as false: quote it)" if code is False else ""
            raise DataFileError(str(path), key, f"{code!r} is not an ISO 3166-1 alpha-2 code{hint}")


def _check_periods(
    path: Path, key: str, ptype: str, periods: list[Period], instruments: Mapping[str, Instrument]
) -> None:
    for i, period in enumerate(periods):
        pkey = f"{key}.periods.{i}"
        if period.source not in instruments:
            raise DataFileError(
                str(path), f"{pkey}.source", f"unknown instrument {period.source!r}"
            )
        _check_value(path, f"{pkey}.value", ptype, period.value)
    ordered = sorted(periods, key=lambda p: p.effective)
    for prev, cur in itertools.pairwise(ordered):
        if prev.end is None or prev.end >= cur.effective:
            raise DataFileError(
                str(path),
                f"{key}.periods",
                f"period starting {cur.effective} overlaps an earlier one",
            )


def _check_memberships(
    path: Path, key: str, members: list[Membership], instruments: Mapping[str, Instrument]
) -> None:
    for i, entry in enumerate(members):
        ekey = f"{key}.members.{i}"
        if entry.source not in instruments:
            raise DataFileError(str(path), f"{ekey}.source", f"unknown instrument {entry.source!r}")
        _check_codes(path, f"{ekey}.codes", entry.codes)
    for code in {c for m in members for c in m.codes}:
        spans = sorted((m.since, m.until or dt.date.max) for m in members if code in m.codes)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start <= end:
                raise DataFileError(str(path), key, f"{code} has overlapping entries from {start}")


def load_regime_data(directory: Path | None = None) -> RegimeData:
    """Load instruments, parameters, country groups and overlays from a data directory."""
    base = directory or Path(str(resources.files("computegate.regime") / "data"))
    ipath = base / "instruments.yaml"
    ifile = validate_file(ipath, InstrumentsFile, read_yaml(ipath))
    instruments: dict[str, Instrument] = {}
    for i, inst in enumerate(ifile.instruments):
        if inst.id in instruments:
            raise DataFileError(str(ipath), f"instruments.{i}.id", f"duplicate id {inst.id!r}")
        instruments[inst.id] = inst

    ppath = base / "parameters.yaml"
    pfile = validate_file(ppath, ParametersFile, read_yaml(ppath))
    gpath = base / "country_groups.yaml"
    gfile = validate_file(gpath, GroupsFile, read_yaml(gpath))

    params = dict(pfile.parameters)
    groups = dict(gfile.groups)
    for apath in sorted((base / "amendments").glob("*.yaml")):
        _apply_amendment(apath, instruments, params, groups)
    for name, param in params.items():
        _check_periods(ppath, f"parameters.{name}", param.type, param.periods, instruments)
    for gname, group in groups.items():
        _check_memberships(gpath, f"groups.{gname}", group.members, instruments)

    overlays: dict[str, OverlayFile] = {}
    for opath in sorted((base / "overlays").glob("*.yaml")):
        overlay = load_overlay(opath, instruments, params, groups)
        if overlay.name in overlays:
            raise DataFileError(str(opath), "name", f"duplicate overlay name {overlay.name!r}")
        overlays[overlay.name] = overlay
    rpath = base / "rules.yaml"
    steps = validate_file(rpath, RulesFile, read_yaml(rpath)).rules
    provisions = load_provisions(base / "provisions", params, steps)
    entries = {
        **steps,
        **{p.id: RuleEntry(title=p.title, role=p.role) for p in provisions.values()},
    }
    registry = RuleRegistry(entries)
    classification = load_classification(base, instruments, params)
    return RegimeData(
        ifile.meta, instruments, params, groups, overlays, registry, provisions, classification
    )


def load_classification(
    base: Path, instruments: Mapping[str, Instrument], params: Mapping[str, Parameter]
) -> ClassificationFile:
    """classification.yaml of the directory (the bundled one if it has none), checked against the
    parameters and instruments it names and the columns its band tables use."""
    path = base / "classification.yaml"
    if not path.exists():
        path = Path(str(resources.files("computegate.regime") / "data" / "classification.yaml"))
    spec = validate_file(path, ClassificationFile, read_yaml(path))
    bounds = [b for t in spec.ic for b in t.bounds] + spec.hbm.bounds + spec.window.bounds
    tables = {t.table for t in spec.ic if t.table} | {spec.duty.table}
    names = {b.parameter for b in bounds} | tables
    names |= {t.not_datacenter_tpp_min for t in spec.ic if t.not_datacenter_tpp_min}
    names |= {r.requires for r in spec.computer if r.requires}
    unknown = sorted(names - set(params))
    if unknown:
        raise DataFileError(str(path), unknown[0], "no such parameter")
    for inst in (spec.created_by, spec.hbm.created_by, spec.window.created_by):
        if inst not in instruments:
            raise DataFileError(str(path), inst, "no such instrument")
    for table in sorted(tables):
        for period in params[table].periods:
            for i, row in enumerate(period.value):
                keys = sorted(
                    set(row) - {"paragraph", "cfr", "name", "duty_rate"} - set(spec.columns)
                )
                if keys:
                    problem = f"{table} row {i} uses {keys[0]!r}, which no column declares"
                    raise DataFileError(str(path), "columns", problem)
    return spec


def load_provisions(
    directory: Path, params: Mapping[str, Parameter], steps: Mapping[str, RuleEntry]
) -> dict[str, ProvisionFile]:
    """Every provision file (one provision each), checked against the parameters it reads and the
    rule ids its findings carry; a provision's id must not repeat a rules.yaml step id."""
    provisions: dict[str, tuple[Path, ProvisionFile]] = {}
    for path in sorted(directory.glob("*.yaml")):
        prov = validate_file(path, ProvisionFile, read_yaml(path))
        if prov.id in provisions or prov.id in steps:
            raise DataFileError(str(path), "id", f"duplicate rule id {prov.id!r}")
        provisions[prov.id] = (path, prov)
    for pid, (path, prov) in provisions.items():
        provisions[pid] = (path, _with_conditions(path, prov, provisions))
    for path, prov in provisions.values():
        for i, version in enumerate(prov.versions):
            key = f"versions.{i}"
            for name in _parameters_read(version):
                if name not in params:
                    raise DataFileError(str(path), key, f"no such parameter {name!r}")
            for text in _texts(version):
                for name in _NOTES_IN.findall(text):
                    if name not in params:
                        raise DataFileError(
                            str(path), key, f"no such parameter {name!r} in {text!r}"
                        )
                for pair in _LISTS_IN.findall(text):
                    for name in (n for n in pair if n != "-" and n not in params):
                        raise DataFileError(
                            str(path), key, f"no such parameter {name!r} in {text!r}"
                        )
                for name in _PLACEHOLDER.findall(text):
                    if name not in params and name not in FACTS:
                        raise DataFileError(
                            str(path),
                            key,
                            f"{{{name}}} in {text!r} is neither a fact nor a parameter",
                        )
            for f in (*version.then.findings, *version.else_.findings, *version.if_unknown):
                if f.rule and f.rule not in provisions and f.rule not in steps:
                    raise DataFileError(str(path), key, f"unregistered rule id {f.rule!r}")
            for e in (version.then, version.else_):
                if e.outcome_from is not None and f"{e.outcome_from.rule}.*" not in steps:
                    problem = f"outcome_from.rule {e.outcome_from.rule!r}: no {e.outcome_from.rule}.* in rules.yaml"
                    raise DataFileError(str(path), key, problem)
    return {k: prov for k, (_, prov) in provisions.items()}


def _parameters_read(version: Version) -> set[str]:
    names = set(version.requires)
    for effect in (version.then, version.else_):
        names.update(x for x in (effect.review_policy_from,) if x)
        names.update(x.cite for x in effect.conditions if x.cite)
        names.update(x.parameter for x in (effect.conditions_from,) if x)
    for f in (*version.then.findings, *version.else_.findings, *version.if_unknown):
        names.update(x for x in (f.cite,) if x)
        names.update(f.cite_also)
        if f.if_ is not None:
            names.update(_condition_parameters(f.if_))
    if version.when is not None:
        names.update(_condition_parameters(version.when))
    return names


_PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::[^{}]*)?\}")
_LISTS_IN = re.compile(r"\{[^{}:]+:in:([^{}:]+):([^{}:]+):")  # {fact:in:GROUPS:NAMED:sep}
_NOTES_IN = re.compile(r"\{[^{}:]+:notes:([^{}:]+)\}")  # {place:notes:GROUPS}
FACTS = frozenset(get_args(Fact))


def _texts(version: Version) -> list[str]:
    """Every template a version holds (findings, conditions, questions and their outcomes)."""
    effects = (version.then, version.else_)
    texts = [x.text for e in effects for x in e.findings] + [
        x.text for e in effects for x in e.conditions
    ]
    texts += [x.text for x in version.if_unknown]
    for ask in version.ask.values():
        texts += [ask.question, *ask.outcomes, *ask.outcomes.values()]
    for source in (e.outcome_from for e in effects if e.outcome_from is not None):
        texts += [
            source.if_none.question,
            *source.if_none.outcomes,
            *source.if_none.outcomes.values(),
        ]
    return texts


def _condition_parameters(node: When) -> set[str]:
    names: set[str] = set()
    if node.compare is not None:
        names.add(node.compare.parameter)
    if node.member is not None:
        names.update(x for x in (node.member.groups, node.member.named, node.member.disputed) if x)
    if node.has is not None and node.has.parameter:
        names.add(node.has.parameter)
    if node.parameter is not None:
        names.add(node.parameter.name)
    for child in (*(node.all or ()), *(node.any or ()), node.not_, node.certain):
        if child is not None:
            names.update(_condition_parameters(child))
    return names


def _with_conditions(
    path: Path, prov: ProvisionFile, provisions: Mapping[str, tuple[Path, ProvisionFile]]
) -> ProvisionFile:
    """The provision with each `condition_of` node replaced by the condition it names (that
    provision must have one version, with a `when`); a reference back to itself is an error."""

    def expand(node: When, seen: tuple[str, ...]) -> When:
        if node.condition_of is not None:
            ref = node.condition_of
            target = provisions.get(ref)
            if ref in seen or target is None or len(target[1].versions) != 1:
                problem = (
                    "refers back to itself" if ref in seen else "is not a one-version provision"
                )
                raise DataFileError(str(path), "condition_of", f"{ref!r} {problem}")
            when = target[1].versions[0].when
            if when is None:
                raise DataFileError(str(path), "condition_of", f"{ref!r} has no condition")
            return expand(when, (*seen, ref))
        update: dict[str, Any] = {}
        for key in ("all", "any"):
            parts = getattr(node, key)
            new = [expand(p, seen) for p in parts] if parts is not None else []
            if any(x is not y for x, y in zip(new, parts or (), strict=True)):
                update[key] = new
        for key in ("not_", "certain"):
            part = getattr(node, key)
            if part is not None and (one := expand(part, seen)) is not part:
                update[key] = one
        return node.model_copy(update=update) if update else node

    def finding(f: FindingSpec) -> FindingSpec:
        cond = expand(f.if_, top) if f.if_ is not None else None
        return f if cond is f.if_ else f.model_copy(update={"if_": cond})

    top = (prov.id,)
    versions = []
    for v in prov.versions:
        update: dict[str, Any] = {}
        if v.when is not None and (when := expand(v.when, top)) is not v.when:
            update["when"] = when
        for key in ("then", "else_"):
            effect = getattr(v, key)
            found = [finding(f) for f in effect.findings]
            if any(x is not y for x, y in zip(found, effect.findings, strict=True)):
                update[key] = effect.model_copy(update={"findings": found})
        unknown = [finding(f) for f in v.if_unknown]
        if any(x is not y for x, y in zip(unknown, v.if_unknown, strict=True)):
            update["if_unknown"] = unknown
        versions.append(v.model_copy(update=update) if update else v)
    changed = any(x is not y for x, y in zip(versions, prov.versions, strict=True))
    return prov.model_copy(update={"versions": versions}) if changed else prov


def _apply_amendment(
    path: Path,
    instruments: dict[str, Instrument],
    params: dict[str, Parameter],
    groups: dict[str, Group],
) -> None:
    """Fold one amendment file into the base regime (in place), as the instrument amends the law."""
    amendment = validate_file(path, AmendmentFile, read_yaml(path))
    inst = amendment.instrument
    if inst.id in instruments:
        raise DataFileError(str(path), "instrument.id", f"duplicate id {inst.id!r}")
    instruments[inst.id] = inst
    for name, change in amendment.parameters.items():
        key = f"parameters.{name}"
        old = params.get(name)
        if old is None:
            if change.description is None or change.type is None:
                raise DataFileError(
                    str(path), key, "a new parameter needs a description and a type"
                )
            _check_periods(path, key, change.type, change.periods, instruments)
            params[name] = Parameter(
                description=change.description, type=change.type, periods=change.periods
            )
            continue
        if change.type is not None and change.type != old.type:
            raise DataFileError(str(path), f"{key}.type", f"{name} is a {old.type}")
        _check_periods(path, key, old.type, change.periods, instruments)
        periods = list(old.periods)
        for new in sorted(change.periods, key=lambda p: p.effective):
            # from its effective date the amendment is the law: earlier periods end the day before,
            # periods the data had from that date on are replaced
            periods = [
                _ended_before(p, new.effective) for p in periods if p.effective < new.effective
            ]
            periods.append(new)
        params[name] = old.model_copy(update={"periods": periods})
    for gname, gchange in amendment.groups.items():
        group = groups.get(gname)
        if group is None:
            raise DataFileError(str(path), f"groups.{gname}", "no such country group")
        _check_memberships(path, f"groups.{gname}.add", gchange.add, instruments)
        members = list(group.members)
        for removal in gchange.remove:
            members = _removed(members, removal.codes, removal.effective, inst.id, removal.note)
        groups[gname] = group.model_copy(update={"members": [*members, *gchange.add]})


def _ended_before(period: Period, day: dt.date) -> Period:
    """A period still open on `day` ends the day before: the amendment supersedes it."""
    if period.effective < day and (period.end is None or period.end >= day):
        return period.model_copy(update={"end": day - dt.timedelta(days=1)})
    return period


def _removed(
    members: list[Membership], codes: list[str], day: dt.date, source: str, note: str | None
) -> list[Membership]:
    """Close each listed country's open entry the day before `day` (other codes keep the entry)."""
    out: list[Membership] = []
    for entry in members:
        leaving = [c for c in entry.codes if c in codes]
        open_on = entry.since < day and (entry.until is None or entry.until >= day)
        if not leaving or not open_on:
            out.append(entry)
            continue
        staying = [c for c in entry.codes if c not in codes]
        if staying:
            out.append(entry.model_copy(update={"codes": staying}))
        out.append(
            entry.model_copy(
                update={
                    "codes": leaving,
                    "until": day - dt.timedelta(days=1),
                    "note": note or f"removed by {source} from {day}",
                }
            )
        )
    return out


def load_overlay(
    path: Path,
    instruments: Mapping[str, Instrument],
    parameters: Mapping[str, Parameter],
    groups: Mapping[str, Group],
) -> OverlayFile:
    """Validate one overlay file against the base regime it modifies."""
    overlay = validate_file(path, OverlayFile, read_yaml(path))
    if overlay.source not in instruments:
        raise DataFileError(str(path), "source", f"unknown instrument {overlay.source!r}")
    for name, periods in overlay.parameters.items():
        target = parameters.get(name)
        if target is None:
            raise DataFileError(
                str(path), f"parameters.{name}", "no such parameter: declare it in the base regime"
            )
        _check_periods(path, f"parameters.{name}", target.type, periods, instruments)
    for gname, members in overlay.groups.items():
        if gname not in groups:
            raise DataFileError(str(path), f"groups.{gname}", "no such country group")
        _check_memberships(path, f"groups.{gname}", members, instruments)
    return overlay


def default_regime_data() -> RegimeData:
    """The bundled regime, read from the package (no module-level copy: an Engine keeps its own)."""
    return load_regime_data()

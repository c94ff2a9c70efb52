"""`Regime.at(date, overlays)`: what the law said on a date, with named what-if overlays on top."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from computegate.io.dates import parse_date
from computegate.io.errors import InputError
from computegate.model.findings import Citation, Confidence
from computegate.regime.loader import RegimeData, default_regime_data
from computegate.regime.schema import Instrument, Membership, Period

MemberAnswer = Literal["member", "ambiguous", "not_member"]


@dataclass(frozen=True)
class ParamValue:
    """One parameter's value on the regime date, with where it comes from."""

    name: str
    value: Any
    period: Period
    instrument: Instrument
    overlay: str | None

    @cached_property
    def citation(self) -> Citation:
        return cite(self.period.cfr, self.instrument, self.overlay, self.period.confidence)

    def cite_paragraph(self, cfr: str) -> Citation:
        """The instrument with a more precise CFR paragraph (for sub-items such as conditions)."""
        return cite(cfr, self.instrument, self.overlay, self.period.confidence)


@dataclass(frozen=True)
class GroupAnswer:
    """Whether a country is in a country group on the regime date, and why."""

    group: str
    code: str
    status: MemberAnswer
    entry: Membership | None
    instrument: Instrument | None
    overlay: str | None
    cfr: str

    @property
    def citation(self) -> Citation:
        conf = self.entry.confidence if self.entry is not None else None
        return cite(self.cfr, self.instrument, self.overlay, conf)


def cite(
    cfr: str,
    instrument: Instrument | None,
    overlay: str | None = None,
    confidence: Confidence | None = None,
) -> Citation:
    """CFR paragraph; FR cite (FR Doc) or the instrument's name; overlay when not enacted law.

    Confidence is the period's own when it has one, else the instrument's."""
    document = None
    if instrument is not None:
        fr = "; ".join(
            x for x in (instrument.fr, instrument.fr_doc and f"FR Doc {instrument.fr_doc}") if x
        )
        source = fr or instrument.cite_as or instrument.title
        if not (cfr and source.startswith(cfr)):
            document = source
    if overlay:
        document = "; ".join(p for p in (document, f"overlay {overlay} (not enacted law)") if p)
    return Citation(
        cfr=cfr or None,
        document=document,
        url=instrument.url if instrument else None,
        confidence=confidence or (instrument.confidence if instrument else None),
    )


class _Params(dict[str, "ParamValue | None"]):
    """Parameter values by name; a name no regime file declares is an error, not None."""

    def __missing__(self, name: str) -> ParamValue | None:
        raise KeyError(f"unknown regime parameter {name!r}")


@dataclass(frozen=True)
class _Law:
    """What every date of one period of the law (one overlay set) shares: parameter values and
    the answers the rules keep. Kept on the regime data, built by the first Regime of the period."""

    params: _Params
    answers: dict[tuple[str, ...], Any]


def _active(effective: dt.date, end: dt.date | None, on: dt.date) -> bool:
    return effective <= on and (end is None or on <= end)


class Regime:
    """The regime on one date with zero or more overlays. Immutable; build with `Regime.at`."""

    def __init__(self, data: RegimeData, date: dt.date, overlays: tuple[str, ...]) -> None:
        meta = data.meta
        if date < meta.coverage_start:
            raise InputError(
                "date", f"{date} is before the regime's coverage start {meta.coverage_start}"
            )
        unknown = [o for o in overlays if o not in data.overlays]
        if unknown:
            known = ", ".join(sorted(data.overlays)) or "none"
            raise InputError("overlays", f"unknown overlay {unknown[0]!r} (known: {known})")
        self.data = data
        self.date = date
        self.overlays = overlays
        self._iso = date.isoformat()
        # Value identity of this regime, and of the law in force (equal for every date between two
        # breakpoints), for memo keys.
        self.key: tuple[int, dt.date, tuple[str, ...]] = (data.token, date, overlays)
        self.period_key: tuple[int, int, tuple[str, ...]] = (
            data.token,
            data.period_index(date),
            overlays,
        )
        law = data.compiled.get(("regime", self.period_key))
        if law is None:
            law = data.compiled[("regime", self.period_key)] = _Law(self._resolve_params(), {})
        # every declared parameter (None where not in force on this date), resolved once per period
        self._params = law.params
        self.get = law.params.__getitem__
        # answers the rules ask again and again of the law in force, e.g. group scope: shared by
        # every date of the period, so only answers that depend on the law, never on the date
        self.answers: dict[tuple[str, ...], Any] = law.answers

    @classmethod
    def at(
        cls, date: dt.date | str, overlays: Iterable[str] = (), data: RegimeData | None = None
    ) -> Regime:
        """The regime in force on `date`, with the named overlays switched on (in order)."""
        when = parse_date(date)
        names = tuple(dict.fromkeys(overlays))
        if data is None:
            return cls(default_regime_data(), when, names)
        return cls(data, when, names)

    def _resolve_params(self) -> _Params:
        resolved = _Params(dict.fromkeys(self.data.parameters))
        layers: list[tuple[str | None, Mapping[str, list[Period]]]] = [
            (None, {n: p.periods for n, p in self.data.parameters.items()})
        ]
        for name in self.overlays:
            ov = self.data.overlays[name]
            layers.append((name, ov.parameters))
        for overlay, params in layers:  # later layers win where their period is active
            for pname, periods in params.items():
                for period in periods:
                    if _active(period.effective, period.end, self.date):
                        inst = self.data.instruments[period.source]
                        resolved[pname] = ParamValue(pname, period.value, period, inst, overlay)
        return resolved

    # -- parameters ---------------------------------------------------------------------------
    # get(name): the parameter's value on this date, or None if it is not in force; KeyError for
    # a name no file declares. Bound in __init__ to the period's dict lookup (rules ask it ~45 times
    # a decision, so no Python frame of its own).
    get: Callable[[str], ParamValue | None]

    def get_optional(self, name: str) -> ParamValue | None:
        """Like `get`, but an unknown name is simply absent (for callers probing optional data)."""
        return self._params.get(name)

    def number(self, name: str) -> float | None:
        pv = self.get(name)
        return None if pv is None else float(pv.value)

    # -- country groups -----------------------------------------------------------------------
    def membership(self, code: str, group: str) -> GroupAnswer:
        """Is `code` in `group` on this date? Overlay entries override base entries."""
        if group not in self.data.groups:
            raise KeyError(f"unknown country group {group!r}")
        cfr = self.data.groups[group].cfr
        layers: list[tuple[str | None, list[Membership]]] = [
            (None, self.data.groups[group].members)
        ]
        layers += [(o, self.data.overlays[o].groups.get(group, [])) for o in self.overlays]
        answer = GroupAnswer(group, code, "not_member", None, None, None, cfr)
        for overlay, entries in layers:
            for entry in entries:
                if code in entry.codes and _active(entry.since, entry.until, self.date):
                    inst = self.data.instruments[entry.source]
                    answer = GroupAnswer(group, code, entry.status, entry, inst, overlay, cfr)
        return answer

    def members(self, group: str) -> frozenset[str]:
        """Countries that are certainly members of `group` on this date (ambiguous ones excluded)."""
        codes = {c for layer in self._group_entries(group) for c in layer.codes}
        return frozenset(c for c in codes if self.membership(c, group).status == "member")

    def _group_entries(self, group: str) -> list[Membership]:
        entries = list(self.data.groups[group].members)
        for o in self.overlays:
            entries += self.data.overlays[o].groups.get(group, [])
        return entries

    # -- context ------------------------------------------------------------------------------
    @property
    def beyond_knowledge_horizon(self) -> bool:
        return self.date > self.data.meta.knowledge_horizon

    @cached_property
    def _on_horizon(self) -> Regime:
        return Regime(self.data, min(self.date, self.data.meta.knowledge_horizon), self.overlays)

    def scheduled_change(self, name: str) -> tuple[ParamValue | None, ParamValue | None] | None:
        """(value on the knowledge horizon, value the data schedules for this date), if they differ.

        Past the horizon the data cannot know whether a scheduled expiry, revival or sunset happened,
        so a decision resting on such a value must show both outcomes instead of assuming either.
        """
        if not self.beyond_knowledge_horizon:
            return None
        then, now = self._on_horizon.get(name), self.get(name)
        same = (then.value if then else None) == (now.value if now else None)
        return None if same else (then, now)

    def overlay_status(self) -> list[str]:
        """Human sentences naming each overlay's legal status."""
        out = []
        for name in self.overlays:
            ov = self.data.overlays[name]
            out.append(f"{name}: {ov.title} — {ov.status} as of {ov.status_date}; not enacted law")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"date": self._iso, "overlays": list(self.overlays)}

    def __repr__(self) -> str:
        return f"Regime.at({self.date.isoformat()!r}, overlays={list(self.overlays)!r})"

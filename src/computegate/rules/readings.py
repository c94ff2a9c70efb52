"""How the rules read a request's places and parties: Hong Kong as China, membership of a place in
a country group or list on a date (a disputed membership kept as such), and which list a screening
hit is on. Shared by the Python rules and the provision evaluator (rules/evaluate.py).
"""

from __future__ import annotations

from typing import Literal

from computegate.model.requests import ScreeningEvidence
from computegate.regime import Regime

Where = Literal["yes", "no", "ambiguous", "unknown"]


def china_equivalent(code: str | None, regime: Regime) -> str | None:
    """Hong Kong is China under the EAR."""
    pv = regime.get("ear.treated_as_china")
    return "CN" if pv is not None and code in pv.value else code


def where(
    code: str | None, regime: Regime, groups_param: str, named_param: str | None = None
) -> Where:
    """Is a place in the named list or one of the groups on this date? Ambiguous membership is kept."""
    if code is None:
        return "unknown"
    key = ("where", code, groups_param, named_param or "")
    answer: Where | None = regime.answers.get(key)
    if answer is None:
        answer = regime.answers[key] = _where(code, regime, groups_param, named_param)
    return answer


def _where(code: str, regime: Regime, groups_param: str, named_param: str | None) -> Where:
    named = regime.get(named_param) if named_param else None
    if named is not None and code in named.value:
        return "yes"
    groups = regime.get(groups_param)
    if groups is None:
        return "no"
    answers = {regime.membership(code, g).status for g in groups.value}
    return "yes" if "member" in answers else "ambiguous" if "ambiguous" in answers else "no"


def in_scope(code: str | None, regime: Regime, groups_param: str, named_param: str) -> bool:
    """Is `code` in the named places or certainly in one of the groups, on this date?"""
    return where(code, regime, groups_param, named_param) == "yes"


def listed_as(evidence: ScreeningEvidence | None) -> str | None:
    """Which list a screening hit is on, in the terms the rules use: entity_list, meu, uvl, other."""
    if evidence is None or not evidence.hit:
        return None
    source = (evidence.list_name or "").lower()
    if "entity list" in source:
        return "entity_list"
    if "military end user" in source:
        return "meu"
    if "unverified" in source:
        return "uvl"
    return "other"

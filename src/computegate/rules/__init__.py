"""Pure functions of (request, Regime) that return cited answers."""

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import Decision, EndUser, ExportRequest, parse_request
from computegate.rules.classify import INDETERMINATE, NOT_3A090, classify
from computegate.rules.decide import decide
from computegate.rules.whatif import overlay_sets

__all__ = [
    "INDETERMINATE",
    "NOT_3A090",
    "Classification",
    "Decision",
    "EndUser",
    "ExportRequest",
    "Finding",
    "MissingFact",
    "classify",
    "decide",
    "overlay_sets",
    "parse_request",
]

"""Pure functions of (request, Regime) that return cited answers."""

from computegate.rules.classify import INDETERMINATE, NOT_3A090, Classification, classify
from computegate.rules.findings import Finding, MissingFact

__all__ = ["INDETERMINATE", "NOT_3A090", "Classification", "Finding", "MissingFact", "classify"]

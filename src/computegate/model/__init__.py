"""Domain types shared by every layer: requests, decisions, findings, classifications.

Plain immutable values with no behaviour beyond validation; they import nothing of ours but the
ground floor (io), so every layer can use them without depending on another.
"""

from computegate.model.classification import Classification
from computegate.model.findings import Finding, MissingFact
from computegate.model.requests import (
    AnyRequest,
    Condition,
    Decision,
    EndUser,
    ExportRequest,
    ItemSummary,
    RemoteAccessRequest,
    ScreeningEvidence,
    parse_request,
)

__all__ = [
    "AnyRequest",
    "Classification",
    "Condition",
    "Decision",
    "EndUser",
    "ExportRequest",
    "Finding",
    "ItemSummary",
    "MissingFact",
    "RemoteAccessRequest",
    "ScreeningEvidence",
    "parse_request",
]

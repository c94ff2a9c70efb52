"""Licences, shipments drawn against them, the January-2026 volume cap, and the impact of a rule change.

Pure logic lives here (what a licence covers, cap arithmetic, what changes between two regimes);
the database side is computegate.store.licences.
"""

from computegate.licensing.cap import CapStatus, cap_status
from computegate.licensing.coverage import Coverage, coverage
from computegate.licensing.model import Licence, LicenceLine, LicenceParty, Shipment

__all__ = [
    "CapStatus",
    "Coverage",
    "Licence",
    "LicenceLine",
    "LicenceParty",
    "Shipment",
    "cap_status",
    "coverage",
]

"""Accelerator catalog and the metrics computed from it."""

from computegate.catalog.catalog import Catalog, equivalence_units, load_catalog_file, normalise
from computegate.catalog.metrics import BASES, ChipMetrics, compute_metrics, equivalents
from computegate.catalog.model import PRECISIONS, Accelerator, DenseThroughput, USAvailability

__all__ = [
    "BASES",
    "PRECISIONS",
    "Accelerator",
    "Catalog",
    "ChipMetrics",
    "DenseThroughput",
    "USAvailability",
    "compute_metrics",
    "equivalence_units",
    "equivalents",
    "load_catalog_file",
    "normalise",
]

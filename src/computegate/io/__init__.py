"""The ground floor: errors, dates, file loading and validation. Imports nothing of ours above it."""

from computegate.io.dates import parse_date
from computegate.io.errors import (
    ComputegateError,
    DataFileError,
    InputError,
    UnknownItemError,
)
from computegate.io.files import ISO_ALPHA2, read_yaml, validate_file

__all__ = [
    "ISO_ALPHA2",
    "ComputegateError",
    "DataFileError",
    "InputError",
    "UnknownItemError",
    "parse_date",
    "read_yaml",
    "validate_file",
]

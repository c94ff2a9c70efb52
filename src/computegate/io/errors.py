"""One exception hierarchy; surfaces turn it into exit code 2 / HTTP 4xx with the message."""

from __future__ import annotations


class ComputegateError(Exception):
    """Base class: anything the user can fix by changing input or data files."""


class InputError(ComputegateError):
    """Bad user input, naming the field and the problem."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class DataFileError(ComputegateError):
    """An invalid data file (bundled or user-supplied), naming file, key and problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")


class UnknownItemError(InputError):
    """A chip name that is not in the catalog."""

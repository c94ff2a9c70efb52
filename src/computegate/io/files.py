"""Reading and validating data files (YAML, JSON schemas) and ISO country codes.

The ground floor: every layer above loads its files through these helpers, so a bad file is
always reported the same way — file, key and problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pycountry
import yaml
from pydantic import BaseModel, ValidationError

from computegate.io.errors import DataFileError

M = TypeVar("M", bound=BaseModel)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is present

ISO_ALPHA2 = frozenset(c.alpha_2 for c in pycountry.countries)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, turning syntax errors into a DataFileError."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=SafeLoader)
    except OSError as exc:
        raise DataFileError(str(path), "(file)", f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(syntax)"
        raise DataFileError(str(path), where, f"invalid YAML: {exc}") from None


def validate_file(path: Path | str, model: type[M], raw: Any) -> M:
    """Validate parsed data against a schema; report the first error by dotted key."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if isinstance(err.get("input"), bool) and err["type"] == "string_type":
            msg += " (YAML reads unquoted yes/no/on/off, e.g. the code NO, as true/false: quote it)"
        raise DataFileError(str(path), key, msg) from None

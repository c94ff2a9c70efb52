"""Models built from parts the rules have already typed, without a second validation.

The rules make findings, citations and decisions thousands of times a second from values that
are already of their fields' exact types (strings, Citations, Findings, validated requests).
Validating them again costs more than the rule itself; validation stays at the edges: every
request and file is validated when read, every `model_validate` validates, and the `__init__`
fast paths check the exact type of each value and fall back to full validation otherwise.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
# BaseModel's four slots, set through their descriptors (object.__setattr__ looks each one up anew)
_set_dict, _set_fields, _set_extra, _set_private = (
    BaseModel.__dict__[slot].__set__
    for slot in (
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    )
)


def filled(model: BaseModel, values: dict[str, Any]) -> None:
    """What `model_construct` does for a model given every field, without its per-field walk."""
    _set_dict(model, values)
    _set_fields(model, set(values))
    _set_extra(model, None)
    _set_private(model, None)


def built(cls: type[M], values: dict[str, Any]) -> M:
    """A `cls` holding `values` (every field, each already of its field's type)."""
    model = cls.__new__(cls)
    filled(model, values)
    return model

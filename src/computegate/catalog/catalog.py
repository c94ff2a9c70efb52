"""The accelerator catalog: bundled data plus user files, with forgiving lookup and raw specs."""

from __future__ import annotations

import difflib
import itertools
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from computegate.catalog.metrics import ChipMetrics, compute_metrics
from computegate.catalog.model import Accelerator
from computegate.io.errors import DataFileError, InputError, UnknownItemError
from computegate.io.files import read_yaml, validate_file

VENDOR_WORDS = (
    "nvidia",
    "amd",
    "intel",
    "huawei",
    "hisilicon",
    "cambricon",
    "google",
    "aws",
    "amazon",
    "meta",
    "microsoft",
    "biren",
    "moorethreads",
    "geforce",
    "instinct",
)


class CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accelerators: list[Accelerator]


class EquivalenceUnit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reference: str
    title: str
    note: str


class UnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: dict[str, EquivalenceUnit]


def normalise(text: str) -> str:
    """Lookup key: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _strip_vendor(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in VENDOR_WORDS:
            if key.startswith(word) and len(key) > len(word):
                key, changed = key[len(word) :], True
    return key


_tokens = itertools.count(1)


_FOUND_LIMIT = 10_000  # distinct spellings remembered per catalog (a service meets ever-new ones)


class Catalog:
    """An immutable set of accelerators with a forgiving name index."""

    def __init__(
        self, items: Iterable[Accelerator], units: Mapping[str, EquivalenceUnit] | None = None
    ) -> None:
        self.token = next(
            _tokens
        )  # identifies this catalog in memo keys (never reused, unlike id())
        self.units: Mapping[str, EquivalenceUnit] = (
            units if units is not None else equivalence_units()
        )
        self._references: dict[tuple[tuple[str, float], ...], dict[str, ChipMetrics]] = {}
        self._items: dict[str, Accelerator] = {}
        for item in items:
            self._items[item.key] = item  # later files override earlier ones by id
        self._index: dict[str, set[str]] = {}
        self._found: dict[str, Accelerator] = {}  # names as written that resolved, bounded below
        for key, item in self._items.items():
            for label in (item.name, key, *item.aliases):
                norm = normalise(label)
                for k in {norm, _strip_vendor(norm)}:
                    self._index.setdefault(k, set()).add(key)

    def reference_metrics(self, bit_lengths: Mapping[str, float]) -> dict[str, ChipMetrics]:
        """Metrics of each equivalence unit's reference chip under these bit lengths (kept per
        catalog: they change only with the catalog or the regime's bit lengths)."""
        key = tuple(sorted(bit_lengths.items()))
        refs = self._references.get(key)
        if refs is None:
            refs = {
                name: compute_metrics(self.get(u.reference), dict(bit_lengths))
                for name, u in self.units.items()
            }
            self._references[key] = refs
        return refs

    @classmethod
    def bundled(cls) -> Catalog:
        return _bundled_catalog()

    def with_files(self, paths: Iterable[Path]) -> Catalog:
        """A new catalog with the user's files added (same id replaces the bundled entry)."""
        extra: list[Accelerator] = []
        for path in paths:
            extra.extend(load_catalog_file(path))
        return Catalog([*self._items.values(), *extra], self.units)

    def __iter__(self) -> Iterator[Accelerator]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, name: str, field: str = "item") -> Accelerator:
        """Find by name, id or alias: case-insensitive, vendor prefix optional."""
        found = self._found.get(name)
        if found is not None:  # a name seen before: the normalised lookup is a pure function of it
            return found
        norm = normalise(name)
        if not norm:
            raise InputError(field, "chip name is empty")
        for key in (norm, _strip_vendor(norm)):
            hits = self._index.get(key)
            if hits and len(hits) == 1:
                chip = self._items[next(iter(hits))]
                if len(self._found) < _FOUND_LIMIT:
                    self._found[name] = chip
                return chip
            if hits:
                matches = ", ".join(sorted(self._items[h].name for h in hits))
                raise InputError(field, f"{name!r} is ambiguous: matches {matches}")
        close = difflib.get_close_matches(_strip_vendor(norm), list(self._index), n=3, cutoff=0.6)
        names = sorted({self._items[k].name for c in close for k in self._index[c]})
        hint = f"; did you mean {' or '.join(repr(n) for n in names)}?" if names else ""
        raise UnknownItemError(field, f"unknown chip {name!r}{hint}")

    def resolve(
        self, item: str | Mapping[str, Any] | Accelerator, field: str = "item"
    ) -> Accelerator:
        """A catalog name, a JSON object string, a dict of raw specs or an Accelerator."""
        if isinstance(item, Accelerator):
            chip = item
        elif isinstance(item, Mapping):
            chip = spec_from_mapping(item, field)
        elif item.lstrip().startswith("{"):
            try:
                raw = json.loads(item)
            except json.JSONDecodeError as exc:
                raise InputError(field, f"invalid JSON spec: {exc.msg} at char {exc.pos}") from None
            chip = spec_from_mapping(raw, field)
        else:
            return self.get(item, field)
        if chip.kind == "computer" and chip.contains is not None:
            inner = self.resolve(chip.contains, f"{field}.contains")
            chip = chip.model_copy(update={"contains": inner})
        return chip


def spec_from_mapping(raw: Any, field: str = "item") -> Accelerator:
    """Validate raw specs for an unlisted chip; the error names the offending key."""
    if not isinstance(raw, Mapping):
        raise InputError(field, f"a chip spec must be a JSON object, got {type(raw).__name__}")
    data = dict(raw)
    data.setdefault("name", "custom chip")
    try:
        return Accelerator.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        raise InputError(f"{field}.{loc}" if loc else field, err["msg"]) from None


def load_catalog_file(path: Path) -> list[Accelerator]:
    """A YAML/JSON file of the catalog's shape ({accelerators: [...]}) or a single chip spec."""
    if not path.exists():
        raise DataFileError(str(path), "(file)", "no such file")
    if path.suffix.lower() == ".json":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataFileError(
                str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}"
            ) from None
    else:
        raw = read_yaml(path)
    if isinstance(raw, Mapping) and "accelerators" in raw:
        return validate_file(path, CatalogFile, raw).accelerators
    return [validate_file(path, Accelerator, raw)]


def _data_path(name: str) -> Path:
    return Path(str(resources.files("computegate.catalog") / "data" / name))


def _bundled_catalog() -> Catalog:
    return Catalog(load_catalog_file(_data_path("accelerators.yaml")))


def equivalence_units() -> Mapping[str, EquivalenceUnit]:
    path = _data_path("units.yaml")
    return validate_file(path, UnitsFile, read_yaml(path)).units

"""The Engine: one object that holds a regime's data, a catalog and a screening list, with the
memo caches that make repeated questions cheap. Surfaces (CLI, batch, service, simulation) are
given an Engine, so a user's own regime directory, catalog and list work everywhere, and nothing
is cached in module globals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computegate.catalog import Accelerator, Catalog
from computegate.io.dates import parse_date
from computegate.model.requests import AnyRequest
from computegate.regime import Regime, RegimeData, load_regime_data
from computegate.rules import Classification, Decision, classify, decide, parse_request
from computegate.rules.memo import Bounded, Memo

if TYPE_CHECKING:
    from computegate.screening import Screener

REGIME_LIMIT = 4096
REGIME_DIR_ENV = "COMPUTEGATE_REGIME_DIR"


class Engine:
    def __init__(
        self,
        regime_data: RegimeData,
        catalog: Catalog,
        list_path: Path | None = None,
        list_threshold: float | None = None,
    ) -> None:
        self.data = regime_data
        self.catalog = catalog
        self.list_path = list_path
        self.list_threshold = list_threshold
        self.memo = Memo()
        self._regimes: Bounded[Regime] = Bounded(REGIME_LIMIT)

    @classmethod
    def load(
        cls,
        regime_dir: Path | None = None,
        catalog_files: Iterable[Path] = (),
        list_path: Path | None = None,
        list_threshold: float | None = None,
    ) -> Engine:
        """The bundled data, or a regime directory / extra catalog files / list of your own.

        Without `regime_dir`, $COMPUTEGATE_REGIME_DIR names one (the CLI's --regime-dir sets it,
        so a service and Dask workers started from the same shell decide on the same law)."""
        if regime_dir is None and os.environ.get(REGIME_DIR_ENV):
            regime_dir = Path(os.environ[REGIME_DIR_ENV])
        return cls(
            load_regime_data(regime_dir),
            Catalog.bundled().with_files(catalog_files),
            list_path,
            list_threshold,
        )

    # -- the law ----------------------------------------------------------------------------------
    def regime(self, date: dt.date | str, overlays: Iterable[str] = ()) -> Regime:
        when = parse_date(date)
        names = tuple(dict.fromkeys(overlays))
        key = (when, names)
        return self._regimes.get(key) or self._regimes.put(key, Regime(self.data, when, names))

    def classify(
        self,
        item: str | Mapping[str, Any] | Accelerator,
        date: dt.date | str,
        overlays: Iterable[str] = (),
    ) -> Classification:
        return classify(
            self.catalog.resolve(item), self.regime(date, overlays), catalog=self.catalog
        )

    def decide(self, request: AnyRequest | Mapping[str, Any]) -> Decision:
        req = parse_request(request)
        return decide(req, self.regime(req.date, req.overlays), self.catalog, self.memo)

    # -- screening --------------------------------------------------------------------------------
    @cached_property
    def screener(self) -> Screener:
        from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list

        threshold = self.list_threshold if self.list_threshold is not None else DEFAULT_THRESHOLD
        return Screener(load_list(self.list_path), threshold)

    # -- what it ran on -----------------------------------------------------------------------------
    @cached_property
    def regime_version(self) -> str:
        """A digest of the regime data this engine decides on (files, overlays, amendments)."""
        return _digest(self.data)


def _digest(data: RegimeData) -> str:
    h = hashlib.sha256()
    for part in (data.meta, *data.instruments.values()):
        h.update(part.model_dump_json().encode())
    for name in sorted(data.parameters):
        h.update(name.encode() + data.parameters[name].model_dump_json().encode())
    for name in sorted(data.groups):
        h.update(name.encode() + data.groups[name].model_dump_json().encode())
    for name in sorted(data.overlays):
        h.update(name.encode() + data.overlays[name].model_dump_json().encode())
    return h.hexdigest()[:16]

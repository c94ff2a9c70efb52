"""What layers above the rules need of the law: a catalog, the regime on a date, and decisions.

The Engine (a higher layer, so not imported here) satisfies it; the simulation and change impact
take any object that does, so neither depends on the Engine nor re-reads bundled data itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from computegate.catalog import Catalog
from computegate.model.requests import AnyRequest, Decision
from computegate.regime import Regime


class Law(Protocol):
    @property
    def catalog(self) -> Catalog: ...

    def regime(self, date: dt.date | str, overlays: Iterable[str] = ()) -> Regime: ...

    def decide(self, request: Mapping[str, Any] | AnyRequest) -> Decision: ...

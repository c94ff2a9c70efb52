"""One Engine for the property tests, which decide or classify thousands of requests from scratch.

`decide(request)` and `classify(item, date)` without a regime build the bundled regime data anew
on every call (the library keeps no module-level copy of it: an Engine keeps its own), and compile
it again. The invariants under test are about the law, not that loading, so they use one Engine's
regimes and catalog, and still no memo: every answer is computed from scratch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from computegate.catalog import Accelerator
from computegate.engine import Engine
from computegate.model.classification import Classification
from computegate.model.requests import Decision
from computegate.rules import classify, decide, parse_request

ENGINE = Engine.load()


def decided(request: Mapping[str, Any]) -> Decision:
    """`decide(request)` on the bundled law, without a memo."""
    req = parse_request(request)
    return decide(req, ENGINE.regime(req.date, req.overlays), ENGINE.catalog)


def classified(item: Accelerator, date: dt.date | str) -> Classification:
    """`classify(item, date)` on the bundled law."""
    return classify(item, ENGINE.regime(date), catalog=ENGINE.catalog)

"""Shared fixtures: the bundled catalog, a builder for synthetic chips at threshold edges, and a
keyed test client of the HTTP service on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from computegate.catalog import Accelerator, Catalog

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    """The service on its own SQLite file, and the headers of a freshly created key."""
    from computegate.store.keys import create_key
    from computegate.surfaces.api import create_app

    app = create_app(f"sqlite:///{tmp_path / 'cg.db'}")
    key = create_key(app.state.service.engine, "tests")
    with TestClient(app) as c:
        yield c, {"X-API-Key": key}


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.bundled()


def chip(
    tpp: float | None = None,
    area: float | None = None,
    bw: float | None = 2000.0,
    datacenter: bool | None = True,
    **extra: Any,
) -> Accelerator:
    """A synthetic IC whose TPP comes from FP16 alone (TPP = 16 x TFLOPS)."""
    dense = {"fp16": tpp / 16} if tpp is not None else {}
    return Accelerator.model_validate(
        {
            "name": f"test chip tpp={tpp} area={area}",
            "dense_tflops": dense,
            "die_area_mm2": area,
            "dram_bandwidth_gbs": bw,
            "datacenter": datacenter,
            "us_availability": {"available": True, "since_year": 2024},
            **extra,
        }
    )

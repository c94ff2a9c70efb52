"""Shared fixtures: the bundled catalog and a builder for synthetic chips at threshold edges."""

from __future__ import annotations

from typing import Any

import pytest

from computegate.catalog import Accelerator, Catalog


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

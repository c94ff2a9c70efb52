"""The accelerator record: sourced specs, any of which may be unknown (None)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, PositiveInt

PRECISIONS = ("fp64", "fp32", "tf32", "fp16", "fp8", "int8", "fp4")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DenseThroughput(_Record):
    """Dense (non-sparse) peak throughput in TFLOPS (int8 in TOPS); None = unknown/unsupported."""

    fp64: NonNegativeFloat | None = None
    fp32: NonNegativeFloat | None = None
    tf32: NonNegativeFloat | None = None
    fp16: NonNegativeFloat | None = Field(
        default=None, description="FP16 or BF16, whichever is higher"
    )
    fp8: NonNegativeFloat | None = None
    int8: NonNegativeFloat | None = None
    fp4: NonNegativeFloat | None = None

    def known(self) -> dict[str, float]:
        return {p: v for p in PRECISIONS if (v := getattr(self, p)) is not None}


class USAvailability(_Record):
    """Commercial availability in the US (the Jan-2026 rule requires it at publication)."""

    available: bool | None = None
    since_year: int | None = Field(default=None, ge=1990, le=2100)
    note: str | None = None


class Accelerator(_Record):
    """An accelerator IC/package (or a computer containing them, or a standalone HBM stack)."""

    id: str | None = None
    name: str = Field(min_length=1)
    vendor: str | None = None
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["ic", "computer", "hbm_stack"] = "ic"
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: str | None = None
    datacenter: bool | None = None
    dense_tflops: DenseThroughput = Field(default_factory=DenseThroughput)
    throughput_note: str | None = None
    die_area_mm2: PositiveFloat | None = None
    die_area_basis: str | None = None
    logic_dies: PositiveInt | None = None
    ics_per_unit: PositiveInt = 1
    dies_note: str | None = None
    process_node: str | None = None
    memory_type: str | None = None
    memory_gb: NonNegativeFloat | None = None
    dram_bandwidth_gbs: NonNegativeFloat | None = None
    tdp_w: NonNegativeFloat | None = None
    interconnect_gbs: NonNegativeFloat | None = None
    interconnect_note: str | None = None
    us_availability: USAvailability = Field(default_factory=USAvailability)
    published_tpp: NonNegativeFloat | None = None
    published_tpp_source: str | None = None
    confidence: str | None = None
    notes: str | None = None
    sources: list[str] = Field(default_factory=list)
    contains: Accelerator | str | None = Field(
        default=None,
        description="kind=computer: the accelerator it contains (catalog name or spec)",
    )
    contains_count: PositiveInt | None = None
    hbm_bandwidth_density_gbs_per_mm2: NonNegativeFloat | None = Field(
        default=None, description="kind=hbm_stack: memory bandwidth density (GB/s per mm2)"
    )

    @property
    def key(self) -> str:
        """Stable identifier: the catalog id, or a slug of the name for raw specs."""
        return self.id or slugify(self.name)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

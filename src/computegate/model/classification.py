"""What a chip is under the export rules on a date: the answer of classify()."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from computegate.model.findings import Finding, MissingFact


class Classification(BaseModel):
    """The answer to "what is this chip under the export rules on this date?"."""

    model_config = ConfigDict(frozen=True)
    name: str
    item_id: str
    kind: str
    tpp: float | None
    tpp_precisions: list[str]
    tf32_bits: int
    performance_density: float | None
    applicable_die_area_mm2: float | None
    total_dram_bandwidth_gbs: float | None
    interconnect_gbs: float | None
    datacenter: bool | None
    aggregate_tpp: float | None = None
    hbm_bandwidth_density_gbs_per_mm2: float | None = None
    eccn: str
    eccn_paragraph: str | None
    controlled: bool | None
    jan2026_case_by_case_zone: bool | None
    jan2026_us_available_at_publication: bool | None
    sec232_band: str | None
    sec232_duty_rate: float | None
    equivalents: dict[str, dict[str, float | None]]
    findings: list[Finding]
    missing_facts: list[MissingFact]
    regime: dict[str, Any]

"""What a chip is under the export rules on a date: the answer of classify()."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from computegate.model.findings import Finding, MissingFact

EccnStatus = Literal["classified", "not_3a090", "not_4a090", "indeterminate"]
NO_ECCN: dict[str, str] = {
    "not_3a090": "not 3A090",
    "not_4a090": "not 4A090",
    "indeterminate": "indeterminate",
}


def eccn_fields(reading: str) -> tuple[str | None, EccnStatus]:
    """The rules' reading (an ECCN, or why there is none) as a real ECCN or null plus a status."""
    for status, label in NO_ECCN.items():
        if reading == label:
            return None, status  # type: ignore[return-value]
    return reading, "classified"


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
    eccn: str | None = Field(description="A real ECCN (3A090.a, 4A090.b, 3A090.c...) or null")
    eccn_status: EccnStatus
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

    @property
    def reading(self) -> str:
        """The ECCN, or why there is none (not 3A090 / not 4A090 / indeterminate)."""
        return self.eccn or NO_ECCN[self.eccn_status]

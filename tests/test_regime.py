"""The regime as dated data: values by date, overlays, country groups, and invalid files."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest

from computegate.errors import DataFileError, InputError
from computegate.regime import Regime, load_regime_data


def test_values_change_on_their_effective_dates() -> None:
    assert Regime.at("2023-11-16").get("3a090.tiers") is None
    assert Regime.at("2023-11-16").number("3a090_2022.io_rate_min_gbs") == 600
    assert Regime.at("2023-11-17").get("3a090.tiers").value[0]["tpp_min"] == 4800  # type: ignore[union-attr]
    assert Regime.at("2023-11-17").get("3a090_2022.io_rate_min_gbs") is None
    assert Regime.at("2026-01-14").get("jan2026.zone.tpp_lt") is None
    pv = Regime.at("2026-01-15").get("jan2026.zone.tpp_lt")
    assert pv is not None and pv.value == 21000
    assert "15 CFR 742.6(b)(10)(iii)(A)(1)" in pv.citation and "91 FR 1684" in pv.citation
    assert Regime.at("2024-12-01").get("3a090.c.hbm_bandwidth_density_gt") is None
    assert Regime.at("2024-12-02").number("3a090.c.hbm_bandwidth_density_gt") == 2.0


def test_ai_diffusion_written_versus_enforced() -> None:
    assert Regime.at("2025-01-12").get("ai_diffusion.in_cfr") is None
    before = Regime.at("2025-05-12")
    after = Regime.at("2025-05-13")
    assert before.get("ai_diffusion.enforced").value is True  # type: ignore[union-attr]
    assert after.get("ai_diffusion.enforced").value is False  # type: ignore[union-attr]
    assert after.get("ai_diffusion.in_cfr").value is True  # type: ignore[union-attr]
    assert "NO" in after.get("ai_diffusion.tier1").value  # type: ignore[union-attr]


def test_affiliates_rule_window() -> None:
    assert Regime.at("2025-09-28").get("affiliates_rule.in_force") is None
    assert Regime.at("2025-09-29").get("affiliates_rule.in_force").value is True  # type: ignore[union-attr]
    assert Regime.at("2025-11-09").get("affiliates_rule.in_force").value is True  # type: ignore[union-attr]
    assert Regime.at("2025-11-10").get("affiliates_rule.in_force").value is False  # type: ignore[union-attr]
    assert Regime.at("2026-11-09").get("affiliates_rule.in_force").value is False  # type: ignore[union-attr]
    assert Regime.at("2026-11-10").get("affiliates_rule.in_force").value is True  # type: ignore[union-attr]


def test_scheduled_changes_past_the_horizon_are_reported_not_assumed() -> None:
    assert Regime.at("2026-09-30").scheduled_change("affiliates_rule.in_force") is None
    assert Regime.at("2026-11-09").scheduled_change("affiliates_rule.in_force") is None
    change = Regime.at("2026-11-10").scheduled_change("affiliates_rule.in_force")
    assert change is not None
    then, now = change
    assert then is not None and then.value is False and now is not None and now.value is True
    assert Regime.at("2027-04-05").scheduled_change("ac.approved_entities") is None
    lapse = Regime.at("2027-04-06").scheduled_change("ac.approved_entities")
    assert lapse is not None and lapse[1] is not None and lapse[1].value == []
    # a value with no scheduled change is simply carried past the horizon
    assert Regime.at("2026-12-01").scheduled_change("3a090.tiers") is None


@pytest.mark.parametrize(
    ("name", "before", "on", "value"),
    [
        ("foundry.presumption_in_force", "2025-01-15", "2025-01-16", True),
        ("ac.conditional_destinations", "2026-07-09", "2026-07-10", ["AE"]),
        ("mi.groups", "2021-12-31", "2022-01-01", ["E:1", "E:2"]),
        ("exc.hbm.bandwidth_density_lt", "2024-12-01", "2024-12-02", 3.3),
        ("exc.aca_groups", "2024-04-03", "2024-04-04", ["D:1", "D:4"]),
    ],
)
def test_new_provisions_start_on_their_dates(
    name: str, before: str, on: str, value: object
) -> None:
    if before >= "2022-01-01":
        assert Regime.at(before).get(name) is None
    pv = Regime.at(on).get(name)
    assert pv is not None and pv.value == value


def test_dated_lists_change_on_their_dates() -> None:
    mi = "mi.countries"
    assert "BY" not in Regime.at("2022-03-01").get(mi).value  # type: ignore[union-attr]
    assert "BY" in Regime.at("2022-03-02").get(mi).value  # type: ignore[union-attr]
    assert "NI" not in Regime.at("2026-03-01").get(mi).value  # type: ignore[union-attr]
    p746 = "part746.destinations"
    assert "RU" not in Regime.at("2022-02-23").get(p746).value  # type: ignore[union-attr]
    assert "RU" in Regime.at("2022-02-24").get(p746).value  # type: ignore[union-attr]
    letters = "is_informed.letters"
    assert Regime.at("2022-08-25").get(letters) is None
    assert [x["id"] for x in Regime.at("2022-08-26").get(letters).value] == [
        "nvidia-a100-h100-2022"
    ]  # type: ignore[union-attr]
    assert Regime.at("2022-10-07").get(letters).value == []  # type: ignore[union-attr]
    assert Regime.at("2026-04-08").get("foundry.approved_ic_designer_deadline") is None
    deadline = Regime.at("2026-04-09").get("foundry.approved_ic_designer_deadline")
    assert deadline is not None and str(deadline.value) == "2026-12-31"


def test_every_instrument_and_parameter_carries_its_verification() -> None:
    data = load_regime_data()
    review = dt.date(2026, 12, 1)  # the date of this review of the primary texts
    for inst in data.instruments.values():
        assert inst.verified is not None, inst.id
        # nothing older than the December-2026 review is marked primary
        assert inst.confidence != "primary" or inst.verified == review, inst.id
    for name, param in data.parameters.items():
        assert param.verified is not None and param.confidence is not None, name
        assert param.confidence != "primary" or param.verified == review, name


@pytest.mark.parametrize(
    ("code", "group", "date", "status"),
    [
        ("CN", "D:5", "2022-10-07", "member"),
        ("MO", "D:5", "2024-01-01", "not_member"),
        ("MO", "D:4", "2024-01-01", "member"),
        ("KH", "D:5", "2025-11-06", "member"),
        ("KH", "D:5", "2025-11-07", "ambiguous"),
        ("KH", "D:5", "2026-02-02", "ambiguous"),
        ("KH", "D:5", "2026-02-03", "not_member"),
        ("KH", "D:1", "2026-06-01", "member"),
        ("AE", "D:4", "2026-07-09", "member"),
        ("AE", "D:4", "2026-07-10", "not_member"),
        ("AE", "A:5", "2026-07-09", "not_member"),
        ("AE", "A:5", "2026-07-10", "member"),
        ("NI", "D:1", "2024-03-14", "not_member"),
        ("NI", "D:1", "2024-03-15", "member"),
        ("NI", "D:5", "2024-03-14", "not_member"),
        ("NI", "D:5", "2024-03-15", "member"),
        ("SY", "E:1", "2024-01-01", "member"),
        ("CU", "E:2", "2024-01-01", "member"),
        ("IL", "A:6", "2024-01-01", "member"),
        ("VN", "D:1", "2024-01-01", "member"),
        ("SG", "D:1", "2024-01-01", "not_member"),
    ],
)
def test_country_groups_over_time(code: str, group: str, date: str, status: str) -> None:
    answer = Regime.at(date).membership(code, group)
    assert answer.status == status
    if status != "not_member" or answer.entry is not None:
        assert "15 CFR 740 Supp. 1" in answer.citation


def test_overlay_is_opt_in_and_named() -> None:
    law = Regime.at("2026-03-01")
    whatif = Regime.at("2026-03-01", ["b30a-allowed"])
    assert law.number("jan2026.zone.tpp_lt") == 21000
    pv = whatif.get("jan2026.zone.tpp_lt")
    assert pv is not None and pv.value == 30000 and pv.overlay == "b30a-allowed"
    assert "not enacted law" in pv.citation
    assert whatif.number("jan2026.zone.dram_bandwidth_lt_gbs") == 6500  # untouched by the overlay
    assert whatif.overlay_status()[0].startswith("b30a-allowed")
    assert Regime.at("2026-01-14", ["b30a-allowed"]).get("jan2026.zone.tpp_lt") is None


def test_unknown_overlay_and_early_date_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown overlay 'rasa-9999'"):
        Regime.at("2026-03-01", ["rasa-9999"])
    with pytest.raises(InputError, match="before the regime's coverage start 2022-01-01"):
        Regime.at("2021-12-31")
    with pytest.raises(InputError, match="not a valid date"):
        Regime.at("2026-13-01")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    src = Path(str(resources.files("computegate.regime") / "data"))
    dst = tmp_path / "data"
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "key", "problem"),
    [
        (
            "parameters.yaml",
            "value: 21000",
            "value: lots",
            "parameters.jan2026.zone.tpp_lt.periods.0.value",
            "expected a number",
        ),
        (
            "parameters.yaml",
            "source: h200-2026",
            "source: h300-2027",
            "parameters.jan2026.zone.tpp_lt.periods.0.source",
            "unknown instrument",
        ),
        (
            "parameters.yaml",
            "        end: 2023-11-16\n        source: ac-2022",
            "        end: 2021-11-16\n        source: ac-2022",
            "parameters.3a090_2022.processing_performance_min.periods.0",
            "before effective",
        ),
        (
            "parameters.yaml",
            "        end: 2024-04-03\n",
            "        end: 2024-04-05\n",
            "parameters.4a090.b.in_force.periods",
            "overlaps",
        ),
        (
            "parameters.yaml",
            "type: number\n",
            "type: numbr\n",
            "parameters.3a090_2022.processing_performance_min.type",
            "Input should be",
        ),
        (
            "country_groups.yaml",
            "[AF, BY,",
            "[AF, XX, BY,",
            "groups.D:5.members.0.codes",
            "'XX' is not an ISO",
        ),
        ("country_groups.yaml", '"NO"', "NO", "groups.A:5.members.0.codes.25", "quote it"),
        (
            "country_groups.yaml",
            "        since: 2026-02-03\n",
            "        since: 2026-02-01\n",
            "groups.D:5",
            "overlapping",
        ),
        (
            "instruments.yaml",
            "  - id: macau-2023\n",
            "  - id: ac-2022\n",
            "instruments.4.id",
            "duplicate id",
        ),
        (
            "instruments.yaml",
            "status: superseded",
            "status: maybe",
            "instruments.3.status",
            "Input should be",
        ),
        (
            "overlays/b30a-allowed.yaml",
            "  jan2026.zone.tpp_lt:",
            "  jan2026.zone.tpp_ltx:",
            "parameters.jan2026.zone.tpp_ltx",
            "no such parameter",
        ),
        (
            "overlays/b30a-allowed.yaml",
            "status: hypothetical",
            "status: law",
            "status",
            "Input should be",
        ),
        (
            "overlays/b30a-allowed.yaml",
            "topic: export_controls",
            "topic: taxes",
            "topic",
            "Input should be",
        ),
        (
            "overlays/rasa-senate.yaml",
            "  remote.access_control.sunset_years:",
            "  remote.rasa-senate.sunset_years:",
            "parameters.remote.rasa-senate.sunset_years",
            "declare it in the base regime",
        ),
    ],
)
def test_invalid_data_files_name_file_key_and_problem(
    data_copy: Path, file: str, old: str, new: str, key: str, problem: str
) -> None:
    _edit(data_copy / file, old, new)
    with pytest.raises(DataFileError) as exc:
        load_regime_data(data_copy)
    assert exc.value.file.endswith(file)
    assert exc.value.key == key
    assert problem in exc.value.problem


def test_bundled_data_loads_and_every_period_cites_an_instrument() -> None:
    data = load_regime_data()
    for name, param in data.parameters.items():
        for period in param.periods:
            assert period.source in data.instruments, name
            assert period.cfr, name


def test_citations_never_repeat_a_part() -> None:
    regime = Regime.at("2026-03-01", ["rasa-senate", "iaas-kyc-proposed", "b30a-allowed"])
    for name in regime.data.parameters:
        pv = regime.get_optional(name)
        if pv is None:
            continue
        parts = pv.citation.split("; ")
        assert len(parts) == len(set(parts)) and all(parts), (name, pv.citation)


def test_several_overlays_apply_in_order_later_wins_parameter_by_parameter() -> None:
    """The regime's one rule for overlays: a later overlay's value replaces an earlier one's."""
    senate_then_house = Regime.at("2026-03-01", ["rasa-senate", "rasa-2026-house"])
    house_then_senate = Regime.at("2026-03-01", ["rasa-2026-house", "rasa-senate"])
    persons = "remote.access_control.persons"
    assert senate_then_house.get(persons).value == "foreign_person"  # type: ignore[union-attr]
    assert senate_then_house.get(persons).overlay == "rasa-2026-house"  # type: ignore[union-attr]
    assert house_then_senate.get(persons).value == "foreign_person_of_concern"  # type: ignore[union-attr]
    # every bill sets every element, so nothing of the earlier bill leaks into the later one
    assert senate_then_house.get("remote.access_control.sunset_years").value == 0  # type: ignore[union-attr]
    assert Regime.at("2026-03-01").get(persons).value == "none"  # type: ignore[union-attr]


def test_remote_access_parameters_are_declared_off_under_enacted_law() -> None:
    data = load_regime_data()
    for ov in data.overlays.values():
        assert set(ov.parameters) <= set(data.parameters), ov.name
    enacted = Regime.at("2026-03-01")
    assert enacted.get("remote.iaas_kyc.cip_information").value == []  # type: ignore[union-attr]

"""A rule change is a data file: an amendment in a regime directory changes decisions from its
effective date, with no Python change (the fixture is made-up test data, not law)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from computegate.catalog import Catalog
from computegate.io.errors import DataFileError
from computegate.regime import Regime, RegimeData, load_regime_data
from computegate.rules import classify, decide
from tests.conftest import chip

FIXTURE = Path(__file__).parent / "fixtures" / "amendments" / "2027-01-fixture.yaml"


@pytest.fixture(scope="module")
def amended(tmp_path_factory: pytest.TempPathFactory) -> RegimeData:
    directory = tmp_path_factory.mktemp("regime") / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    (directory / "amendments").mkdir(exist_ok=True)
    shutil.copy(FIXTURE, directory / "amendments" / FIXTURE.name)
    return load_regime_data(directory)


def export(to: str, date: str, data: RegimeData) -> Any:
    request = {
        "kind": "export",
        "date": date,
        "item": "H200",
        "to_country": to,
        "end_user": {"headquarters": to},
    }
    return decide(request, regime=Regime.at(date, data=data))


@pytest.mark.parametrize(
    ("to", "before", "after"),
    [
        ("MY", ("no_license_required", None), ("license_required", "presumption_of_denial")),
        ("VN", ("license_required", "presumption_of_approval"), ("no_license_required", None)),
    ],
)
def test_a_country_group_move_changes_decisions_on_its_date(
    amended: RegimeData, to: str, before: tuple[str, Any], after: tuple[str, Any]
) -> None:
    for date, want in (("2026-12-31", before), ("2027-01-01", after), ("2027-01-02", after)):
        d = export(to, date, amended)
        assert (d.outcome, d.review_policy) == want, (to, date)
    bundled = load_regime_data()
    assert (export(to, "2027-01-02", bundled).outcome, to) == (before[0], to)


def test_a_new_threshold_tier_changes_the_classification_on_its_date(amended: RegimeData) -> None:
    small = chip(tpp=1200, area=600)  # PD 2.0: below every Nov-2023 tier, inside the new b.3
    catalog = Catalog.bundled()
    old = classify(small, Regime.at("2026-12-31", data=amended), catalog=catalog)
    new = classify(small, Regime.at("2027-01-01", data=amended), catalog=catalog)
    assert old.reading == "not 3A090"
    assert (new.eccn, new.eccn_paragraph) == ("3A090.b", "3A090.b.3")
    assert any("fixture-2027" in f.citation or "as amended" in f.citation for f in new.findings)
    (note,) = [f for f in new.findings if f.rule == "data.unconfirmed"]
    assert "3A090.b.3" in note.text  # the fixture is marked unconfirmed, and the answer says so


def test_the_amendment_supersedes_open_periods_and_entries(amended: RegimeData) -> None:
    tiers = amended.parameters["3a090.tiers"].periods
    assert [str(p.end) for p in tiers] == ["2026-12-31", "None"]
    vn = [m for m in amended.groups["D:1"].members if "VN" in m.codes]
    assert [(str(m.since), str(m.until)) for m in vn] == [("2022-01-01", "2026-12-31")]
    assert amended.instruments["fixture-2027"].status == "hypothetical"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("  3a090.tiers:\n", "  3a090.tierz:\n", "parameters.3a090.tierz", "needs a description"),
        ("  D:5:\n", "  D:9:\n", "groups.D:9", "no such country group"),
        ("  id: fixture-2027\n", "  id: acs-2023\n", "instrument.id", "duplicate id"),
        (
            "pd_min: 1.0, pd_lt",
            "pd_min: one, pd_lt",
            "parameters.3a090.tiers.periods.0.value",
            "numeric",
        ),
    ],
)
def test_bad_amendments_name_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    directory = tmp_path / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    (directory / "amendments").mkdir(exist_ok=True)
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    (directory / "amendments" / FIXTURE.name).write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_regime_data(directory)
    assert exc.value.file.endswith(FIXTURE.name) and exc.value.key.startswith(key)
    assert problem in exc.value.problem


PROVISION_FIXTURE = Path(__file__).parent / "fixtures" / "provisions"


@pytest.fixture(scope="module")
def with_provision(tmp_path_factory: pytest.TempPathFactory) -> RegimeData:
    """The bundled data plus one new provision file (and the amendment declaring its parameter)."""
    directory = tmp_path_factory.mktemp("regime") / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    for sub in ("amendments", "provisions"):
        (directory / sub).mkdir(exist_ok=True)
        for path in (PROVISION_FIXTURE / sub).glob("*.yaml"):
            shutil.copy(path, directory / sub / path.name)
    return load_regime_data(directory)


@pytest.mark.parametrize(
    ("to", "before", "after"),
    [
        ("DE", ("no_license_required", None), ("license_required", "presumption_of_approval")),
        # the stricter existing requirement still stands where both apply
        ("CN", ("license_required", "case_by_case"), ("license_required", "case_by_case")),
        ("BR", ("no_license_required", None), ("no_license_required", None)),
    ],
)
def test_a_new_provision_file_changes_decisions_on_its_date(
    with_provision: RegimeData, to: str, before: tuple[str, Any], after: tuple[str, Any]
) -> None:
    assert with_provision.rules.role("fixture-2027") == "decisive"  # registered from its file
    for date, want in (("2026-12-31", before), ("2027-01-01", after)):
        d = export(to, date, with_provision)
        assert (d.outcome, d.review_policy) == want, (to, date)
        assert any(f.rule == "fixture-2027" for f in d.findings) == (date == "2027-01-01")
    d = export("DE", "2027-01-01", with_provision)
    (finding,) = [f for f in d.findings if f.rule == "fixture-2027"]
    assert finding.text == "3A090.a to DE (A:5): license required (fixture)"
    assert finding.role == "decisive" and "January-2027 provision" in finding.citation
    (note,) = [f for f in d.findings if f.rule == "data.unconfirmed"]
    assert "fixture-2027" in note.text  # the fixture is marked unconfirmed, and the answer says so
    assert export("DE", "2027-01-01", load_regime_data()).outcome == "no_license_required"


def test_the_provision_reads_its_interpretation(with_provision: RegimeData) -> None:
    """A non-datacenter IC is outside the fixture (the `datacenter_item` reading, Note 2)."""
    request = {
        "kind": "export",
        "date": "2027-01-01",
        "item": "RTX 4090",
        "to_country": "DE",
        "end_user": {"headquarters": "DE"},
    }
    d = decide(request, regime=Regime.at("2027-01-01", data=with_provision))
    assert d.outcome == "no_license_required"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            "groups: fixture.license_groups}",
            "groups: fixture.nope}",
            "versions.0",
            "no such parameter",
        ),
        ("{destination} is outside", "{dest} is outside", "versions.0", "neither a fact nor"),
        (
            "{destination} is outside",
            "{destination:notes:fixture.nope} is outside",
            "versions.0",
            "no such parameter",
        ),
        ("- interpret: datacenter_item", "- interpret: tf33", "versions.0.when", "Input should be"),
        ("step: requirement", "step: sometime", "step", "Input should be"),
        ("id: fixture-2027\n", 'id: "740.25"\n', "id", "duplicate rule id"),
    ],
)
def test_bad_provisions_name_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    directory = tmp_path / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    (directory / "amendments").mkdir(exist_ok=True)
    for path in (PROVISION_FIXTURE / "amendments").glob("*.yaml"):
        shutil.copy(path, directory / "amendments" / path.name)
    source = PROVISION_FIXTURE / "provisions" / "fixture-2027.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    (directory / "provisions" / source.name).write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_regime_data(directory)
    assert exc.value.file.endswith(source.name) and exc.value.key.startswith(key)
    assert problem in exc.value.problem

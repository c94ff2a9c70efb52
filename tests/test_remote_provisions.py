"""The remote-access provisions held as data: their decision table (cases/remote_provisions.yaml)
at each effective date and a day either side, and the vocabulary they added to the evaluator."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from computegate.io.errors import DataFileError
from computegate.regime import Regime, load_regime_data
from computegate.regime.schema import Has
from computegate.rules import Decision, decide
from computegate.rules.evaluate import in_force, reform_status
from tests.test_remote_access import _trace, merged
from tests.test_remote_access import test_remote_access_table as check_remote_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "remote_provisions.yaml").read_text())
PROVISIONS = Path(__file__).parents[1] / "src/computegate/regime/data/provisions"


def _has(d: Decision, want: str | list[str]) -> bool:
    rule, text = (want, "") if isinstance(want, str) else want
    return any(f.rule == rule and text in f.text for f in d.findings)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_remote_provisions_table(case: dict[str, Any]) -> None:
    check_remote_case(case)  # outcome, policy, conditions, missing facts and findings present
    d = decide(merged(case["request"]))
    expect = case["expect"]
    assert not set(expect.get("no_missing", [])) & {m.fact for m in d.missing_facts}, _trace(d)
    for unwanted in expect.get("no_finding", []):
        assert not _has(d, unwanted), (unwanted, _trace(d))


def test_the_remote_provisions_are_data_with_their_steps() -> None:
    data = load_regime_data()
    steps = {pid: data.provisions[pid].step for pid in data.provisions}
    assert steps["remote.not_export"] == "remote.access"
    assert steps["744.6"] == steps["744.6(b)(5)"] == "remote.us_person"
    assert steps["remote.listed_customer"] == steps["jan2026.remote_kyc"] == "remote.customer"
    assert steps["iaas_kyc.cip"] == steps["iaas_kyc.report"] == "remote.iaas_kyc"
    assert steps["remote_access"] == "remote.access_control"


def test_a_reform_step_is_in_force_only_while_an_overlay_sets_what_it_requires() -> None:
    data = load_regime_data()
    enacted = Regime.at("2026-03-01", data=data)
    assert not in_force("remote.access_control", enacted)  # empty risk test: no control
    assert not in_force("remote.iaas_kyc", enacted)
    for bill in ("rasa-2024-house", "rasa-2026-house", "rasa-senate"):
        assert in_force("remote.access_control", Regime.at("2026-03-01", [bill], data=data))
    assert not in_force(
        "remote.access_control", Regime.at("2025-12-16", ["rasa-senate"], data=data)
    )


def test_a_reform_status_names_the_overlay_and_never_calls_a_bill_law() -> None:
    data = load_regime_data()
    enacted = Regime.at("2026-03-01", data=data)
    proposed = Regime.at("2026-03-01", ["iaas-kyc-proposed"], data=data)
    assert reform_status(enacted, "remote.iaas_kyc.cip_information") == "Enacted law"
    assert reform_status(proposed, "remote.iaas_kyc.cip_information").endswith(
        "proposed as of 2024-01-29; not law"
    )


def test_has_takes_values_or_a_parameter() -> None:
    with pytest.raises(ValidationError):
        Has(fact="workload.uses")
    with pytest.raises(ValidationError):
        Has(fact="workload.uses", values=["wmd"], parameter="remote.us_person_support_uses")


def test_an_outcome_taken_from_a_decision_must_name_a_registered_family(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(PROVISIONS.parent, copy)
    path = copy / "provisions" / "ecra-1742-15-remote-access.yaml"
    path.write_text(path.read_text().replace("rule: remote_access.as_export", "rule: as_export"))
    with pytest.raises(DataFileError, match=r"no as_export\.\* in rules\.yaml"):
        load_regime_data(copy)


def test_a_list_placeholder_must_name_real_parameters(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(PROVISIONS.parent, copy)
    path = copy / "provisions" / "744.6-b-5.yaml"
    text = path.read_text().replace("in:mi.groups:", "in:mi.nogroups:")
    path.write_text(text)
    with pytest.raises(DataFileError, match=r"mi\.nogroups"):
        load_regime_data(copy)

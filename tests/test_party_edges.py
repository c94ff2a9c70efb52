"""Part 744/746 provisions and part 734 tests at their edges (cases/party_edges.yaml): effective dates
±1 day and thresholds at and just past their value, run by the export-table checker; the vocabulary
the part 744/746 provisions added (`has`, a second citation, places in scope) checked on its own."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from computegate.io.errors import DataFileError
from computegate.regime import load_regime_data
from computegate.regime.schema import Has, When
from computegate.rules import decide
from computegate.rules.evaluate import Facts, compile_when
from tests.test_export_decisions import test_decision_table as check_export_case

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "party_edges.yaml").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_party_edges_table(case: dict[str, Any]) -> None:
    assert case["cite"], "every case names the text that sets its answer"
    check_export_case(case)
    findings = decide(case["request"]).findings
    for rule, words in case["expect"].get("text", {}).items():
        assert any(f.rule == rule and words in f.text for f in findings), (rule, words, findings)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "{end_user.mi_places:in:mi.groups:mi.countries:/}",
            "{end_user.mi_places:in:mi.groups:nope:/}",
        ),
        ("disputed: mi.countries_disputed", "disputed: mi.nope"),
        ("cite_also: [mi.review_policy]", "cite_also: [mi.nope]"),
    ],
)
def test_a_provision_naming_no_parameter_is_refused(tmp_path: Path, old: str, new: str) -> None:
    directory = tmp_path / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    path = directory / "provisions" / "744.22.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_regime_data(directory)
    assert exc.value.file.endswith("744.22.yaml") and exc.value.key == "versions.0"
    assert "no such parameter" in exc.value.problem


class _Given:
    """A request's facts as a `has` node reads them."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.memo: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        return self.values[name]


USES = ["military", "wmd", "supercomputer", "commercial"]


@given(
    st.one_of(st.none(), st.lists(st.sampled_from(USES), max_size=3).map(tuple)),
    st.lists(st.sampled_from(USES), min_size=1, max_size=3),
)
def test_has_is_true_exactly_when_the_list_holds_a_value(
    uses: tuple[str, ...] | None, values: list[str]
) -> None:
    node = When(has=Has(fact="end_use", values=values))
    value, gaps = compile_when(node)(cast(Facts, _Given({"end_use": uses})))
    if uses is None:
        assert value is None and [g.fact for g in gaps] == ["end_use"]
    else:
        assert value == bool(set(uses) & set(values)) and not gaps

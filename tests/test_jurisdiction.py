"""Whether a foreign-made item is subject to the EAR (the `jurisdiction` provisions) as an invariant,
and one provision reading another's condition (`condition_of`)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.io.errors import DataFileError
from computegate.regime import load_regime_data
from computegate.rules import decide
from tests.test_export_decisions import STRICTNESS, _route
from tests.test_export_decisions import requests as export_requests

SERVER = {"name": "Foreign HGX H100 server", "kind": "computer", "contains": "H100"}


@settings(max_examples=120, deadline=None)
@given(
    export_requests,
    st.sampled_from(["H100", "L40", SERVER]),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 100, allow_nan=False),
)
def test_more_us_content_never_relaxes(
    raw: dict[str, Any], item: Any, share: float, extra: float
) -> None:
    """More US-origin content can only bring a foreign-made item under the EAR (734.4), never out."""

    def made_with(pct: float) -> Any:
        origin = {"made_in": "KR", "us_technology": False, "us_content_pct": pct}
        return decide(_route({**raw, "kind": "reexport", "item": item, "origin": origin}))

    low, high = made_with(share), made_with(min(100.0, share + extra))
    assert STRICTNESS[high.outcome] >= STRICTNESS[low.outcome]


def test_746_reads_the_condition_of_746_8_b() -> None:
    """The 746.8(b) subsidiary condition is written once; 746 reads it by id."""
    provisions = load_regime_data().provisions
    when = provisions["746"].versions[0].when
    assert when is not None and when.all is not None
    assert when.all[1].not_ == provisions["746.8(b)"].versions[0].when


@pytest.mark.parametrize(
    ("ref", "problem"),
    [("no-such-provision", "is not a one-version provision"), ("loop", "refers back to itself")],
)
def test_a_bad_condition_reference_names_the_file(tmp_path: Path, ref: str, problem: str) -> None:
    directory = tmp_path / "data"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    (directory / "provisions" / "zz-loop.yaml").write_text(
        f"""id: loop
title: A provision reading a condition
role: context
step: part746
citation: {{cfr: 15 CFR 746}}
confidence: unconfirmed
verified: 2026-12-01
versions:
  - effective: 2022-01-01
    when: {{condition_of: {ref}}}
    then: {{}}
"""
    )
    with pytest.raises(DataFileError) as exc:
        load_regime_data(directory)
    assert exc.value.file.endswith("zz-loop.yaml")
    assert exc.value.key == "condition_of"
    assert problem in exc.value.problem

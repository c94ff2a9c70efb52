"""The provision evaluator's three-valued logic (Kleene), checked against a reference on random
condition trees, and the fact and interpretation registries against the schema's closed vocabulary."""

from __future__ import annotations

from typing import Any, cast, get_args

from hypothesis import given
from hypothesis import strategies as st

from computegate.regime import load_regime_data
from computegate.regime.schema import Fact, Interpretation, OneOf, When
from computegate.rules.evaluate import INTERPRETATIONS, READERS, Facts, compile_when

FACTS = ["item.eccn", "request.kind", "destination", "end_user.list"]
VALUES = st.sampled_from(["a", "b", None])  # None: the fact is not given


class _Given:
    """Stands in for a request's facts: these condition nodes read `get` and keep answers in `memo`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.memo: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        return self.values[name]


leaves = st.sampled_from(FACTS).map(lambda f: When(is_=OneOf(fact=f, values=["a"])))
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        kids.map(lambda k: When(not_=k)),
        st.lists(kids, min_size=1, max_size=3).map(lambda ks: When(all=ks)),
        st.lists(kids, min_size=1, max_size=3).map(lambda ks: When(any=ks)),
    ),
    max_leaves=8,
)
assignments = st.fixed_dictionaries({f: VALUES for f in FACTS})


def reference(node: When, values: dict[str, Any]) -> float:
    """Kleene's logic on 0 (false) < 0.5 (unknown) < 1 (true): and = min, or = max, not = 1 - x."""
    if node.is_ is not None:
        value = values[node.is_.fact]
        return 0.5 if value is None else float(value in node.is_.values)
    if node.not_ is not None:
        return 1 - reference(node.not_, values)
    parts = [reference(k, values) for k in (node.all or node.any or [])]
    return min(parts) if node.all is not None else max(parts)


def run(node: When, values: dict[str, Any]) -> tuple[bool | None, set[str]]:
    value, gaps = compile_when(node)(cast(Facts, _Given(values)))
    return value, {g.fact for g in gaps}


def leaf_facts(node: When) -> set[str]:
    if node.is_ is not None:
        return {node.is_.fact}
    kids = [node.not_] if node.not_ is not None else (node.all or node.any or [])
    return set().union(*(leaf_facts(k) for k in kids))


@given(trees, assignments)
def test_the_evaluator_is_kleene_logic(node: When, values: dict[str, Any]) -> None:
    value, gaps = run(node, values)
    assert {None: 0.5, True: 1.0, False: 0.0}[value] == reference(node, values)
    unknown = {f for f in leaf_facts(node) if values[f] is None}
    # unknown only when some fact it reads is unknown, and then it names only such facts
    assert (value is None) == bool(gaps)
    assert gaps <= unknown
    if not unknown:
        assert value is not None


@given(trees, assignments, st.sampled_from(FACTS), st.sampled_from(["a", "b"]))
def test_a_new_fact_never_unsettles_a_decided_answer(
    node: When, values: dict[str, Any], fact: str, given_value: str
) -> None:
    before, _ = run(node, values)
    after, _ = run(node, {**values, fact: values[fact] or given_value})
    if before is not None:
        assert after == before


@given(trees, trees, assignments)
def test_not_all_and_any_agree(a: When, b: When, values: dict[str, Any]) -> None:
    assert run(When(not_=When(not_=a)), values)[0] == run(a, values)[0]
    not_all = run(When(not_=When(all=[a, b])), values)[0]
    any_not = run(When(any=[When(not_=a), When(not_=b)]), values)[0]
    assert not_all == any_not


def test_every_fact_and_interpretation_has_one_reader_with_a_citation() -> None:
    assert set(READERS) == set(get_args(Fact))
    assert set(INTERPRETATIONS) == set(get_args(Interpretation))
    assert all("CFR" in i.citation for i in INTERPRETATIONS.values())


def test_the_bundled_provisions_register_their_rule_ids() -> None:
    data = load_regime_data()
    assert {"742.6(a)(6)", "742.6(b)(10)", "740.25", "744.15(b)"} <= set(data.provisions)
    for pid, prov in data.provisions.items():
        assert data.rules.role(pid) == prov.role
        assert prov.citation.cfr.startswith("15 CFR")

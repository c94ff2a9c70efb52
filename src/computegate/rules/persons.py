"""Who a remote-access customer is in law: a foreign person, or a foreign person of concern.

These are readings, not comparisons (a natural person's nationalities against an entity's place of
incorporation; whether a national living abroad is "subject to the jurisdiction" of a country), so
they stay in Python, each with its citation; provisions use them through the evaluator's named
interpretations and facts (rules/evaluate.py). Each returns its answer (None: not known) and why.
"""

from __future__ import annotations

from computegate.model.requests import RemoteAccessRequest


def foreign_person(req: RemoteAccessRequest) -> tuple[bool | None, str]:
    """15 CFR 772.1 ("U.S. person"; the bills and proposed 15 CFR 7.301 use the same split): a
    natural person is foreign unless a US national; an entity is foreign unless incorporated in
    the US, whatever its parent."""
    c = req.customer
    if c.nationality:
        foreign = [n for n in c.nationality if n != "US"]
        if len(foreign) < len(c.nationality):
            return False, f"a US national ({'/'.join(c.nationality)}) is not a foreign person"
        return True, f"a national of {'/'.join(foreign)} is a foreign person"
    if c.country is None:
        return None, "the customer's country of incorporation is not given"
    if c.country == "US":
        return False, "a US-incorporated entity is a US person, whatever its parent"
    return True, f"an entity incorporated in {c.country} is a foreign person"


def person_of_concern(
    req: RemoteAccessRequest, countries: list[str]
) -> tuple[bool | None, str, str | None]:
    """S. 3519 sec. 2 ("foreign person of concern", countries of 10 USC 4872(f)(2)): a government of
    such a country; an entity located, headquartered or ultimately parented there; a person
    subject to its jurisdiction. Whether a national living elsewhere is "subject to the
    jurisdiction" is left open as a legal ambiguity: for such a national no other ground holds
    (False) and the country is returned third, for the question to be put."""
    c = req.customer
    concern = set(countries)
    named = "/".join(countries)
    if c.government and c.country in concern:
        return True, f"a government body of {c.country} is a foreign person of concern", None
    for label, code in (
        ("ultimate parent headquartered", c.ultimate_parent_headquarters),
        ("headquartered", c.headquarters),
        ("located", c.country),
    ):
        if code in concern and not c.nationality:
            return True, f"{label} in {code} makes the customer a foreign person of concern", None
    if c.nationality:
        hits = [n for n in c.nationality if n in concern]
        if not hits:
            return (
                False,
                f"a national of {'/'.join(c.nationality)} is not a person of concern ({named})",
                None,
            )
        if c.country in concern or req.accessed_from in concern:
            return (
                True,
                f"a {hits[0]} national in {c.country or req.accessed_from} is subject to that country's jurisdiction: a person of concern",
                None,
            )
        return (
            False,
            f"a {hits[0]} national outside {hits[0]}: whether they are subject to its jurisdiction is unclear",
            hits[0],
        )
    if c.country is None and c.headquarters is None:
        return None, "the customer's location and headquarters are not given", None
    where_ = "/".join(x for x in (c.country, c.headquarters, c.ultimate_parent_headquarters) if x)
    return (
        False,
        f"a customer tied only to {where_} is not a foreign person of concern ({named})",
        None,
    )

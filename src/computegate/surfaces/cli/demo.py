"""`computegate demo`: the headline chips of the Jan-2026 rule and two requests users ask about."""

from __future__ import annotations

from typing import Annotated

import typer

from computegate.rules import classify
from computegate.surfaces.cli.catalog import show_classification
from computegate.surfaces.cli.common import app, engine_for, out, regime_on
from computegate.surfaces.cli.decisions import show_decision

DEMO_CHIPS = ("H20", "H200", "MI325X", "B200", "B30A")
DEMO_DATE = "2026-01-16"


@app.command()
def demo(date: Annotated[str, typer.Option("--date", help="Regime date.")] = DEMO_DATE) -> None:
    """Classify the headline chips of the Jan-2026 rule, then decide two requests users ask about."""
    engine = engine_for()
    regime, cat = regime_on(engine, date, ()), engine.catalog
    out.rule(f"computegate demo: the Jan-2026 headline chips on {regime.date}")
    for name in DEMO_CHIPS:
        show_classification(classify(cat.get(name), regime, catalog=cat))
    out.rule("Can we ship 500 H200s to a customer in Shanghai?")
    shanghai = {
        "kind": "export",
        "date": regime.date,
        "item": "H200",
        "quantity": 500,
        "to_country": "CN",
        "end_user": {"name": "Shanghai customer", "headquarters": "CN"},
    }
    show_decision(engine.decide(shanghai), explain=True)
    out.rule(
        "May a Singapore company owned from Beijing rent 1,024 B200s in Malaysia? (enacted law and S. 3519)"
    )
    rental = {
        "kind": "remote_access",
        "date": regime.date,
        "provider": {"name": "KL Compute", "country": "MY"},
        "datacenter_country": "MY",
        "accelerators": [{"item": "B200", "count": 1024}],
        "customer": {
            "name": "Lion AI Pte Ltd",
            "country": "SG",
            "headquarters": "SG",
            "ultimate_parent_headquarters": "CN",
        },
        "workload": {"type": "ai_training"},
    }
    for overlays in ([], ["rasa-senate"]):
        show_decision(engine.decide({**rental, "overlays": overlays}), explain=True)
    out.print(
        "Next: `computegate catalog --plot catalog.png`, `computegate timeline`, `computegate decide --help`, "
        "`computegate whatif --request examples/remote-sg-cn-parent-b200-my.json`."
    )

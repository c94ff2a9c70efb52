"""National AI-compute balance under policy scenarios, with the law taken from the rules layer."""

from importlib import resources
from pathlib import Path

from computegate.io.errors import InputError
from computegate.simulation.model import Results, simulate, tornado
from computegate.simulation.schema import Scenario, load_scenario


def scenarios_dir() -> Path:
    return Path(str(resources.files("computegate.simulation") / "scenarios"))


def shipped_scenarios() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml") if not p.stem.startswith("_"))


def resolve_scenario(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file of your own."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.exists():
            raise InputError("SCENARIO", f"no such file: {path}")
        return load_scenario(path)
    shipped = scenarios_dir() / f"{name_or_path}.yaml"
    if name_or_path.startswith("_") or not shipped.exists():
        raise InputError(
            "SCENARIO",
            f"unknown scenario {name_or_path!r} (shipped: {', '.join(shipped_scenarios())})",
        )
    return load_scenario(shipped)


__all__ = [
    "Results",
    "Scenario",
    "load_scenario",
    "resolve_scenario",
    "shipped_scenarios",
    "simulate",
    "tornado",
]

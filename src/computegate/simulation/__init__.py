"""National AI-compute balance under policy scenarios, with the law taken from the rules layer."""

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from computegate.io.errors import InputError
from computegate.io.files import read_yaml
from computegate.rules.law import Law
from computegate.simulation.model import BundledLaw, Context, Results, simulate, tornado
from computegate.simulation.schema import BASES, Scenario, load_scenario

DEFAULT_PROFILE = "default"
SEED_PROFILE = "ifp-cfr"  # reproduces the seed article's figures


def _data(name: str) -> Path:
    return Path(str(resources.files("computegate.simulation") / name))


def shipped_scenarios() -> list[str]:
    return sorted(p.stem for p in _data("scenarios").glob("*.yaml") if not p.stem.startswith("_"))


def shipped_profiles() -> list[str]:
    return sorted(p.stem for p in _data("profiles").glob("*.yaml") if not p.stem.startswith("_"))


def profile_path(name: str) -> Path:
    path = _data("profiles") / f"{name}.yaml"
    if name.startswith("_") or not path.exists():
        raise InputError(
            "profile", f"unknown profile {name!r} (shipped: {', '.join(shipped_profiles())})"
        )
    return path


def resolve_scenario(
    name_or_path: str, profile: str = DEFAULT_PROFILE, overlays: Iterable[str] | None = None
) -> Scenario:
    """A shipped scenario by name, or a scenario file of your own, run under a shipped profile
    (a file that states its own us_production carries every assumption itself). `overlays`: the
    overlay names the regime data in use knows (the bundled data's if not given)."""
    world = profile_path(profile)
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.exists():
            raise InputError("SCENARIO", f"no such file: {path}")
        raw = read_yaml(path)
        standalone = isinstance(raw, dict) and "us_production" in raw
        return load_scenario(path, None if standalone else world, overlays)
    shipped = _data("scenarios") / f"{name_or_path}.yaml"
    if name_or_path.startswith("_") or not shipped.exists():
        raise InputError(
            "SCENARIO",
            f"unknown scenario {name_or_path!r} (shipped: {', '.join(shipped_scenarios())})",
        )
    return load_scenario(shipped, world, overlays)


__all__ = [
    "BASES",
    "DEFAULT_PROFILE",
    "SEED_PROFILE",
    "BundledLaw",
    "Context",
    "Law",
    "Results",
    "Scenario",
    "load_scenario",
    "profile_path",
    "resolve_scenario",
    "shipped_profiles",
    "shipped_scenarios",
    "simulate",
    "tornado",
]

"""What-if sets: enacted law, each relevant overlay alone, then all of them together."""

from __future__ import annotations

from computegate.regime import default_regime_data


def overlay_sets(request_kind: str) -> list[list[str]]:
    """Remote-access requests compare the remote-access overlays; exports compare the others."""
    data = default_regime_data()
    remote = request_kind == "remote_access"
    names = [
        n
        for n, ov in data.overlays.items()
        if any(p.startswith("remote.") for p in ov.defines) == remote
    ]
    order = sorted(names, key=lambda n: (data.overlays[n].status_date, n))
    return [[], *[[n] for n in order], *([order] if len(order) > 1 else [])]

"""What-if sets: enacted law, then each overlay of the request's topic alone, side by side.

Overlays are chosen by their metadata (topic), never by name. Which one is strictest is read off
the side-by-side rows; overlays are not merged to find it.
"""

from __future__ import annotations

from computegate.regime import RegimeData

TOPIC_OF_KIND = {"remote_access": "remote_access"}  # every other request kind: export_controls


def overlay_sets(request_kind: str, data: RegimeData) -> list[list[str]]:
    topic = TOPIC_OF_KIND.get(request_kind, "export_controls")
    names = [n for n, ov in data.overlays.items() if ov.topic == topic]
    order = sorted(names, key=lambda n: (data.overlays[n].status_date, n))
    return [[], *[[n] for n in order]]

"""FastAPI service: the HTTP API and web page (imported lazily so the CLI starts fast)."""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from computegate.surfaces.api.app import create_app

        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]

"""HTTP API and web page (FastAPI)."""

from computegate.api.app import create_app

__all__ = ["create_app"]

"""The command line, one module per command group; importing this package registers them all."""

from computegate.surfaces.cli import (  # noqa: F401  (each module adds its commands to `app`)
    catalog,
    decisions,
    demo,
    licences,
    screening,
    service,
    simulation,
)
from computegate.surfaces.cli.common import app, main

__all__ = ["app", "main"]

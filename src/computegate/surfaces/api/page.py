"""The web pages: HTML templates and static files shipped in the package (no inline script, no CDN)."""

from importlib import resources

_TEMPLATES = resources.files("computegate.surfaces.api") / "templates"

PAGE = (_TEMPLATES / "index.html").read_text(encoding="utf-8")
DOCS = (_TEMPLATES / "docs.html").read_text(encoding="utf-8")

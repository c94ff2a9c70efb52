"""computegate."""

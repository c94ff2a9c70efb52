"""Persistence: audit log and API keys (SQLAlchemy; SQLite by default, PostgreSQL by URL)."""

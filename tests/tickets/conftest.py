"""Databases for the ticket tests: SQLite in tmp_path, and PostgreSQL."""

from pg_databases import db_url, postgres_server

__all__ = ["db_url", "postgres_server"]

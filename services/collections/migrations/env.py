"""Alembic environment of the collections schema."""

from ar_collections.config import get_settings
from ar_collections.models import metadata
from ar_shared.migrations import run_migrations

run_migrations(metadata, get_settings().migration_database_url.get_secret_value())

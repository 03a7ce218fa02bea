"""Alembic environment of the ledger schema."""

from ar_ledger.config import get_settings
from ar_ledger.models import metadata
from ar_shared.migrations import run_migrations

run_migrations(metadata, get_settings().migration_database_url.get_secret_value())

"""Alembic environment of the credit schema."""

from ar_credit.config import get_settings
from ar_credit.models import metadata
from ar_shared.migrations import run_migrations

run_migrations(metadata, get_settings().migration_database_url.get_secret_value())

"""Alembic environment of the notifications schema."""

from ar_notifications.config import get_settings
from ar_notifications.models import metadata
from ar_shared.migrations import run_migrations

run_migrations(metadata, get_settings().migration_database_url.get_secret_value())

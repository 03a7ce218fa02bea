"""Fixtures for whole-platform tests: every service's schema migrated on the test database."""

from __future__ import annotations

from pathlib import Path

import pytest

from ar_shared.provisioning import SERVICES
from ar_shared.testing.db import migrate
from ar_shared.testing.stack import Stack

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
async def all_schemas(stack: Stack) -> None:
    for service in SERVICES:
        await migrate(REPO_ROOT / "services" / service, stack.url(service, "owner"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fault tests run last: they restart the stack's PostgreSQL and Kafka, and a test after
    them would find its session-wide pools holding connections the restart closed."""
    items.sort(key=lambda item: item.path.name == "test_faults.py")

"""Pytest fixtures every package shares (registered in the root conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ar_shared.clock import Clock
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.stack import Stack, test_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with test_stack() as s:
        yield s


@pytest.fixture(scope="session")
async def admin_engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(stack.admin_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def unique() -> str:
    """A short unique token for topic prefixes, consumer groups, external ids."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def clock() -> Clock:
    """The clock apps, workers and tokens of a test read; override it to pin a moment."""
    return TEST_CLOCK

"""The collections worker: outbox relay, event consumers and scheduled jobs."""

from __future__ import annotations

import asyncio

from ar_collections.config import get_settings
from ar_collections.consumers import handlers
from ar_collections.models import plumbing
from ar_shared.worker import run_worker


def main() -> None:
    asyncio.run(run_worker(get_settings(), plumbing, handlers))

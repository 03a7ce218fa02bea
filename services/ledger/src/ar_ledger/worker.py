"""The ledger worker: publishes the outbox (and, later, runs the daily past-due sweep)."""

from __future__ import annotations

import asyncio

from ar_ledger.config import get_settings
from ar_ledger.consumers import handlers
from ar_ledger.models import plumbing
from ar_shared.worker import run_worker


def main() -> None:
    asyncio.run(run_worker(get_settings(), plumbing, handlers))

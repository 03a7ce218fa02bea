"""The credit worker: outbox relay, event consumers and scheduled jobs."""

from __future__ import annotations

import asyncio

from ar_credit.config import get_settings
from ar_credit.consumers import handlers
from ar_credit.models import plumbing
from ar_shared.worker import run_worker


def main() -> None:
    asyncio.run(run_worker(get_settings(), plumbing, handlers))

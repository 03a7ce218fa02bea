"""The credit worker: outbox relay and the consumers of ledger and collections events. Policies are
judged after each event, and for every customer of an entity whose business date moved
(BusinessDateChanged, once per business day): days past due grow with the business date."""

from __future__ import annotations

import asyncio

from ar_credit.config import get_settings
from ar_credit.consumers import handlers
from ar_credit.models import plumbing
from ar_shared.worker import run_worker


def main() -> None:
    asyncio.run(run_worker(get_settings(), plumbing, handlers))

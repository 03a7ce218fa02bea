"""The log of recorded strategy runs: filtered, newest first, a page at a time."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.dunning.repository import RunFilter, RunRepository
from ar_collections.dunning.schemas import RunSummary
from ar_collections.models import StrategyRun
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import FieldError, Unprocessable


def summary_out(run: StrategyRun) -> RunSummary:
    return RunSummary(
        id=run.id, business_entity=run.business_entity, as_of=run.as_of, status=run.status,
        trigger=run.trigger, requested_by=run.requested_by, accounts_seen=run.accounts_seen,
        fired=run.fired, skipped=run.skipped, created_at=run.created_at, finished_at=run.finished_at,
    )  # fmt: skip


async def list_runs(session: AsyncSession, where: RunFilter, page: PageParams) -> Page[RunSummary]:
    if where.as_of_from is not None and where.as_of_to is not None and where.as_of_to < where.as_of_from:
        raise Unprocessable(
            "as_of_to is before as_of_from",
            code="invalid_date_range",
            errors=[FieldError(field="as_of_to", message="before as_of_from", code="invalid_date_range")],
        )
    after = decode_cursor(page.cursor, date, datetime, uuid.UUID) if page.cursor else None
    rows = await RunRepository(session).newest_first(where, limit=page.limit + 1, after=after)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.as_of, r.created_at, r.id])
    return Page[RunSummary](items=[summary_out(r) for r in items], next_cursor=next_cursor)

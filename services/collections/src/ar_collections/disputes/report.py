"""The root-cause report: cases and amounts by reason and root cause for a period, as JSON or a file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.disputes.repository import DisputeRepository
from ar_collections.disputes.schemas import RootCauseLine, RootCauseReport
from ar_collections.domain import disputes as rules
from ar_collections.exports import ExportFormat, Table, response
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import FieldError, Unprocessable


async def root_causes(session: AsyncSession, start: date, end: date, kind: str | None) -> RootCauseReport:
    if end < start:
        raise Unprocessable(
            "the period ends before it starts",
            code="period_reversed",
            errors=[FieldError(field="opened_to", message="before opened_from", code="period_reversed")],
        )
    facts = [
        rules.CaseFacts(
            c.reason_code, c.root_cause_code, c.currency, amount, c.opened_on, c.resolved_on, c.status
        )
        for c, amount in await DisputeRepository(session).opened_between(start, end, kind)
    ]
    return RootCauseReport(
        opened_from=start,
        opened_to=end,
        kind=kind,
        lines=[
            RootCauseLine(
                reason_code=line.reason_code,
                root_cause_code=line.root_cause_code,
                cases=line.cases,
                amount=MoneyAmount.from_money(Money(line.amount_minor, line.currency)),
                resolved=line.resolved,
                valid=line.valid,
                invalid=line.invalid,
                withdrawn=line.withdrawn,
                average_days_to_resolve=line.average_days_to_resolve,
            )
            for line in rules.root_causes(facts)
        ],
    )


def export(result: RootCauseReport, export_format: ExportFormat) -> Response:
    table = Table(
        "Dispute root causes",
        [
            "reason_code",
            "root_cause_code",
            "currency",
            "cases",
            "amount",
            "resolved",
            "valid",
            "invalid",
            "withdrawn",
            "average_days_to_resolve",
        ],
        [
            [
                line.reason_code,
                line.root_cause_code,
                line.amount.currency,
                line.cases,
                Decimal(line.amount.amount),
                line.resolved,
                line.valid,
                line.invalid,
                line.withdrawn,
                line.average_days_to_resolve,
            ]
            for line in result.lines
        ],
    )
    return response(table, export_format, f"dispute-root-causes-{result.opened_from}-{result.opened_to}")

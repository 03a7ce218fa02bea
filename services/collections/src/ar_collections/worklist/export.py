"""The worklist as a table (CSV / XLSX): one row per item, amounts as numbers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ar_collections.domain.priority import PARTS
from ar_collections.exports import Cell, Table
from ar_collections.worklist.schemas import WorklistItem


def _amounts(amounts: Sequence[object]) -> str:
    return "; ".join(f"{a.amount} {a.currency}" for a in amounts)  # type: ignore[attr-defined]


def _single(amounts: Sequence[object]) -> Decimal | None:
    # one currency (the usual case) is a number a spreadsheet can add up
    return Decimal(amounts[0].amount) if len(amounts) == 1 else None  # type: ignore[attr-defined]


def worklist_table(items: Sequence[WorklistItem]) -> Table:
    header = [
        "rank", "external_id", "name", "business_entity", "as_of", "score", "sla", "sla_due_on",
        "sla_breached", "oldest_days_past_due", "bucket", "overdue", "overdue_amount", "currency",
        "risk_class", "last_contact_on", "tasks_due", "reason_codes", *(f"points_{p}" for p in PARTS),
    ]  # fmt: skip
    rows: list[Sequence[Cell]] = []
    for rank, item in enumerate(items, start=1):
        points: dict[str, Decimal] = {p.part: Decimal(p.points) for p in item.score_parts}
        rows.append(
            [
                rank, item.external_id, item.name, item.business_entity, item.as_of, Decimal(item.score),
                item.sla.name if item.sla else None, item.sla.due_on if item.sla else None,
                ("yes" if item.sla.breached else "no") if item.sla else None,
                item.oldest_days_past_due, item.bucket, _amounts(item.overdue), _single(item.overdue),
                item.overdue[0].currency if len(item.overdue) == 1 else None, item.risk_class,
                item.last_contact_on, len(item.tasks), ", ".join(item.reason_codes),
                *(points.get(p) for p in PARTS),
            ]
        )  # fmt: skip
    return Table("Worklist", header, rows)

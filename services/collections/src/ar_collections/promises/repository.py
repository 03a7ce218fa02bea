"""SQL of promises to pay and payment plans, and the cash applied to the items they cover."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain.promises import Applied, Commitment, deadline
from ar_collections.models import (
    ITEM_IS_OPEN,
    OpenItem,
    PaymentApplication,
    PaymentPlan,
    PlanInstalment,
    PlanItem,
    PromiseItem,
    PromiseToPay,
)
from ar_shared.repository import Repository

CASH_KINDS = ("payment", "unapplied_cash")  # credit memos are no payment
CREDIT_KINDS = ("credit_memo",)


async def lock_coverage(session: AsyncSession, customer_id: uuid.UUID) -> None:
    """Serialises new promises and plans of one account until the transaction ends, so two
    collectors never both cover the same item (each checks what the other has not written yet)."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"coverage:{customer_id}"))))


async def cash_applied(
    session: AsyncSession, invoice_ids: Sequence[uuid.UUID], since: date, kinds: Sequence[str] = CASH_KINDS
) -> list[Applied]:
    """Cash (or, with `kinds=CREDIT_KINDS`, credit memos) applied to these items on or after
    `since`, leaving out what was taken back."""
    if not invoice_ids:
        return []
    query = select(PaymentApplication.effective_date, PaymentApplication.amount_minor).where(
        PaymentApplication.invoice_id.in_(invoice_ids),
        PaymentApplication.source_kind.in_(kinds),
        PaymentApplication.undone_on.is_(None),
        PaymentApplication.effective_date >= since,
    )
    return [Applied(on, minor) for on, minor in (await session.execute(query)).all()]


async def open_items(session: AsyncSession, customer_id: uuid.UUID) -> Sequence[OpenItem]:
    """The account's open items, oldest due first (for a promise over "the oldest first")."""
    query = (
        select(OpenItem)
        .where(OpenItem.customer_id == customer_id, ITEM_IS_OPEN, OpenItem.voided.is_(False))
        .order_by(OpenItem.due_date, OpenItem.issue_date, OpenItem.invoice_number)
    )
    return (await session.scalars(query)).all()


async def items_by_id(session: AsyncSession, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OpenItem]:
    rows = await session.scalars(select(OpenItem).where(OpenItem.invoice_id.in_(invoice_ids)))
    return {row.invoice_id: row for row in rows}


async def covered_elsewhere(session: AsyncSession, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Which of these items an open promise or an active plan covers already (and which)."""
    found: dict[uuid.UUID, str] = {}
    rows = await session.execute(
        select(PromiseItem.invoice_id)
        .join(PromiseToPay, PromiseToPay.id == PromiseItem.promise_id)
        .where(PromiseItem.invoice_id.in_(invoice_ids), PromiseToPay.status == "open")
    )
    found.update({row.invoice_id: "promise" for row in rows})
    rows = await session.execute(
        select(PlanItem.invoice_id)
        .join(PaymentPlan, PaymentPlan.id == PlanItem.plan_id)
        .where(PlanItem.invoice_id.in_(invoice_ids), PaymentPlan.status == "active")
    )
    found.update({row.invoice_id: "payment plan" for row in rows})
    return found


async def older_commitments_over(
    session: AsyncSession,
    customer_id: uuid.UUID,
    invoice_ids: Sequence[uuid.UUID],
    made: tuple[datetime, uuid.UUID],
) -> list[tuple[Commitment, list[uuid.UUID]]]:
    """The account's promises and plans made before `made` (created_at, id) over some of these
    items that may hold cash on them (all but broken promises and breached plans: what they had
    came before anything made after they were judged), each with the items it shares."""
    found: dict[uuid.UUID, tuple[Commitment, list[uuid.UUID]]] = {}
    promises = (
        select(PromiseToPay, PromiseItem.invoice_id)
        .join(PromiseItem, PromiseItem.promise_id == PromiseToPay.id)
        .where(
            PromiseToPay.customer_id == customer_id,
            PromiseToPay.status != "broken",
            PromiseToPay.created_at <= made[0],
            PromiseItem.invoice_id.in_(invoice_ids),
        )
    )
    for promise, invoice_id in (await session.execute(promises)).all():
        if (promise.created_at, promise.id) < made:
            commitment = Commitment(
                promise.recorded_on,
                deadline(promise.promised_date, promise.tolerance_days),
                promise.amount_minor,
            )
            found.setdefault(promise.id, (commitment, []))[1].append(invoice_id)
    plans = (
        select(PaymentPlan, PlanItem.invoice_id)
        .join(PlanItem, PlanItem.plan_id == PaymentPlan.id)
        .where(
            PaymentPlan.customer_id == customer_id,
            PaymentPlan.status != "breached",
            PaymentPlan.created_at <= made[0],
            PlanItem.invoice_id.in_(invoice_ids),
        )
    )
    for plan, invoice_id in (await session.execute(plans)).all():
        if (plan.created_at, plan.id) < made:
            commitment = Commitment(plan.agreed_on, plan.closed_on or date.max, plan.total_minor)
            found.setdefault(plan.id, (commitment, []))[1].append(invoice_id)
    return list(found.values())


async def anything_covers(session: AsyncSession, invoice_ids: Sequence[uuid.UUID]) -> bool:
    """Whether any promise or plan covers one of these items (most payments meet none)."""
    promised = select(PromiseItem.invoice_id).where(PromiseItem.invoice_id.in_(invoice_ids))
    planned = select(PlanItem.invoice_id).where(PlanItem.invoice_id.in_(invoice_ids))
    return bool(await session.scalar(select(promised.union_all(planned).exists())))


class PromiseRepository(Repository[PromiseToPay]):
    model = PromiseToPay

    async def items(self, promise_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PromiseItem]]:
        found: dict[uuid.UUID, list[PromiseItem]] = {p: [] for p in promise_ids}
        if not promise_ids:
            return found
        query = (
            select(PromiseItem)
            .where(PromiseItem.promise_id.in_(promise_ids))
            .order_by(PromiseItem.invoice_id)
        )
        for item in await self.session.scalars(query):
            found[item.promise_id].append(item)
        return found

    async def to_judge_for_date(self, business_entity: str, today: date) -> Sequence[PromiseToPay]:
        """Open promises of the entity whose deadline passed by `today`, locked."""
        deadline = PromiseToPay.promised_date + PromiseToPay.tolerance_days
        query = (
            select(PromiseToPay)
            .where(
                PromiseToPay.business_entity == business_entity,
                PromiseToPay.status == "open",
                deadline < today,
            )
            .order_by(PromiseToPay.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def covering(
        self, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID]
    ) -> Sequence[PromiseToPay]:
        """The account's promises over any of these items that payments may still change (all but
        broken ones), locked."""
        covering = select(PromiseItem.promise_id).where(PromiseItem.invoice_id.in_(invoice_ids))
        query = (
            select(PromiseToPay)
            .where(
                PromiseToPay.customer_id == customer_id,
                PromiseToPay.status != "broken",
                PromiseToPay.id.in_(covering),
            )
            .order_by(PromiseToPay.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def others_open_over(
        self, promise: PromiseToPay, invoice_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]:
        """Which of these items another open promise covers (and which one; see also
        `PlanRepository.active_over`)."""
        query = (
            select(PromiseItem.invoice_id, PromiseToPay.id)
            .join(PromiseToPay, PromiseToPay.id == PromiseItem.promise_id)
            .where(
                PromiseToPay.customer_id == promise.customer_id,
                PromiseToPay.id != promise.id,
                PromiseToPay.status == "open",
                PromiseItem.invoice_id.in_(invoice_ids),
            )
        )
        return {row.invoice_id: row.id for row in (await self.session.execute(query)).all()}

    async def judged_counts(self, customer_id: uuid.UUID) -> tuple[dict[str, int], date | None]:
        """How many of the account's promises were judged each way, and the last broken one's date."""
        query = (
            select(PromiseToPay.status, func.count(), func.max(PromiseToPay.judged_on))
            .where(PromiseToPay.customer_id == customer_id)
            .group_by(PromiseToPay.status)
        )
        rows = (await self.session.execute(query)).all()
        return {s: int(n) for s, n, _ in rows}, next((on for s, _, on in rows if s == "broken"), None)

    async def broken_count(self, customer_id: uuid.UUID) -> int:
        query = select(func.count()).where(
            PromiseToPay.customer_id == customer_id, PromiseToPay.status == "broken"
        )
        return int(await self.session.scalar(query) or 0)

    async def page(
        self,
        *,
        customer_id: uuid.UUID | None,
        status: str | None,
        due_by: date | None,
        after: Sequence[object] | None,
        limit: int,
    ) -> Sequence[PromiseToPay]:
        """Promises by promised date (row-level security: a collector's accounts only)."""
        query = self.select()
        if customer_id is not None:
            query = query.where(PromiseToPay.customer_id == customer_id)
        if status is not None:
            query = query.where(PromiseToPay.status == status)
        if due_by is not None:
            query = query.where(PromiseToPay.promised_date <= due_by)
        return await self.keyset_page(query, [PromiseToPay.promised_date, PromiseToPay.id], after, limit)


class PlanRepository(Repository[PaymentPlan]):
    model = PaymentPlan

    async def active_of_account(self, customer_id: uuid.UUID) -> Sequence[PaymentPlan]:
        query = (
            select(PaymentPlan)
            .where(PaymentPlan.customer_id == customer_id, PaymentPlan.status == "active")
            .order_by(PaymentPlan.agreed_on, PaymentPlan.id)
        )
        return (await self.session.scalars(query)).all()

    async def items(self, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PlanItem]]:
        """The items of each plan (one statement for a page of plans)."""
        found: dict[uuid.UUID, list[PlanItem]] = {p: [] for p in plan_ids}
        query = select(PlanItem).where(PlanItem.plan_id.in_(plan_ids)).order_by(PlanItem.invoice_id)
        for item in await self.session.scalars(query) if plan_ids else []:
            found[item.plan_id].append(item)
        return found

    async def instalments(self, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PlanInstalment]]:
        """The instalments of each plan, in order (one statement for a page of plans)."""
        found: dict[uuid.UUID, list[PlanInstalment]] = {p: [] for p in plan_ids}
        query = (
            select(PlanInstalment).where(PlanInstalment.plan_id.in_(plan_ids)).order_by(PlanInstalment.number)
        )
        for instalment in await self.session.scalars(query) if plan_ids else []:
            found[instalment.plan_id].append(instalment)
        return found

    async def active_over(
        self, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]:
        """Which of these items an active plan of the account covers (and which one)."""
        query = (
            select(PlanItem.invoice_id, PaymentPlan.id)
            .join(PaymentPlan, PaymentPlan.id == PlanItem.plan_id)
            .where(
                PaymentPlan.customer_id == customer_id,
                PaymentPlan.status == "active",
                PlanItem.invoice_id.in_(invoice_ids),
            )
        )
        return {row.invoice_id: row.id for row in (await self.session.execute(query)).all()}

    async def active_for_date(self, business_entity: str, today: date) -> Sequence[PaymentPlan]:
        """The entity's active plans a new business date may change (an unpaid instalment that
        fell due before it), locked."""
        falling_due = select(PlanInstalment.plan_id).where(
            PlanInstalment.status.in_(("pending", "due")), PlanInstalment.due_date < today
        )
        query = (
            select(PaymentPlan)
            .where(
                PaymentPlan.business_entity == business_entity,
                PaymentPlan.status == "active",
                PaymentPlan.id.in_(falling_due),
            )
            .order_by(PaymentPlan.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def covering(
        self, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID]
    ) -> Sequence[PaymentPlan]:
        covering = select(PlanItem.plan_id).where(PlanItem.invoice_id.in_(invoice_ids))
        query = (
            select(PaymentPlan)
            .where(
                PaymentPlan.customer_id == customer_id,
                PaymentPlan.status == "active",
                PaymentPlan.id.in_(covering),
            )
            .order_by(PaymentPlan.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def page(
        self, *, customer_id: uuid.UUID | None, status: str | None, after: Sequence[object] | None, limit: int
    ) -> Sequence[PaymentPlan]:
        query = self.select()
        if customer_id is not None:
            query = query.where(PaymentPlan.customer_id == customer_id)
        if status is not None:
            query = query.where(PaymentPlan.status == status)
        return await self.keyset_page(query, [PaymentPlan.agreed_on, PaymentPlan.id], after, limit)

"""SQL for accounts: the ledger's master data, attributes, assignment and what the rules read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Uuid, any_, func, literal, null, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import (
    ITEM_IS_OPEN,
    Account,
    CreditHold,
    CreditMemo,
    CreditProfile,
    ItemReason,
    OpenItem,
    Payment,
    Task,
)
from ar_shared.repository import Repository


def _any(customer_ids: Sequence[uuid.UUID]) -> ColumnElement[Any]:
    """`= ANY(array)`: one parameter however many accounts (a strategy run's chunk has hundreds)."""
    return any_(literal(list(customer_ids), ARRAY(Uuid)))


class AccountRepository(Repository[Account]):
    model = Account

    async def upsert(self, values: dict[str, object]) -> None:
        """Ledger master data (the projection's handler; tests seed accounts with it too)."""
        statement = insert(Account).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Account.customer_id],
                set_={k: statement.excluded[k] for k in values if k != "customer_id"},
            )
        )

    async def page(
        self, *, limit: int, after: tuple[str, uuid.UUID] | None, portfolio_id: uuid.UUID | None
    ) -> Sequence[Account]:
        """Accounts the caller may see, by name (row-level security decides which)."""
        query = select(Account).order_by(Account.name, Account.customer_id).limit(limit)
        if after is not None:
            name, last = after
            query = query.where(
                or_(Account.name > name, (Account.name == name) & (Account.customer_id > last))
            )
        if portfolio_id is not None:
            query = query.where(Account.portfolio_id == portfolio_id)
        return (await self.session.scalars(query)).all()

    async def rule_facts(
        self, customer_ids: Sequence[uuid.UUID] | None, *, balances: bool = True
    ) -> Sequence[Row[Any]]:
        """What the assignment rules read, for the given accounts (None: every account the rules
        place, i.e. not assigned by hand): attributes, risk class, open balance per currency
        (unless `balances` is False: no rule to match has a balance band, and the open items are
        not summed; `currencies` and `open_minor` are then null)."""
        per_currency = (
            select(
                OpenItem.customer_id,
                OpenItem.currency,
                func.sum(OpenItem.open_minor).label("open_minor"),
            )
            .where(ITEM_IS_OPEN)
            .group_by(OpenItem.customer_id, OpenItem.currency)
        )
        if customer_ids is not None:
            per_currency = per_currency.where(OpenItem.customer_id == _any(customer_ids))
        totals = per_currency.subquery()
        summed = (
            select(
                totals.c.customer_id,
                func.array_agg(totals.c.currency).label("currencies"),
                func.array_agg(totals.c.open_minor).label("open_minor"),
            )
            .group_by(totals.c.customer_id)
            .subquery()
        )
        query = (
            select(
                Account.customer_id,
                Account.business_entity,
                Account.country,
                Account.region,
                Account.sales_rep,
                Account.attributes,
                Account.portfolio_id,
                Account.assignment_source,
                Account.assignment_rule_id,
                CreditProfile.risk_class,
                summed.c.currencies if balances else null().label("currencies"),
                summed.c.open_minor if balances else null().label("open_minor"),
            )
            .outerjoin(CreditProfile, CreditProfile.customer_id == Account.customer_id)
            .order_by(Account.customer_id)
        )
        if balances:
            query = query.outerjoin(summed, summed.c.customer_id == Account.customer_id)
        if customer_ids is not None:
            query = query.where(Account.customer_id == _any(customer_ids))
        else:
            query = query.where(or_(Account.assignment_source.is_(None), Account.assignment_source == "rule"))
        return (await self.session.execute(query)).all()

    async def changed_since(self, moment: Any) -> list[uuid.UUID]:
        """Accounts whose open items moved since `moment` (their balance band may have changed)."""
        query = select(OpenItem.customer_id).where(OpenItem.changed_at >= moment).distinct()
        return list((await self.session.scalars(query)).all())

    async def set_assignment(
        self,
        customer_id: uuid.UUID,
        *,
        portfolio_id: uuid.UUID | None,
        source: str | None,
        rule_id: uuid.UUID | None,
        at: Any,
    ) -> None:
        await self.session.execute(
            update(Account)
            .where(Account.customer_id == customer_id)
            .values(
                portfolio_id=portfolio_id,
                assignment_source=source,
                assignment_rule_id=rule_id,
                assigned_at=at,
            )
        )

    async def contacted(self, customer_id: uuid.UUID, on: date) -> None:
        """Keeps the latest contact date (an older activity logged late does not move it back)."""
        await self.session.execute(
            update(Account)
            .where(Account.customer_id == customer_id)
            .values(last_contact_on=func.greatest(func.coalesce(Account.last_contact_on, on), on))
        )


class AccountViewRepository:
    """The reads of the account view (each one statement, all under row-level security)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_items(self, customer_id: uuid.UUID) -> Sequence[Row[OpenItem, str, str | None]]:
        # `code` and `note` are None for an item without a reason code (an outer join)
        query = (
            select(OpenItem, ItemReason.code, ItemReason.note)
            .outerjoin(ItemReason, ItemReason.invoice_id == OpenItem.invoice_id)
            .where(OpenItem.customer_id == customer_id, ITEM_IS_OPEN)
            .order_by(OpenItem.due_date, OpenItem.invoice_number)
        )
        return (await self.session.execute(query)).all()

    async def unapplied(self, customer_id: uuid.UUID) -> tuple[dict[str, int], dict[str, int]]:
        cash = select(Payment.currency, func.sum(Payment.unapplied_minor)).where(
            Payment.customer_id == customer_id, Payment.unapplied_minor != 0
        )
        credits = select(CreditMemo.currency, func.sum(CreditMemo.unapplied_minor)).where(
            CreditMemo.customer_id == customer_id, CreditMemo.unapplied_minor != 0
        )
        cash_rows = (await self.session.execute(cash.group_by(Payment.currency))).all()
        credit_rows = (await self.session.execute(credits.group_by(CreditMemo.currency))).all()
        return {c: int(m) for c, m in cash_rows}, {c: int(m) for c, m in credit_rows}

    async def last_payment(self, customer_id: uuid.UUID) -> Payment | None:
        query = (
            select(Payment)
            .where(Payment.customer_id == customer_id, Payment.reversed_on.is_(None))
            .order_by(Payment.received_on.desc(), Payment.payment_id.desc())
            .limit(1)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def holds(self, customer_id: uuid.UUID) -> Sequence[CreditHold]:
        query = (
            select(CreditHold)
            .where(CreditHold.customer_id == customer_id, CreditHold.released_at.is_(None))
            .order_by(CreditHold.placed_at)
        )
        return (await self.session.scalars(query)).all()

    async def credit(self, customer_id: uuid.UUID) -> CreditProfile | None:
        return await self.session.get(CreditProfile, customer_id)

    async def open_tasks(self, customer_id: uuid.UUID) -> Sequence[Task]:
        query = (
            select(Task)
            .where(Task.customer_id == customer_id, Task.status == "open")
            .order_by(Task.due_on, Task.id)
        )
        return (await self.session.scalars(query)).all()

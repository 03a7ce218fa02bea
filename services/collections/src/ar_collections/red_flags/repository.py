"""SQL for the red-flag job: the accounts looked at, bounced payments, broken promises, credit
limits, and each flag stored once (the unique key answers a rerun); and the jobs the close of
business asks for (one per entity and date, taken in date order)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from ar_collections.models import Account, CreditProfile, Payment, PromiseToPay, RedFlag, RedFlagJob
from ar_shared.repository import Repository


class RedFlagRepository(Repository[RedFlag]):
    model = RedFlag

    async def raise_all_once(self, rows: Sequence[RedFlag]) -> set[uuid.UUID]:
        """Stores in one statement each flag whose (customer, kind, occurrence) was not raised
        before; the ids of those stored."""
        if not rows:
            return set()
        values = [
            {c.key: getattr(r, c.key) for c in RedFlag.__table__.columns if getattr(r, c.key) is not None}
            for r in rows
        ]
        statement = insert(RedFlag).values(values).on_conflict_do_nothing().returning(RedFlag.id)
        return set((await self.session.scalars(statement)).all())

    async def link(self, escalations: dict[uuid.UUID, uuid.UUID]) -> None:
        """Each flag's escalation (flag id -> escalation id), in one statement."""
        if escalations:
            await self.session.execute(
                text(
                    "UPDATE collections.red_flags f SET escalation_id = v.escalation_id"
                    " FROM unnest(CAST(:flags AS uuid[]), CAST(:escalations AS uuid[]))"
                    " AS v(id, escalation_id)"
                    " WHERE f.id = v.id"
                ),
                {"flags": list(escalations), "escalations": list(escalations.values())},
            )

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> list[RedFlag]:
        """The flags, in the order of `ids`."""
        found = {
            r.id: r for r in (await self.session.scalars(select(RedFlag).where(RedFlag.id.in_(ids)))).all()
        }
        return [found[i] for i in ids]

    async def of_customer(self, customer_id: uuid.UUID) -> Sequence[RedFlag]:
        query = (
            select(RedFlag).where(RedFlag.customer_id == customer_id).order_by(RedFlag.created_at, RedFlag.id)
        )
        return (await self.session.scalars(query)).all()

    async def currencies(self, business_entity: str | None) -> dict[uuid.UUID, str]:
        """The currency of each account looked at (its KPIs are read in it)."""
        query = select(Account.customer_id, Account.currency)
        if business_entity is not None:
            query = query.where(Account.business_entity == business_entity)
        return {r.customer_id: r.currency for r in await self.session.execute(query)}

    async def bounced(self, business_entity: str | None, since: date, as_of: date) -> Sequence[Payment]:
        """Payments reversed in (since, as_of]."""
        query = (
            select(Payment)
            .join(Account, Account.customer_id == Payment.customer_id)
            .where(Payment.reversed_on > since, Payment.reversed_on <= as_of)
        )
        if business_entity is not None:
            query = query.where(Account.business_entity == business_entity)
        return (await self.session.scalars(query)).all()

    async def broken_promises(
        self, business_entity: str | None, as_of: date
    ) -> dict[uuid.UUID, list[tuple[str, date]]]:
        """Every promise judged broken by `as_of`, per customer: (id, date judged)."""
        query = select(PromiseToPay.customer_id, PromiseToPay.id, PromiseToPay.judged_on).where(
            PromiseToPay.status == "broken", PromiseToPay.judged_on <= as_of
        )
        if business_entity is not None:
            query = query.where(PromiseToPay.business_entity == business_entity)
        result: dict[uuid.UUID, list[tuple[str, date]]] = {}
        for r in await self.session.execute(query):
            result.setdefault(r.customer_id, []).append((str(r.id), r.judged_on))
        return result

    async def credit_limits(self, business_entity: str | None) -> dict[uuid.UUID, tuple[int, str]]:
        """(limit, currency) of every account with a credit limit."""
        query = (
            select(
                CreditProfile.customer_id,
                CreditProfile.credit_limit_minor,
                CreditProfile.credit_limit_currency,
            )
            .join(Account, Account.customer_id == CreditProfile.customer_id)
            .where(
                CreditProfile.credit_limit_minor.is_not(None),
                CreditProfile.credit_limit_currency.is_not(None),
            )
        )
        if business_entity is not None:
            query = query.where(Account.business_entity == business_entity)
        return {
            r.customer_id: (int(r.credit_limit_minor), str(r.credit_limit_currency))
            for r in await self.session.execute(query)
        }


class RedFlagJobRepository(Repository[RedFlagJob]):
    model = RedFlagJob

    async def last_asked(self, business_entity: str) -> date | None:
        """The latest business date a job of the entity was asked for."""
        found: date | None = await self.session.scalar(
            select(func.max(RedFlagJob.as_of)).where(RedFlagJob.business_entity == business_entity)
        )
        return found

    async def ask(self, business_entity: str, as_of: date, kinds: Sequence[str]) -> None:
        """Records a pending job, unless the entity has one for the date."""
        await self.session.execute(
            insert(RedFlagJob)
            .values(id=uuid.uuid4(), business_entity=business_entity, as_of=as_of, kinds=list(kinds))
            .on_conflict_do_nothing()
        )

    async def entities_with_pending(self) -> list[str]:
        query = select(RedFlagJob.business_entity).where(RedFlagJob.status == "pending").distinct()
        return sorted((await self.session.scalars(query)).all())

    async def failing(self) -> int:
        """Pending jobs that failed at least once."""
        query = select(func.count()).where(RedFlagJob.status == "pending", RedFlagJob.attempts > 0)
        return int(await self.session.scalar(query) or 0)

    async def take_entity(self, business_entity: str) -> bool:
        """The entity's jobs run one at a time, in date order: false while another worker's
        transaction runs one (this transaction holds the entity until it ends)."""
        taken = await self.session.scalar(
            select(func.pg_try_advisory_xact_lock(func.hashtext(f"red_flag_job:{business_entity}")))
        )
        return bool(taken)

    async def oldest_pending(self, business_entity: str) -> RedFlagJob | None:
        """The entity's oldest pending job, locked until the transaction ends."""
        query = (
            select(RedFlagJob)
            .where(RedFlagJob.business_entity == business_entity, RedFlagJob.status == "pending")
            .order_by(RedFlagJob.as_of)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).first()

    async def newest_first(
        self,
        business_entity: str | None,
        status: str | None,
        *,
        limit: int,
        after: tuple[date, uuid.UUID] | None,
    ) -> Sequence[RedFlagJob]:
        """Latest business date first, keyset-paged on (as_of, id)."""
        query = self.select()
        if business_entity is not None:
            query = query.where(RedFlagJob.business_entity == business_entity)
        if status is not None:
            query = query.where(RedFlagJob.status == status)
        return await self.keyset_page(
            query, [RedFlagJob.as_of, RedFlagJob.id], after, limit, newest_first=True
        )

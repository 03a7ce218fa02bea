"""SQL of dunning charges: the settings tables and the charges requested."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from ar_collections.models import DunningCharge, DunningFee, LateInterestRate, LateInterestTerms
from ar_shared.repository import Repository


class ChargeSettingsRepository(Repository[DunningFee]):
    model = DunningFee

    async def lock(self) -> None:
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext("dunning_charge_settings")))
        )

    async def fees(self) -> Sequence[DunningFee]:
        query = select(DunningFee).order_by(DunningFee.currency, DunningFee.level)
        return (await self.session.scalars(query)).all()

    async def terms(self) -> Sequence[LateInterestTerms]:
        return (
            await self.session.scalars(select(LateInterestTerms).order_by(LateInterestTerms.currency))
        ).all()

    async def rates(self) -> Sequence[LateInterestRate]:
        query = select(LateInterestRate).order_by(LateInterestRate.currency, LateInterestRate.effective_from)
        return (await self.session.scalars(query)).all()

    async def replace(
        self, fees: list[DunningFee], terms: list[LateInterestTerms], rates: list[LateInterestRate]
    ) -> None:
        """The whole settings, in place of the old ones (the caller holds the lock)."""
        await self.session.execute(delete(LateInterestRate))
        await self.session.execute(delete(LateInterestTerms))
        await self.session.execute(delete(DunningFee))
        await self.session.flush()
        self.session.add_all([*fees, *terms])
        await self.session.flush()
        self.session.add_all(rates)
        await self.session.flush()


class ChargeRepository(Repository[DunningCharge]):
    model = DunningCharge

    async def record(self, charge: DunningCharge) -> bool:
        """Keeps the charge unless one with its request id is kept already; tells whether it was new."""
        statement = (
            insert(DunningCharge)
            .values(
                request_id=charge.request_id, customer_id=charge.customer_id, kind=charge.kind,
                currency=charge.currency, amount_minor=charge.amount_minor, as_of=charge.as_of,
                detail=charge.detail,
            )
            .on_conflict_do_nothing(index_elements=[DunningCharge.request_id])
            .returning(DunningCharge.request_id)
        )  # fmt: skip
        return (await self.session.scalar(statement)) is not None

    async def request_ids(self, customer_id: uuid.UUID) -> set[uuid.UUID]:
        """Every charge's id: the ledger's fee documents carry it as their invoice id."""
        query = select(DunningCharge.request_id).where(DunningCharge.customer_id == customer_id)
        return set((await self.session.scalars(query)).all())

    async def interest_charged_through(self, customer_id: uuid.UUID) -> dict[uuid.UUID, date]:
        """Per invoice, the latest date interest was charged through."""
        query = select(DunningCharge.as_of, DunningCharge.detail).where(
            DunningCharge.customer_id == customer_id, DunningCharge.kind == "interest"
        )
        through: dict[uuid.UUID, date] = {}
        for as_of, detail in (await self.session.execute(query)).all():
            for invoice_id in detail.get("invoice_ids", []):
                key = uuid.UUID(invoice_id)
                through[key] = max(as_of, through.get(key, as_of))
        return through

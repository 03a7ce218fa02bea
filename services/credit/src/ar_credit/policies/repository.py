"""SQL for credit policies (with their overdue thresholds per currency) and the customers they govern."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditExposure, CreditHold, CreditPolicy, CreditPolicyOverdueLimit, CreditProfile
from ar_credit.models.customer import CreditCustomer


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def policy(self, risk_class: str) -> CreditPolicy | None:
        return await self.session.get(CreditPolicy, risk_class)

    async def policy_for_update(self, risk_class: str) -> CreditPolicy | None:
        return await self.session.get(CreditPolicy, risk_class, with_for_update=True)

    async def all(self) -> Sequence[CreditPolicy]:
        return (await self.session.scalars(select(CreditPolicy).order_by(CreditPolicy.risk_class))).all()

    async def all_with_overdue_limits(self) -> tuple[dict[str, CreditPolicy], dict[str, dict[str, int]]]:
        """Every policy by risk class, and per risk class: currency -> overdue threshold in minor
        units; in one statement."""
        rows = await self.session.execute(
            select(CreditPolicy, CreditPolicyOverdueLimit)
            .outerjoin(
                CreditPolicyOverdueLimit, CreditPolicyOverdueLimit.risk_class == CreditPolicy.risk_class
            )
            .order_by(CreditPolicy.risk_class)
        )
        policies: dict[str, CreditPolicy] = {}
        limits: dict[str, dict[str, int]] = {}
        for policy, limit in rows:
            policies[policy.risk_class] = policy
            thresholds = limits.setdefault(policy.risk_class, {})
            if limit is not None:
                thresholds[limit.currency] = limit.max_overdue_minor
        return policies, limits

    async def overdue_limit(self, risk_class: str, currency: str) -> int | None:
        return await self.session.scalar(
            select(CreditPolicyOverdueLimit.max_overdue_minor).where(
                CreditPolicyOverdueLimit.risk_class == risk_class,
                CreditPolicyOverdueLimit.currency == currency,
            )
        )

    async def overdue_limits(self, risk_classes: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per risk class: currency -> threshold in minor units."""
        rows = await self.session.execute(
            select(CreditPolicyOverdueLimit).where(CreditPolicyOverdueLimit.risk_class.in_(risk_classes))
        )
        limits: dict[str, dict[str, int]] = {r: {} for r in risk_classes}
        for (limit,) in rows:
            limits[limit.risk_class][limit.currency] = limit.max_overdue_minor
        return limits

    async def replace_overdue_limits(self, risk_class: str, limits: dict[str, int]) -> None:
        await self.session.execute(
            delete(CreditPolicyOverdueLimit).where(CreditPolicyOverdueLimit.risk_class == risk_class)
        )
        if limits:
            await self.session.execute(
                insert(CreditPolicyOverdueLimit),
                [
                    {"risk_class": risk_class, "currency": c, "max_overdue_minor": m}
                    for c, m in limits.items()
                ],
            )

    async def profile(self, customer_id: uuid.UUID) -> CreditProfile | None:
        return await self.session.get(CreditProfile, customer_id)

    async def customers_governed(self, risk_class: str, *, without_profile: bool) -> list[uuid.UUID]:
        """Customers of the class (and, `without_profile`, those without a credit profile) that a
        policy can hold or release: those with exposure on record or an active policy hold."""
        in_class = CreditProfile.risk_class == risk_class
        if without_profile:
            in_class = or_(in_class, CreditProfile.customer_id.is_(None))
        query = (
            select(CreditCustomer.id)
            .outerjoin(CreditProfile, CreditProfile.customer_id == CreditCustomer.id)
            .where(
                in_class,
                or_(
                    select(CreditExposure.customer_id)
                    .where(CreditExposure.customer_id == CreditCustomer.id)
                    .exists(),
                    select(CreditHold.id)
                    .where(
                        CreditHold.customer_id == CreditCustomer.id,
                        CreditHold.source == "policy",
                        CreditHold.status == "active",
                    )
                    .exists(),
                ),
            )
            .order_by(CreditCustomer.id)
        )
        return list((await self.session.scalars(query)).all())

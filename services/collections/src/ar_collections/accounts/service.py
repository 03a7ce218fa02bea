"""Account rules: a manager sets the attributes the assignment rules read, and the rules run."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.schemas import AccountAttributes
from ar_collections.models import Account
from ar_collections.portfolios import assignment
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit
from ar_shared.audit import Actor


async def set_attributes(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: AccountAttributes,
    today: Callable[[str], date],
) -> Account:
    account = await require_account(session, customer_id)
    before = {"country": account.country, "region": account.region, "attributes": account.attributes}
    account.country, account.region, account.attributes = data.country, data.region, dict(data.attributes)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="account.attributes_set",
        entity_type="account",
        entity_id=str(customer_id),
        before=before,
        after=data.model_dump(mode="json"),
    )
    # an account that changes is placed again by the rules (unless assigned by hand)
    await assignment.reassess(session, [customer_id], actor=actor, today=today)
    await session.refresh(account)
    return account

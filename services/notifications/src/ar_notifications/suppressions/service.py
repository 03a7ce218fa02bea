"""Suppression rules: one entry per address (case-insensitive), every change audited."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_notifications.models import Suppression, plumbing
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_notifications.suppressions.schemas import Suppression as SuppressionOut
from ar_notifications.suppressions.schemas import SuppressionCreate
from ar_shared.audit import Actor, AuditLog
from ar_shared.problems import Conflict, NotFound

audit = AuditLog(plumbing)


async def suppress(session: AsyncSession, actor: Actor, data: SuppressionCreate) -> Suppression:
    repo = SuppressionRepository(session)
    address = str(data.address).lower()
    if await repo.by_address(address) is not None:
        raise Conflict(f"{address} is already on the suppression list", code="already_suppressed")
    entry = await repo.add(
        Suppression(
            id=uuid.uuid4(), address=address, reason=data.reason, note=data.note, created_by=actor.subject
        )
    )
    after = SuppressionOut.model_validate(entry).model_dump(mode="json")
    await audit.record(
        session,
        actor=actor,
        action="suppression.added",
        entity_type="suppression",
        entity_id=address,
        after=after,
    )
    return entry


async def lift(session: AsyncSession, actor: Actor, suppression_id: uuid.UUID) -> None:
    repo = SuppressionRepository(session)
    entry = await repo.get(suppression_id)
    if entry is None:
        raise NotFound(f"suppression {suppression_id} does not exist", code="suppression_not_found")
    before = SuppressionOut.model_validate(entry).model_dump(mode="json")
    await repo.delete(entry)
    await audit.record(
        session,
        actor=actor,
        action="suppression.lifted",
        entity_type="suppression",
        entity_id=entry.address,
        before=before,
    )

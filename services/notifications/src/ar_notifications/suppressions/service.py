"""Suppression rules: one entry per address (case-insensitive), every change audited."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_notifications.models import Suppression, plumbing
from ar_notifications.schemas import Suppression as SuppressionOut
from ar_notifications.schemas import SuppressionReason
from ar_notifications.suppressions.repository import SuppressionRepository
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
    await _audit_added(session, actor, entry)
    return entry


async def suppress_if_absent(
    session: AsyncSession, actor: Actor, address: str, reason: SuppressionReason, note: str | None
) -> Suppression | None:
    """Lists an address a mail server told us about (bounce, complaint); None when already listed,
    whatever the reason: an entry an operator made is not overwritten."""
    address = address.lower()
    entry = await SuppressionRepository(session).add_if_absent(
        Suppression(id=uuid.uuid4(), address=address, reason=reason, note=note, created_by=actor.subject)
    )
    if entry is not None:
        await _audit_added(session, actor, entry)
    return entry


async def _audit_added(session: AsyncSession, actor: Actor, entry: Suppression) -> None:
    after = SuppressionOut.model_validate(entry).model_dump(mode="json")
    await audit.record(
        session, actor=actor, action="suppression.added", entity_type="suppression",
        entity_id=entry.address, after=after,
    )  # fmt: skip


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

"""The installation's code lists (activity outcome codes, collection reason codes) are kept alike:
a manager creates or changes a code (description, active), audited with what it was before."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import OutcomeCode, ReasonCode
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.repository import Repository

Code = TypeVar("Code", OutcomeCode, ReasonCode)


class CodeChange(Protocol):
    @property
    def description(self) -> str: ...
    @property
    def active(self) -> bool: ...


async def save_code(
    session: AsyncSession, actor: Actor, repo: Repository[Code], kind: str, code: str, data: CodeChange
) -> tuple[Code, bool]:
    """Creates or changes one code of the list `kind` (audited as such); returns it and whether
    it is new."""
    row = await repo.get_for_update(code)
    before = {"description": row.description, "active": row.active} if row else None
    if row is None:
        row = await repo.add(
            repo.model(code=code, description=data.description, active=data.active, updated_by=actor.subject)
        )
    else:
        row.description, row.active, row.updated_by = data.description, data.active, actor.subject
        await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=f"{kind}.saved",
        entity_type=kind,
        entity_id=code,
        before=before,
        after={"description": row.description, "active": row.active},
    )
    return row, before is None

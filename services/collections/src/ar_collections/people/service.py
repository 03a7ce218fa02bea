"""Rules for people: a collector is keyed by token subject; a team's manager must be a manager."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import Collector, Team
from ar_collections.people.repository import CollectorRepository, TeamRepository
from ar_collections.people.schemas import AbsenceUpdate, CollectorUpsert, TeamCreate
from ar_collections.people.schemas import Collector as CollectorOut
from ar_collections.people.schemas import Team as TeamOut
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


def invalid(field: str, message: str, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, errors=[FieldError(field=field, message=message, code=code)])


async def require_collector(session: AsyncSession, subject: str) -> Collector:
    collector = await CollectorRepository(session).get(subject)
    if collector is None:
        raise NotFound(f"no collector {subject!r}", code="collector_not_found")
    return collector


async def upsert_collector(
    session: AsyncSession, actor: Actor, subject: str, data: CollectorUpsert
) -> tuple[Collector, bool]:
    """Creates or updates the collector; True when it was created."""
    if data.team_id is not None and await TeamRepository(session).get(data.team_id) is None:
        raise invalid("team_id", f"no team {data.team_id}", "unknown_team")
    repo = CollectorRepository(session)
    collector = await repo.get_for_update(subject)
    before = CollectorOut.model_validate(collector).model_dump(mode="json") if collector else None
    values = data.model_dump()
    if collector is None:
        collector = await repo.add(Collector(subject=subject, **values))
    else:
        demoted = data.role != "manager" and collector.role == "manager"
        if demoted and await TeamRepository(session).managed_by(subject):
            raise invalid("role", f"{subject} manages a team: name another manager first", "manages_a_team")
        for key, value in values.items():
            setattr(collector, key, value)
        await session.flush()
        await session.refresh(collector)
    await audit.record(
        session,
        actor=actor,
        action="collector.saved",
        entity_type="collector",
        entity_id=subject,
        before=before,
        after=CollectorOut.model_validate(collector).model_dump(mode="json"),
    )
    return collector, before is None


async def set_absence(session: AsyncSession, actor: Actor, subject: str, data: AbsenceUpdate) -> Collector:
    collector = await CollectorRepository(session).get_for_update(subject)
    if collector is None:
        raise NotFound(f"no collector {subject!r}", code="collector_not_found")
    before = {"absent": collector.absent, "until": collector.absent_until, "note": collector.absence_note}
    collector.absent = data.absent
    collector.absent_until = data.until if data.absent else None
    collector.absence_note = data.note if data.absent else None
    await session.flush()
    await session.refresh(collector)
    await audit.record(
        session,
        actor=actor,
        action="collector.absent" if data.absent else "collector.back",
        entity_type="collector",
        entity_id=subject,
        before=before,
        after={"absent": collector.absent, "until": collector.absent_until, "note": collector.absence_note},
    )
    return collector


async def create_team(session: AsyncSession, actor: Actor, data: TeamCreate) -> Team:
    repo = TeamRepository(session)
    if await repo.by_name(data.name) is not None:
        raise Conflict(f"a team named {data.name!r} exists", code="team_exists")
    if data.manager is not None:
        manager = await CollectorRepository(session).get(data.manager)
        if manager is None:
            raise invalid("manager", f"no collector {data.manager!r}", "unknown_collector")
        if manager.role != "manager":
            raise invalid("manager", f"{data.manager} is not a manager", "not_a_manager")
    team = await repo.add(Team(id=uuid.uuid4(), name=data.name, manager_subject=data.manager))
    await audit.record(
        session,
        actor=actor,
        action="team.created",
        entity_type="team",
        entity_id=str(team.id),
        after=TeamOut.model_validate(team).model_dump(mode="json"),
    )
    return team

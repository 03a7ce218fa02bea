"""Collection targets: setting them (audited) and the standings of a period.

Cash is attributed to the portfolio that held the account on the day the payment was received;
a portfolio's cash counts for its collector, and a collector's for the team the collector is in.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain import targets as rules
from ar_collections.models import CollectionTarget
from ar_collections.recording import audit
from ar_collections.targets.repository import TargetRepository
from ar_collections.targets.schemas import Scope, Standing, Standings, Target, TargetIn
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.money import Money, MoneyTotal
from ar_shared.problems import Conflict, FieldError, Unprocessable


def period_of(text: str, field: str = "period") -> rules.Period:
    try:
        return rules.parse_period(text)
    except ValueError as refused:
        raise Unprocessable(
            "not a period",
            code="invalid_period",
            errors=[FieldError(field=field, message=str(refused), code="invalid_period")],
        ) from None


class Names:
    """Who and what a target is about, and whose cash counts for it."""

    def __init__(
        self,
        portfolios: dict[uuid.UUID, tuple[str, str]],
        collectors: dict[str, tuple[str, uuid.UUID | None]],
        teams: dict[uuid.UUID, str],
    ) -> None:
        self.portfolios, self.collectors, self.teams = portfolios, collectors, teams

    @classmethod
    async def load(cls, repo: TargetRepository) -> Names:
        return cls(await repo.owners(), await repo.collectors(), await repo.teams())

    def name(self, scope: str, key: str) -> str | None:
        if scope == "collector":
            return self.collectors[key][0] if key in self.collectors else None
        try:
            ident = uuid.UUID(key)
        except ValueError:
            return None
        if scope == "team":
            return self.teams.get(ident)
        return self.portfolios[ident][0] if ident in self.portfolios else None

    def scopes_of(self, portfolio_id: uuid.UUID | None) -> list[tuple[str, str]]:
        """The (scope, key) pairs a portfolio's cash counts for."""
        if portfolio_id is None or portfolio_id not in self.portfolios:
            return []
        collector = self.portfolios[portfolio_id][1]
        found = [("portfolio", str(portfolio_id)), ("collector", collector)]
        team = self.collectors.get(collector, ("", None))[1]
        if team is not None:
            found.append(("team", str(team)))
        return found


def target_out(row: CollectionTarget, name: str) -> Target:
    return Target(
        id=row.id, scope=cast(Scope, row.scope), scope_id=row.scope_key, name=name, period=row.period,
        period_kind=cast(rules.PeriodKind, row.period_kind),
        starts_on=row.starts_on, ends_on=row.ends_on,
        amount=MoneyTotal.from_money(Money(row.amount_minor, row.currency)),
        set_by=row.set_by, set_at=row.set_at,
    )  # fmt: skip


async def put_target(session: AsyncSession, actor: Actor, data: TargetIn, today: date) -> tuple[Target, bool]:
    period = period_of(data.period)
    if rules.closed(period, today):
        raise Conflict(
            f"{period.label} ended on {period.ends_on}, before the business date {today}: "
            "its targets are closed",
            code="target_period_closed",
        )
    repo = TargetRepository(session)
    names = await Names.load(repo)
    name = names.name(data.scope, data.scope_id)
    if name is None:
        raise Unprocessable(
            f"no {data.scope} {data.scope_id!r}",
            code="unknown_scope",
            errors=[
                FieldError(field="scope_id", message=f"no {data.scope} {data.scope_id!r}", code="not_found")
            ],
        )
    money = data.amount.to_money()
    row, added = await repo.put(
        {
            "id": uuid.uuid4(), "scope": data.scope, "scope_key": data.scope_id, "period": period.label,
            "period_kind": period.kind, "starts_on": period.starts_on, "ends_on": period.ends_on,
            "currency": money.currency, "amount_minor": money.minor, "set_by": actor.subject,
            "set_at": session_clock(session).now(),
        }
    )  # fmt: skip
    result = target_out(row, name)
    await audit.record(
        session, actor=actor, action="collection_target.set", entity_type="collection_target",
        entity_id=str(row.id), after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result, added


async def list_targets(session: AsyncSession, period: str, scope: str | None) -> list[Target]:
    label = period_of(period).label
    repo = TargetRepository(session)
    names = await Names.load(repo)
    return [
        target_out(r, names.name(r.scope, r.scope_key) or r.scope_key)
        for r in await repo.in_period(label, scope)
    ]


async def standings(session: AsyncSession, period_text: str, as_of: date, scope: str | None) -> Standings:
    period = period_of(period_text)
    repo = TargetRepository(session)
    names = await Names.load(repo)
    rows = await repo.in_period(period.label, scope)
    collected: dict[tuple[str, str, str], int] = {}
    until = min(as_of, period.ends_on)
    if until >= period.starts_on:
        for (portfolio_id, currency), minor in (
            await repo.collected_by_portfolio(period.starts_on, until)
        ).items():
            for scope_key in names.scopes_of(portfolio_id):
                key = (*scope_key, currency)
                collected[key] = collected.get(key, 0) + minor
    return Standings(
        period=period.label, as_of=as_of, standings=_ranked(rows, names, collected, period, as_of)
    )


def _ranked(
    rows: Sequence[CollectionTarget],
    names: Names,
    collected: dict[tuple[str, str, str], int],
    period: rules.Period,
    as_of: date,
) -> list[Standing]:
    standings = []
    for row in rows:
        done = rules.progress(
            period, as_of, row.amount_minor, collected.get((row.scope, row.scope_key, row.currency), 0)
        )
        standings.append(
            Standing(
                target=target_out(row, names.name(row.scope, row.scope_key) or row.scope_key),
                collected=MoneyTotal.from_money(Money(done.collected_minor, row.currency)),
                remaining=MoneyTotal.from_money(Money(done.remaining_minor, row.currency)),
                percent_collected=done.percent_collected, percent_of_period=done.percent_of_period,
                on_track=done.on_track, rank=0,
            )
        )  # fmt: skip
    standings.sort(
        key=lambda s: (s.target.scope, s.target.amount.currency, -(s.percent_collected or 0), s.target.name)
    )
    previous: tuple[str, str] | None = None
    rank = 0
    for standing in standings:
        group = (standing.target.scope, standing.target.amount.currency)
        rank = rank + 1 if group == previous else 1
        standing.rank, previous = rank, group
    return standings

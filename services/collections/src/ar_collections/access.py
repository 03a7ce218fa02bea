"""Who the database thinks is asking: row-level security settings, set per transaction.

Every table about an account has a policy (migration 0003): a `collections:work` caller sees the
rows of accounts in the portfolios it owns, or covers as backup while the owner is absent;
`collections:manage` callers, the worker and commands see all. The service tells PostgreSQL who
asks with `set_config(..., true)`, which lasts until the transaction ends, so a pooled
connection never carries one caller's rights into the next. A statement run without them sees
no account at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared.auth import Principal, authenticate
from ar_shared.db import DbSession
from ar_shared.problems import Forbidden

SUBJECT_SETTING = "collections.subject"
SEES_ALL_SETTING = "collections.sees_all"
WORK_SCOPE = "collections:work"
MANAGE_SCOPE = "collections:manage"
SYSTEM_SUBJECT = "collections-system"
_MARK = "collections_access_transaction"


def sees_all(principal: Principal) -> bool:
    return principal.has(MANAGE_SCOPE)


async def act_as(session: AsyncSession, subject: str, *, all_accounts: bool) -> None:
    """Tells PostgreSQL, for the rest of this transaction, whose rights the statements run with."""
    await session.execute(
        select(
            func.set_config(SUBJECT_SETTING, subject, True),
            func.set_config(SEES_ALL_SETTING, "on" if all_accounts else "off", True),
        )
    )
    session.info[_MARK] = session.sync_session.get_transaction()


async def act_as_system(session: AsyncSession) -> None:
    """The worker's and the commands' rights (every account), once per transaction."""
    # the transaction object is kept in the mark, so a later transaction is never mistaken for it
    if session.info.get(_MARK) is not None and session.info[_MARK] is session.sync_session.get_transaction():
        return
    await act_as(session, SYSTEM_SUBJECT, all_accounts=True)


def any_scope(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """401 without a valid token, 403 unless it holds one of `scopes` (`admin` holds all)."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not any(principal.has(s) for s in scopes):
            needed = " or ".join(scopes)
            raise Forbidden(
                f"this action needs the scope {needed}",
                code="insufficient_scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scopes[0]}"'},
            )
        return principal

    dependency.__name__ = f"require_any_of_{'_'.join(s.replace(':', '_') for s in scopes)}"
    dependency.required_scopes = scopes  # type: ignore[attr-defined]  # OpenAPI documents its 403
    return dependency


# collectors work accounts; managers may do whatever collectors do, on every account
Worker = Annotated[Principal, Depends(any_scope(WORK_SCOPE, MANAGE_SCOPE))]
Manager = Annotated[Principal, Depends(any_scope(MANAGE_SCOPE))]


async def _caller_session(principal: Worker, session: DbSession) -> AsyncSession:
    await act_as(session, principal.subject, all_accounts=sees_all(principal))
    return session


# the request's session, seeing what the caller may see: every endpoint that reads or changes
# accounts takes it (never the bare DbSession)
CallerSession = Annotated[AsyncSession, Depends(_caller_session)]

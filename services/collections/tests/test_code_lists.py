"""The installation's code lists: a manager adds a code (201), changes or deactivates it (200),
each change audited with what it was before; the lists answer what was saved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_collections.models import plumbing

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("path", "kind"), [("outcome-codes", "outcome_code"), ("reason-codes", "reason_code")]
)
async def test_a_manager_adds_and_changes_a_code_and_each_change_is_audited(
    client: httpx.AsyncClient, manager: dict[str, str], collections_app: FastAPI, path: str, kind: str
) -> None:
    added = await client.put(f"/v1/{path}/left_with_reception", json={"description": "Left with reception"},
                             headers=manager)  # fmt: skip
    assert added.status_code == 201, added.text
    assert (added.json()["description"], added.json()["active"]) == ("Left with reception", True)
    changed = await client.put(
        f"/v1/{path}/left_with_reception", json={"description": "Left at the desk", "active": False},
        headers=manager,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    listed = (await client.get(f"/v1/{path}", headers=manager)).json()
    items: list[dict[str, Any]] = listed["items"] if isinstance(listed, dict) else listed
    assert {
        "code": "left_with_reception",
        "description": "Left at the desk",
        "active": False,
    }.items() <= next(i for i in items if i["code"] == "left_with_reception").items()

    async with collections_app.state.sessionmaker() as session:
        a = plumbing.audit_log
        trail = (
            await session.execute(
                select(a.c.action, a.c.actor, a.c.before, a.c.after)
                .where(a.c.entity_type == kind, a.c.entity_id == "left_with_reception")
                .order_by(a.c.seq)
            )
        ).all()
    first = {"description": "Left with reception", "active": True}
    then = {"description": "Left at the desk", "active": False}
    assert [tuple(r) for r in trail] == [
        (f"{kind}.saved", "collections-manager", None, first),
        (f"{kind}.saved", "collections-manager", first, then),
    ]

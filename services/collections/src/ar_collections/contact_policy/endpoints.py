"""HTTP routes for do-not-contact."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ar_collections.access import CallerSession, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.contact_policy import service
from ar_collections.contact_policy.schemas import DoNotContact, DoNotContactSet
from ar_shared.routing import ServiceRoute

router = APIRouter(
    prefix="/v1/accounts/{customer_id}/do-not-contact", tags=["do-not-contact"], route_class=ServiceRoute
)


@router.put(
    "",
    summary="Mark the account do-not-contact (litigation, insolvency, key account, customer request)",
    description="While in force the account leaves the worklist's contact work (calls, e-mails, letters, "
    "visits, follow-ups, SLAs) and no dunning is sent. Replaces the one in force, if any.",
)
async def set_do_not_contact(
    principal: Worker,
    customer_id: uuid.UUID,
    body: DoNotContactSet,
    session: CallerSession,
    calendars: Calendars,
) -> DoNotContact:
    return await service.set_do_not_contact(session, principal, customer_id, body, calendars)


@router.get("", summary="The do-not-contact mark of the account (null: none)")
async def get_do_not_contact(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, calendars: Calendars
) -> DoNotContact | None:
    return await service.current(session, customer_id, calendars)


@router.delete("", summary="Lift the do-not-contact mark")
async def lift_do_not_contact(
    principal: Worker, customer_id: uuid.UUID, session: CallerSession, calendars: Calendars
) -> DoNotContact:
    return await service.lift(session, principal, customer_id, calendars)

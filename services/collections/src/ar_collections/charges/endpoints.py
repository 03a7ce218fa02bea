"""HTTP routes of the dunning charge settings: the fee per dunning level and the late interest."""

from __future__ import annotations

from fastapi import APIRouter

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.charges import service
from ar_collections.charges.schemas import ChargeSettings, ChargeSettingsIn
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["dunning"], route_class=ServiceRoute)


@router.get(
    "/v1/dunning-charges/settings",
    summary="The dunning fee per level and currency, and the late-payment interest terms",
)
async def get_charge_settings(_: Worker, session: CallerSession) -> ChargeSettings:
    return await service.read_settings(session)


@router.put(
    "/v1/dunning-charges/settings",
    summary="Replace the dunning fee schedule and the late-payment interest terms",
    description="Replaced whole. A `charge_fee` step charges the fee of its `fee_level` in the "
    "account's currency; a step with `charge_interest` charges interest on the overdue items: their "
    "open balance x annual rate (reference rate + margin of the period in force each day late) / days "
    "in a year of the `day_count` basis, rounded half to even to the minor unit per item. Refused "
    "whole (422, nothing written): a fee of zero or less (`amount_not_positive`), an unknown currency, "
    "an annual rate below 0 or above 50% (`rate_out_of_range`), a level's fee twice in one currency "
    "(`duplicate_fee`), a currency's terms twice (`duplicate_currency`), two rate periods from one "
    "date (`duplicate_effective_from`).",
)
async def put_charge_settings(
    principal: Manager, body: ChargeSettingsIn, session: CallerSession
) -> ChargeSettings:
    return await service.replace_settings(session, principal, body)

"""Events the ledger emits on `ledger.events`."""

from __future__ import annotations

import uuid

from pydantic import Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register


class LedgerEvent(EventPayload):
    producer = "ledger"


@register
class CustomerUpserted(LedgerEvent):
    """A customer was created or changed in the ledger (the ERP's master data)."""

    event_name = "CustomerUpserted"

    customer_id: uuid.UUID
    external_id: str = Field(description="The ERP's id of the customer")
    name: str
    currency: str = Field(description="ISO 4217 code of every document of this customer")
    payment_terms_days: int
    business_entity: str
    sales_rep: str | None = None
    contact_email: str | None = None
    time_zone: str = "UTC"

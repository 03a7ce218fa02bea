"""Messages the workflow sends the account's contact (promise, plan and dispute notices): each a
`NotificationRequested` through the outbox, its request id derived from what it is about."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import Account
from ar_collections.recording import outbox
from ar_shared.events.collections import NotificationRequested

# notices are derived from what they are about: a redelivered event asks for the same message
NAMESPACE = uuid.UUID("3f1c9a52-7e0b-4d4f-8a61-2c5e9b0d7a13")


async def notify(
    session: AsyncSession,
    account: Account,
    template_key: str,
    about: str,
    context: dict[str, Any],
    causing_event_id: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """Asks notifications for a message to the account's contact (none without an address)."""
    if not account.contact_email:
        return None
    request_id = uuid.uuid5(NAMESPACE, f"{template_key}:{about}")
    await outbox.add(
        session,
        NotificationRequested(
            request_id=request_id,
            customer_id=account.customer_id,
            template_key=template_key,
            channel="email",
            recipient=account.contact_email,
            context={"customer_name": account.name, **context},
            causing_event_id=causing_event_id,
            business_entity=account.business_entity,
        ),
    )
    return request_id

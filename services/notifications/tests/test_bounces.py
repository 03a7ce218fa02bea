"""Bounces: a recipient refused for good at RCPT TO bounces at once (suppressed, NotificationFailed,
no retries) while temporary refusals retry; bounce reports through `POST /v1/bounces` (hard,
soft, complaint), their errors, repeats and scope."""

from __future__ import annotations

import email
import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select

from ar_notifications.bounces.rules import bounce_effect
from ar_notifications.config import NotificationsSettings
from ar_notifications.delivery.senders import Senders, is_permanent_refusal, message_id_for
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.models import Delivery, plumbing
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_shared.problems import Conflict
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

FAILED = "ar.notifications.NotificationFailed.v1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """An SMTP server that refuses the addresses in `refusals` at RCPT TO with the reply given."""

    def __init__(self) -> None:
        self.refusals: dict[str, str] = {}
        self.messages: list[Message] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def settings(
    notifications_settings: NotificationsSettings, smtp: tuple[Mailbox, int]
) -> NotificationsSettings:
    return notifications_settings.model_copy(
        update={"smtp_port": smtp[1], "max_attempts": 3, "retry_backoff_seconds": 0.0}
    )


def address() -> str:
    return f"ap-{uuid.uuid4().hex[:8]}@globex.example"


async def queue(
    client: httpx.AsyncClient, manager: dict[str, str], customer_id: uuid.UUID, recipient: str
) -> dict[str, Any]:
    created = await client.post(
        "/v1/deliveries",
        json={
            "customer_id": str(customer_id),
            "channel": "email",
            "recipient": recipient,
            "template_key": "promise_confirmation",
            "context": {
                "customer_name": "Globex Ltd",
                "amount": "10.00",
                "currency": "EUR",
                "promised_date": "2026-12-01",
            },
            "respect_contact_hours": False,
        },
        headers=manager,
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def dispatch(app: FastAPI, settings: NotificationsSettings, minutes_later: int = 1) -> int:
    now = app.state.clock.now() + timedelta(minutes=minutes_later)
    return await dispatch_due(app.state.sessionmaker, settings, Senders.from_settings(settings), now)


async def sent_delivery(
    app: FastAPI, client: httpx.AsyncClient, manager: dict[str, str], settings: NotificationsSettings
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A customer and an e-mail the SMTP server accepted."""
    customer_id = uuid.uuid4()
    queued = await queue(client, manager, customer_id, address())
    assert await dispatch(app, settings) == 1
    delivery = (await client.get(f"/v1/deliveries/{queued['id']}", headers=manager)).json()
    assert delivery["status"] == "sent"
    return customer_id, delivery


async def delivery_row(app: FastAPI, delivery_id: str) -> Delivery:
    async with app.state.sessionmaker() as session:
        row: Delivery | None = await session.get(Delivery, uuid.UUID(delivery_id))
        assert row is not None
        return row


async def failures(app: FastAPI, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    """The data of every NotificationFailed in the outbox for the customer."""
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        envelopes = await session.scalars(
            select(o.c.envelope).where(o.c.message_key == str(customer_id), o.c.event_type == FAILED)
        )
        return [dict(e["data"]) for e in envelopes]


async def suppression_reason(app: FastAPI, recipient: str) -> str | None:
    async with app.state.sessionmaker() as session:
        entry = await SuppressionRepository(session).by_address(recipient)
        return entry.reason if entry else None


async def audit_actions(app: FastAPI, entity_type: str, entity_id: str) -> list[str]:
    a = plumbing.audit_log
    async with app.state.sessionmaker() as session:
        query = (
            select(a.c.action)
            .where(a.c.entity_type == entity_type, a.c.entity_id == entity_id)
            .order_by(a.c.seq)
        )
        return list((await session.scalars(query)).all())


# --- the rules, without I/O


def test_only_an_all_5xx_refusal_is_permanent() -> None:
    assert is_permanent_refusal([550])
    assert is_permanent_refusal([550, 553])
    assert not is_permanent_refusal([450])
    assert not is_permanent_refusal([550, 451])  # one recipient may still take it later
    assert not is_permanent_refusal([])


def test_the_message_id_names_the_delivery_at_the_senders_domain() -> None:
    delivery_id = uuid.UUID("0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10")
    assert message_id_for(delivery_id, "Accounts Receivable <ar@billing.example>") == (
        "<0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10@billing.example>"
    )
    assert message_id_for(delivery_id, "no address") == "<0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10@ar-platform>"


def test_bounce_rules_per_kind_and_status() -> None:
    hard = bounce_effect("email", "sent", None, "hard", "550 user unknown")
    assert (hard.bounced, hard.complaint, hard.last_error) == (True, False, "550 user unknown")
    again = bounce_effect("email", "bounced", "550 user unknown", "hard", "550 user unknown")
    assert (again.bounced, again.complaint, again.last_error) == (False, False, "550 user unknown")
    complaint = bounce_effect("email", "sent", None, "complaint", "abuse report")
    assert (complaint.bounced, complaint.complaint, complaint.last_error) == (False, True, None)
    soft = bounce_effect("email", "sent", None, "soft", "452 mailbox full")
    assert (soft.bounced, soft.complaint, soft.last_error) == (False, False, "soft bounce: 452 mailbox full")
    for status, kind in [
        ("queued", "hard"),
        ("failed", "soft"),
        ("bounced", "complaint"),
        ("suppressed", "hard"),
    ]:
        with pytest.raises(Conflict):
            bounce_effect("email", status, None, kind, None)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        bounce_effect("webhook", "sent", None, "hard", None)


# --- at send time


async def test_a_recipient_refused_for_good_bounces_at_once_is_suppressed_and_never_retried(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    mailbox, _ = smtp
    customer_id, gone = uuid.uuid4(), address()
    mailbox.refusals[gone] = "550 5.1.1 user unknown"
    queued = await queue(client, manager, customer_id, gone)

    assert await dispatch(notifications_app, settings) == 0
    delivery = (await client.get(f"/v1/deliveries/{queued['id']}", headers=manager)).json()
    assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == ("bounced", 1, None)
    assert "550" in delivery["last_error"]
    assert "user unknown" in delivery["last_error"]
    assert mailbox.messages == []
    assert await suppression_reason(notifications_app, gone) == "hard_bounce"
    [failed] = await failures(notifications_app, customer_id)
    assert (failed["outcome"], failed["attempts"], failed["delivery_id"]) == ("bounced", 1, queued["id"])
    assert "550" in failed["last_error"]
    assert await audit_actions(notifications_app, "delivery", queued["id"]) == ["delivery.bounced"]
    assert await audit_actions(notifications_app, "suppression", gone) == ["suppression.added"]

    for later in (5, 60):  # no retry, however long we wait
        assert await dispatch(notifications_app, settings, minutes_later=later) == 0
    assert (await delivery_row(notifications_app, queued["id"])).attempts == 1
    assert len(await failures(notifications_app, customer_id)) == 1

    # the next message to that address is never written to
    again = await queue(client, manager, customer_id, gone)
    assert again["status"] == "suppressed"


async def test_a_hard_bounce_keeps_an_existing_suppression_entry(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    customer_id, delivery = await sent_delivery(notifications_app, client, manager, settings)
    # listed after the message was sent, for another reason; then the bounce report arrives
    entry = {"address": delivery["recipient"], "reason": "do_not_contact"}
    listed = await client.post("/v1/suppressions", json=entry, headers=manager)
    assert listed.status_code == 201
    reported = await client.post(
        "/v1/bounces",
        json={"delivery_id": delivery["id"], "kind": "hard", "diagnostic": "550 5.1.1 user unknown"},
        headers=manager,
    )
    assert reported.status_code == 200, reported.text
    assert (await delivery_row(notifications_app, delivery["id"])).status == "bounced"
    assert await suppression_reason(notifications_app, delivery["recipient"]) == "do_not_contact"
    assert [f["outcome"] for f in await failures(notifications_app, customer_id)] == ["bounced"]


async def test_a_temporary_refusal_is_retried_then_fails_without_suppressing(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    mailbox, _ = smtp
    customer_id, busy = uuid.uuid4(), address()
    mailbox.refusals[busy] = "450 4.2.1 mailbox busy, try later"
    settings = settings.model_copy(update={"retry_backoff_seconds": 30.0})  # 30 s, then 60 s
    queued = await queue(client, manager, customer_id, busy)

    await dispatch(notifications_app, settings, minutes_later=1)
    first = await delivery_row(notifications_app, queued["id"])
    assert (first.status, first.attempts) == ("queued", 1)
    assert first.next_attempt_at is not None
    assert first.last_error is not None
    assert "450" in first.last_error
    assert await failures(notifications_app, customer_id) == []

    for later in (2, 3):
        await dispatch(notifications_app, settings, minutes_later=later)
    last = await delivery_row(notifications_app, queued["id"])
    assert (last.status, last.attempts) == ("failed", 3)
    [failed] = await failures(notifications_app, customer_id)
    assert (failed["outcome"], failed["attempts"]) == ("failed", 3)
    assert await suppression_reason(notifications_app, busy) is None


# --- reported later


async def test_a_hard_bounce_reported_by_message_id_bounces_the_delivery(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    customer_id, delivery = await sent_delivery(notifications_app, client, manager, settings)
    [message] = smtp[0].messages
    assert delivery["message_id"] == message["Message-ID"]
    assert delivery["message_id"] == f"<{delivery['id']}@example.com>"

    diagnostic = "550 5.1.1 <recipient>: user unknown"
    reported = await client.post(
        "/v1/bounces",
        json={
            "message_id": delivery["message_id"].strip("<>"),  # brackets are optional
            "kind": "hard",
            "diagnostic": diagnostic,
            "recipient": delivery["recipient"].upper(),
        },
        headers=manager,
    )
    assert reported.status_code == 200, reported.text
    body = reported.json()
    assert body["changed"] is True
    assert (body["delivery"]["id"], body["delivery"]["status"]) == (delivery["id"], "bounced")
    assert body["delivery"]["last_error"] == diagnostic
    assert (body["suppression"]["address"], body["suppression"]["reason"]) == (
        delivery["recipient"],
        "hard_bounce",
    )
    assert body["suppression"]["created_by"] == "ops"
    shown = (await client.get(f"/v1/deliveries/{delivery['id']}", headers=manager)).json()
    assert (shown["status"], shown["last_error"]) == ("bounced", diagnostic)
    [failed] = await failures(notifications_app, customer_id)
    assert (failed["outcome"], failed["last_error"], failed["delivery_id"]) == (
        "bounced",
        diagnostic,
        delivery["id"],
    )
    assert await audit_actions(notifications_app, "delivery", delivery["id"]) == ["delivery.bounced"]


async def test_a_hard_bounce_reported_by_delivery_id_twice_is_applied_once(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    customer_id, delivery = await sent_delivery(notifications_app, client, manager, settings)
    report = {"delivery_id": delivery["id"], "kind": "hard", "diagnostic": "550 5.2.1 mailbox disabled"}
    first = await client.post("/v1/bounces", json=report, headers=manager)
    repeat = await client.post("/v1/bounces", json=report, headers=manager)
    assert (first.status_code, repeat.status_code) == (200, 200)
    assert (first.json()["changed"], repeat.json()["changed"]) == (True, False)
    assert repeat.json()["delivery"]["status"] == "bounced"
    assert repeat.json()["suppression"]["reason"] == "hard_bounce"
    assert len(await failures(notifications_app, customer_id)) == 1
    assert await audit_actions(notifications_app, "delivery", delivery["id"]) == ["delivery.bounced"]
    assert await audit_actions(notifications_app, "suppression", delivery["recipient"]) == [
        "suppression.added"
    ]


async def test_a_complaint_suppresses_the_address_and_leaves_the_delivery_sent(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    customer_id, delivery = await sent_delivery(notifications_app, client, manager, settings)
    report = {"message_id": delivery["message_id"], "kind": "complaint", "diagnostic": "marked as spam"}
    first = await client.post("/v1/bounces", json=report, headers=manager)
    assert first.status_code == 200, first.text
    assert first.json()["changed"] is True
    assert (first.json()["delivery"]["status"], first.json()["delivery"]["last_error"]) == ("sent", None)
    assert first.json()["suppression"]["reason"] == "complaint"
    assert await suppression_reason(notifications_app, delivery["recipient"]) == "complaint"
    assert await failures(notifications_app, customer_id) == []

    repeat = await client.post("/v1/bounces", json=report, headers=manager)
    assert (repeat.status_code, repeat.json()["changed"]) == (200, False)
    assert await audit_actions(notifications_app, "suppression", delivery["recipient"]) == [
        "suppression.added"
    ]


async def test_a_soft_bounce_is_only_noted(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    customer_id, delivery = await sent_delivery(notifications_app, client, manager, settings)
    report = {"delivery_id": delivery["id"], "kind": "soft", "diagnostic": "452 4.2.2 mailbox full"}
    first = await client.post("/v1/bounces", json=report, headers=manager)
    assert first.status_code == 200, first.text
    assert first.json()["changed"] is True
    assert first.json()["suppression"] is None
    shown = (await client.get(f"/v1/deliveries/{delivery['id']}", headers=manager)).json()
    assert (shown["status"], shown["last_error"]) == ("sent", "soft bounce: 452 4.2.2 mailbox full")
    assert await suppression_reason(notifications_app, delivery["recipient"]) is None
    assert await failures(notifications_app, customer_id) == []

    repeat = await client.post("/v1/bounces", json=report, headers=manager)
    assert (repeat.status_code, repeat.json()["changed"]) == (200, False)
    assert await audit_actions(notifications_app, "delivery", delivery["id"]) == ["delivery.soft_bounced"]


async def test_unknown_deliveries_are_404(client: httpx.AsyncClient, manager: dict[str, str]) -> None:
    by_id = await client.post(
        "/v1/bounces", json={"delivery_id": str(uuid.uuid4()), "kind": "hard"}, headers=manager
    )
    by_message = await client.post(
        "/v1/bounces", json={"message_id": f"<{uuid.uuid4()}@example.com>", "kind": "hard"}, headers=manager
    )
    for response in (by_id, by_message):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "delivery_not_found"


async def test_only_a_sent_message_can_bounce(
    notifications_app: FastAPI, client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    customer_id = uuid.uuid4()
    queued = await queue(client, manager, customer_id, address())  # never dispatched
    for kind in ("hard", "soft", "complaint"):
        refused = await client.post(
            "/v1/bounces", json={"delivery_id": queued["id"], "kind": kind}, headers=manager
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "not_bounceable"
    unchanged = await delivery_row(notifications_app, queued["id"])
    assert (unchanged.status, unchanged.last_error) == ("queued", None)
    assert await suppression_reason(notifications_app, queued["recipient"]) is None
    assert await failures(notifications_app, customer_id) == []


async def test_a_report_must_name_the_delivery_and_its_recipient(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    nameless = await client.post("/v1/bounces", json={"kind": "hard", "diagnostic": "550"}, headers=manager)
    assert nameless.status_code == 422
    assert nameless.headers["content-type"] == "application/problem+json"
    assert nameless.json()["code"] == "validation_error"
    assert "delivery_id or message_id" in nameless.json()["errors"][0]["message"]
    bad_kind = await client.post(
        "/v1/bounces", json={"delivery_id": str(uuid.uuid4()), "kind": "bouncy"}, headers=manager
    )
    assert (bad_kind.status_code, bad_kind.json()["errors"][0]["field"]) == (422, "kind")

    _, delivery = await sent_delivery(notifications_app, client, manager, settings)
    elsewhere = await client.post(
        "/v1/bounces",
        json={"delivery_id": delivery["id"], "kind": "hard", "recipient": "someone@else.example"},
        headers=manager,
    )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "recipient_mismatch")
    other_message = await client.post(
        "/v1/bounces",
        json={"delivery_id": delivery["id"], "message_id": f"<{uuid.uuid4()}@example.com>", "kind": "hard"},
        headers=manager,
    )
    assert (other_message.status_code, other_message.json()["code"]) == (422, "bounce_ids_disagree")
    assert (await delivery_row(notifications_app, delivery["id"])).status == "sent"


async def test_reporting_bounces_needs_the_manage_scope(
    client: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    report = {"delivery_id": str(uuid.uuid4()), "kind": "hard"}
    wrong = bearer(notifications_settings.auth, "ledger:read")
    assert (await client.post("/v1/bounces", json=report, headers=wrong)).status_code == 403
    assert (await client.post("/v1/bounces", json=report)).status_code == 401


async def test_an_address_suppressed_after_queueing_is_not_written_to_and_not_resent(
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Mailbox, int],
    client: httpx.AsyncClient,
    manager: dict[str, str],
) -> None:
    mailbox, _ = smtp
    customer_id, recipient = uuid.uuid4(), address()
    queued = await queue(client, manager, customer_id, recipient)
    added = await client.post(
        "/v1/suppressions", json={"address": recipient, "reason": "do_not_contact"}, headers=manager
    )
    assert added.status_code == 201, added.text

    assert await dispatch(notifications_app, settings) == 0
    delivery = (await client.get(f"/v1/deliveries/{queued['id']}", headers=manager)).json()
    assert (delivery["status"], delivery["attempts"]) == ("suppressed", 0)
    assert mailbox.messages == []
    [failed] = await failures(notifications_app, customer_id)
    assert (failed["outcome"], failed["attempts"], failed["delivery_id"]) == ("suppressed", 0, queued["id"])
    assert await audit_actions(notifications_app, "delivery", queued["id"]) == ["delivery.suppressed"]

    # a message queued to the suppressed address says so at once, and a bounced one is not resent
    second = await queue(client, manager, customer_id, recipient)
    assert second["status"] == "suppressed"
    assert [f["outcome"] for f in await failures(notifications_app, customer_id)] == ["suppressed"] * 2

    gone = address()
    mailbox.refusals[gone] = "550 5.1.1 user unknown"
    bounced = await queue(client, manager, customer_id, gone)
    await dispatch(notifications_app, settings)
    resend = await client.post(f"/v1/deliveries/{bounced['id']}/resend", headers=manager)
    assert resend.status_code == 409
    assert resend.json()["code"] == "recipient_suppressed"

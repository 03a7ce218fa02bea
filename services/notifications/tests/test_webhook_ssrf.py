"""Webhooks reach public addresses only: refused at the API and from events when the URL is, or
resolves to, a loopback, link-local, private, multicast or reserved address (in any spelling),
judged again right before sending (DNS rebinding), and sent to the very address judged. Nothing
a test sends leaves 127.0.0.1, and only through the allow-list; no test asks a DNS server."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from ipaddress import IPv4Network, ip_address

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers
from ar_notifications.delivery.senders import Senders
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.delivery.webhook_targets import IPAddress, WebhookTargets
from ar_notifications.models import Delivery, plumbing
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext, PoisonMessage
from ar_shared.events import CloudEvent
from ar_shared.events.collections import NotificationRequested
from ar_shared.outbox import OutboxWriter

pytestmark = pytest.mark.integration


class Listener:
    """A plain TCP listener on 127.0.0.1 that answers 204 and counts who reached it."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.lower().split(b"\r\n")
            length = next((int(line[15:]) for line in lines if line.startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            self.requests.append(head)
            writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # a client that hung up still counts as a connection
        finally:
            writer.close()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    listening = Listener()
    server = await asyncio.start_server(listening.handle, "127.0.0.1", 0)
    listening.port = server.sockets[0].getsockname()[1]
    async with server:
        yield listening


class FakeDns:
    """Answers for the names a test gives, and changes its mind when told (DNS rebinding)."""

    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = dict(answers)

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ip_address(a) for a in self.answers[host]]


WEBHOOK = {
    "channel": "webhook",
    "template_key": "promise_confirmation",
    "context": {"customer_name": "Acme", "amount": "10.00", "currency": "EUR", "promised_date": "2026-12-01"},
}


async def webhooks_logged(app: FastAPI) -> list[Delivery]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(Delivery).where(Delivery.channel == "webhook"))).all())


async def test_webhooks_to_non_public_addresses_are_refused_at_the_api_and_nothing_connects(
    client: httpx.AsyncClient, manager: dict[str, str], notifications_app: FastAPI, listener: Listener
) -> None:
    port = listener.port
    hosts = [
        "127.0.0.1", "localhost", "2130706433", "0x7f000001", "0177.1", "017700000001", "127.1",
        "0x7f.1", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "169.254.169.254",
        "[::ffff:169.254.169.254]", "[fe80::1]", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1",
        "[fc00::1]", "0.0.0.0", "[::]", "224.0.0.1", "[ff02::1]", "240.0.0.1", "255.255.255.255",  # noqa: S104
    ]  # fmt: skip
    for host in hosts:
        refused = await client.post(
            "/v1/deliveries", json=WEBHOOK | {"recipient": f"http://{host}:{port}/hook"}, headers=manager
        )
        assert refused.status_code == 422, (host, refused.text)
        problem = refused.json()
        assert problem["code"] == "forbidden_webhook_target", host
        assert [e["field"] for e in problem["errors"]] == ["recipient"]
    # four-part octal is not even a URL to the client the sender uses: refused as such
    octal = await client.post(
        "/v1/deliveries", json=WEBHOOK | {"recipient": f"http://0177.0.0.1:{port}/hook"}, headers=manager
    )
    assert (octal.status_code, octal.json()["code"]) == (422, "invalid_webhook_url")
    metadata = await client.post(
        "/v1/deliveries",
        json=WEBHOOK | {"recipient": "http://169.254.169.254/latest/meta-data/"},
        headers=manager,
    )
    assert "169.254.169.254, a link-local address" in metadata.json()["detail"]
    assert listener.connections == 0
    assert await webhooks_logged(notifications_app) == []


async def test_a_name_is_refused_when_any_address_it_resolves_to_is_not_public(
    client: httpx.AsyncClient, manager: dict[str, str], notifications_app: FastAPI
) -> None:
    notifications_app.state.webhook_targets = WebhookTargets(
        resolver=FakeDns({"hooks.partner.example": ["93.184.215.14", "10.0.0.5"]})
    )
    refused = await client.post(
        "/v1/deliveries", json=WEBHOOK | {"recipient": "https://hooks.partner.example/ar"}, headers=manager
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "forbidden_webhook_target")
    assert "hooks.partner.example resolves to 10.0.0.5, a private address" in refused.json()["detail"]


async def test_a_name_that_turns_private_after_it_was_queued_fails_without_a_connection(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    notifications_app: FastAPI,
    notifications_settings: NotificationsSettings,
    listener: Listener,
    clock: Clock,
) -> None:
    dns = FakeDns({"hooks.partner.example": ["93.184.215.14"]})  # public when queued ...
    notifications_app.state.webhook_targets = WebhookTargets(resolver=dns)
    queued = await client.post(
        "/v1/deliveries",
        json=WEBHOOK | {"recipient": f"http://hooks.partner.example:{listener.port}/ar"},
        headers=manager,
    )
    assert (queued.status_code, queued.json()["status"]) == (201, "queued")
    dns.answers["hooks.partner.example"] = ["127.0.0.1"]  # ... and rebound to this machine
    senders = Senders.from_settings(notifications_settings, clock, WebhookTargets(resolver=dns))
    await dispatch_due(notifications_app.state.sessionmaker, notifications_settings, senders, clock.now())

    failed = (await client.get(f"/v1/deliveries/{queued.json()['id']}", headers=manager)).json()
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 1, None)
    assert "hooks.partner.example resolves to 127.0.0.1, a loopback address" in failed["last_error"]
    assert listener.connections == 0
    o = plumbing.outbox
    async with notifications_app.state.sessionmaker() as session:
        emitted = (await session.scalars(select(o.c.event_type))).all()
    assert "ar.notifications.NotificationFailed.v1" in emitted


async def test_an_allow_listed_webhook_goes_to_the_address_it_was_judged_by(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    notifications_app: FastAPI,
    notifications_settings: NotificationsSettings,
    listener: Listener,
    clock: Clock,
) -> None:
    # hooks.test resolves only in this test's DNS: the sender cannot have looked it up again
    dns = FakeDns({"hooks.test": ["127.0.0.1"]})
    local = WebhookTargets([IPv4Network("127.0.0.1/32")], resolver=dns)
    notifications_app.state.webhook_targets = local
    queued = await client.post(
        "/v1/deliveries",
        json=WEBHOOK | {"recipient": f"http://hooks.test:{listener.port}/ar"},
        headers=manager,
    )
    assert queued.status_code == 201
    senders = Senders.from_settings(notifications_settings, clock, local)
    sent = await dispatch_due(
        notifications_app.state.sessionmaker, notifications_settings, senders, clock.now()
    )
    assert sent == 1
    [head] = listener.requests
    assert head.startswith(b"POST /ar HTTP/1.1")
    assert f"host: hooks.test:{listener.port}".encode() in head.lower()


async def test_a_requested_webhook_to_the_metadata_service_is_dead_lettered_and_not_queued(
    notifications_app: FastAPI,
) -> None:
    request = NotificationRequested(
        request_id=uuid.uuid4(), customer_id=uuid.uuid4(), template_key="promise_confirmation",
        locale="en", channel="webhook", recipient="http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        context=WEBHOOK["context"],
    )  # fmt: skip
    registration = handlers.get(request.event_type())
    assert registration is not None
    async with notifications_app.state.sessionmaker() as session:
        context = HandlerContext(
            session, CloudEvent.wrap(request), OutboxWriter(plumbing), notifications_app.state.clock
        )
        with pytest.raises(PoisonMessage, match=r"169\.254\.169\.254 written as IPv6"):
            await registration.handler(context, request)
    assert await webhooks_logged(notifications_app) == []

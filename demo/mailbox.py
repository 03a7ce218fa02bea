"""An SMTP sink for the demo's e-mail, started when nothing listens where notifications sends
(`make up` sends to 127.0.0.1:1025 and starts no SMTP server): it counts what arrives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    received: int = 0
    started: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.received += 1
        return "250 OK"


def _listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


@contextmanager
def mailbox(host: str, port: int) -> Iterator[Mailbox]:
    box = Mailbox()
    if _listening(host, port):
        yield box  # someone else's SMTP server (aiosmtpd, Mailpit) receives the mail
        return
    controller = Controller(box, hostname=host, port=port)
    controller.start()
    box.started = True
    try:
        yield box
    finally:
        controller.stop()

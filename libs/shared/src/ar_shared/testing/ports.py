"""Ports on 127.0.0.1 for tests that start servers or point clients at nothing."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def unused_port() -> int:
    """A port nothing listens on, outside the kernel's ephemeral range.

    Outside it, no outgoing connection is handed the port as its own meanwhile, and a client
    retrying a port nobody listens on cannot end up connected to itself.
    """
    low, high = (int(p) for p in _EPHEMERAL.read_text().split()) if _EPHEMERAL.exists() else (32768, 60999)
    candidates = [p for p in range(10000, 65536) if not low <= p <= high]
    for port in random.sample(candidates, 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no unused port found on 127.0.0.1")

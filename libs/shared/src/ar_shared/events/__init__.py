"""Domain events: the CloudEvents envelope and the payload catalogue of every service."""

from ar_shared.events import collections, credit, ledger, notifications
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.registry import EVENT_TYPES, parse_payload, register

__all__ = [
    "EVENT_TYPES",
    "CloudEvent",
    "EventPayload",
    "collections",
    "credit",
    "ledger",
    "notifications",
    "parse_payload",
    "register",
]

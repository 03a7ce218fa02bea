"""Maps CloudEvents `type` strings to their payload models: the one source of truth."""

from __future__ import annotations

from typing import TypeVar

from ar_shared.events.envelope import CloudEvent, EventPayload

P = TypeVar("P", bound=type[EventPayload])

EVENT_TYPES: dict[str, type[EventPayload]] = {}


class UnknownEventType(LookupError):
    pass


def register(model: P) -> P:
    """Class decorator adding a payload model to the catalogue."""
    key = model.event_type()
    if key in EVENT_TYPES and EVENT_TYPES[key] is not model:
        raise ValueError(f"event type {key} registered twice")
    EVENT_TYPES[key] = model
    return model


def payload_model(event_type: str) -> type[EventPayload]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def parse_payload(event: CloudEvent) -> EventPayload:
    """Validates `data` against the model registered for the event's type (raises on mismatch)."""
    return payload_model(event.type).model_validate(event.data)

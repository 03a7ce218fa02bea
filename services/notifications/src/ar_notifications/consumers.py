"""Handlers for the events the notifications service consumes."""

from ar_shared.consumer import EventHandlers

handlers = EventHandlers()

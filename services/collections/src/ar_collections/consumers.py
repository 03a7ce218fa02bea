"""Handlers for the events the collections service consumes."""

from ar_shared.consumer import EventHandlers

handlers = EventHandlers()

"""Handlers for events the ledger consumes (none yet: credit memo requests arrive with collections)."""

from ar_shared.consumer import EventHandlers

handlers = EventHandlers()

"""Business dates: each entity's calendar as the ledger announced it, and "today" per entity."""

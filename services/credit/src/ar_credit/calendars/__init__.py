"""Business calendars: each entity's business date as the ledger announces it, resolved here."""

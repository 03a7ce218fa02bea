"""The account projection: open items, payments, credit memos, holds, credit profiles and entity
calendars, kept from `ledger.events` and `credit.events` in each handler's transaction."""

"""Plumbing shared by the AR platform services (events, outbox/inbox, money, errors, auth)."""

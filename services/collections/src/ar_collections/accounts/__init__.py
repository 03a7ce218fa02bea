"""Accounts: the customers collections works, kept from ledger events."""

"""Customers: upserted by ERP external id, the parties every ledger document belongs to."""

"""Collector activities on an account: calls, e-mails, notes and visits with outcome codes."""

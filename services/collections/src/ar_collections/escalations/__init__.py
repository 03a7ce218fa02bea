"""Escalations and the manager's queue."""

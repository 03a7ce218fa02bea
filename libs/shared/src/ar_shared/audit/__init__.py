"""Append-only, hash-chained audit log written in the same transaction as each state change."""

from ar_shared.audit.log import SYSTEM_ACTOR, Actor, AuditLog

__all__ = ["SYSTEM_ACTOR", "Actor", "AuditLog"]

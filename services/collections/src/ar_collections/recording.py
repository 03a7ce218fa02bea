"""The collections schema's audit log and outbox: every service records and emits through these."""

from __future__ import annotations

from ar_collections.models import plumbing
from ar_shared.audit import AuditLog
from ar_shared.outbox import OutboxWriter

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)

"""The tables every service schema carries: outbox, inbox, idempotency keys and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID


@dataclass(frozen=True)
class PlumbingTables:
    outbox: Table
    inbox: Table
    idempotency_keys: Table
    audit_log: Table

    @property
    def schema(self) -> str:
        assert self.outbox.schema is not None
        return self.outbox.schema

    def all(self) -> list[Table]:
        return [self.outbox, self.inbox, self.idempotency_keys, self.audit_log]


def add_plumbing_tables(metadata: MetaData) -> PlumbingTables:
    """Declares the plumbing tables in `metadata` (whose schema is the service's)."""
    outbox = Table(
        "outbox",
        metadata,
        # identity order = commit-ish order; the relay publishes by it, keeping per-key order
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("message_key", Text, nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
        Index("ix_outbox_published_at", "published_at"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer_group", Text, nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer_group", "event_id", name="pk_inbox"),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("principal", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("method", Text, nullable=False),
        Column("path", Text, nullable=False),
        Column("request_hash", Text, nullable=False),
        Column("response_status", SmallInteger, nullable=False),
        Column("response_body", JSONB, nullable=False),
        Column("response_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger, Identity(always=True), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", Text, nullable=False),
        Column("scopes", ARRAY(Text), nullable=False),
        Column("action", Text, nullable=False),
        Column("entity_type", Text, nullable=False),
        Column("entity_id", Text, nullable=False),
        Column("before", JSONB),
        Column("after", JSONB),
        Column("correlation_id", Text),
        Column("request_id", Text),
        # hash chain per subject (entity_type:entity_id): writers of different subjects never wait
        Column("chain_seq", BigInteger, nullable=False),
        Column("prev_hash", LargeBinary, nullable=False),
        Column("hash", LargeBinary, nullable=False),
        Index("ux_audit_log_chain", "entity_type", "entity_id", "chain_seq", unique=True),
    )
    return PlumbingTables(outbox, inbox, idempotency_keys, audit_log)


def outbox_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel the relay of `schema` waits on."""
    return f"{schema}_outbox"


def plumbing_ddl(schema: str, app_role: str) -> list[str]:
    """DDL Alembic cannot express from metadata: the outbox wake-up trigger and audit rights.

    Run by each service's first migration, as the schema owner.
    """
    channel = outbox_channel(schema)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {schema}.notify_outbox() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{channel}', '');
            RETURN NULL;
        END $$
        """,
        # one notification per statement; Postgres delivers it at commit, never on rollback
        f"""
        CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_outbox()
        """,
        # the audit log is append-only for the running service
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_log FROM {app_role}",
    ]


def drop_plumbing_ddl(schema: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox",
        f"DROP FUNCTION IF EXISTS {schema}.notify_outbox()",
    ]

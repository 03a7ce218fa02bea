"""Collections part 1: the account projection, people and portfolios, row-level security,
reason codes, outcome codes, tasks, the worklist's weights and SLA rules, do-not-contact.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:39:52.945007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOME_CODES = {
    "reached": "Spoke with the customer",
    "no_answer": "Nobody answered",
    "left_voicemail": "Left a voicemail",
    "wrong_contact": "Wrong number or wrong person",
    "promised_to_pay": "The customer promised to pay",
    "disputed": "The customer disputes an invoice",
    "refused_to_pay": "The customer refused to pay",
    "requested_copy": "The customer asked for a copy of an invoice or statement",
    "paid_already": "The customer says it has paid",
    "callback_requested": "The customer asked to be called back",
}
REASON_CODES = {
    # code: (description, kept current by the workflow)
    "promised": ("A promise to pay covers the item", True),
    "disputed": ("The customer disputes the item", True),
    "payment_plan": ("A payment plan covers the item", True),
    "awaiting_po": ("The customer waits for a purchase order number", False),
    "in_legal": ("With the legal department or a collection agency", False),
    "short_paid": ("Paid short: a deduction to be cleared", False),
    "awaiting_approval": ("Waiting for the customer's internal approval", False),
}
WEIGHTS = {
    "amount_overdue": "1.0",
    "days_past_due": "0.5",
    "risk_class": "10",
    "promise": "20",
    "dispute_age": "0.2",
    "days_since_last_contact": "0.5",
    "follow_up_due": "25",
}

# A collections:work caller sees an account (and every row about it) when its portfolio is one
# the caller owns, or covers as backup while the owner is absent; `sees_all` is set for
# collections:manage callers and for the worker. Both are set per transaction by the service
# (set_config(..., true)); without them no row is visible. Subqueries in USING run once per
# statement (init plans and hashed subplans), not once per row:
# - accounts: `portfolio_id = ANY (...) OR (portfolio_id IS NULL AND sees_all)` is two index
#   scans (a BitmapOr), so a collector's statement reads only its accounts; visible_portfolios()
#   is every portfolio for those who see all, and unassigned accounts are theirs alone;
# - tables about an account: the set of visible account ids is built once per statement, from
#   the (portfolio_id) INCLUDE (customer_id) index alone, and each row is a hash probe; for those
#   who see all, the first operand answers and the set is never built.
SEES_ALL = "(SELECT collections.sees_all())"
ACCOUNT_TABLES = (
    "open_items", "payments", "credit_memos", "credit_holds", "credit_profiles", "activities", "tasks",
    "item_reasons", "item_reason_history", "assignment_history", "do_not_contact",
)  # fmt: skip
ROW_LEVEL_SECURITY = [
    """
    CREATE FUNCTION collections.sees_all() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('collections.sees_all', true), '') = 'on'
    $$
    """,
    """
    CREATE FUNCTION collections.visible_portfolios() RETURNS uuid[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(p.id), '{}')
        FROM collections.portfolios p
        WHERE collections.sees_all()
           OR p.collector_subject = current_setting('collections.subject', true)
           OR (p.backup_subject = current_setting('collections.subject', true)
               AND EXISTS (SELECT 1 FROM collections.collectors c
                           WHERE c.subject = p.collector_subject AND c.absent))
    $$
    """,
    "ALTER TABLE collections.accounts ENABLE ROW LEVEL SECURITY",
    f"""
    CREATE POLICY portfolio_access ON collections.accounts
    USING (portfolio_id = ANY ((SELECT collections.visible_portfolios())::uuid[])
           OR (portfolio_id IS NULL AND {SEES_ALL}))
    """,
    *(
        statement
        for table in ACCOUNT_TABLES
        for statement in (
            f"ALTER TABLE collections.{table} ENABLE ROW LEVEL SECURITY",
            # table names are the constants above
            f"CREATE POLICY portfolio_access ON collections.{table} "  # noqa: S608
            f"USING ({SEES_ALL} OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
        )
    ),
]
DROP_ROW_LEVEL_SECURITY = [
    *(
        statement
        for table in ("accounts", *ACCOUNT_TABLES)
        for statement in (
            f"DROP POLICY IF EXISTS portfolio_access ON collections.{table}",
            f"ALTER TABLE collections.{table} DISABLE ROW LEVEL SECURITY",
        )
    ),
    "DROP FUNCTION IF EXISTS collections.visible_portfolios()",
    "DROP FUNCTION IF EXISTS collections.sees_all()",
]


def seed_codes() -> None:
    outcome_codes = sa.table(
        "outcome_codes", sa.column("code"), sa.column("description"), schema="collections"
    )
    op.bulk_insert(outcome_codes, [{"code": c, "description": d} for c, d in OUTCOME_CODES.items()])
    reason_codes = sa.table(
        "reason_codes",
        sa.column("code"),
        sa.column("description"),
        sa.column("workflow"),
        schema="collections",
    )
    op.bulk_insert(
        reason_codes, [{"code": c, "description": d, "workflow": w} for c, (d, w) in REASON_CODES.items()]
    )
    weights = sa.table("worklist_weights", sa.column("part"), sa.column("weight"), schema="collections")
    op.bulk_insert(weights, [{"part": p, "weight": w} for p, w in WEIGHTS.items()])


def upgrade() -> None:
    op.create_table(
        "credit_holds",
        sa.Column("hold_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.Text(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.Text(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("hold_id", name=op.f("pk_credit_holds")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_credit_holds_customer_id"),
        "credit_holds",
        ["customer_id"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "credit_profiles",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("risk_class", sa.Text(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("credit_limit_minor", sa.BigInteger(), nullable=True),
        sa.Column("credit_limit_currency", sa.String(length=3), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_credit_profiles")),
        schema="collections",
    )
    op.create_table(
        "entity_calendars",
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("previous_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("business_entity", name=op.f("pk_entity_calendars")),
        schema="collections",
    )
    op.create_table(
        "outcome_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("'system'"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_outcome_codes")),
        schema="collections",
    )
    op.create_table(
        "reason_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("workflow", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("'system'"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_reason_codes")),
        schema="collections",
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("manager_subject", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
        schema="collections",
    )
    op.create_table(
        "worklist_weights",
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("'system'"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("part", name=op.f("pk_worklist_weights")),
        schema="collections",
    )
    op.create_table(
        "collectors",
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.Text(), server_default=sa.text("'collector'"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("absent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("absent_until", sa.Date(), nullable=True),
        sa.Column("absence_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('collector', 'manager')", name=op.f("ck_collectors_role_known")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["collections.teams.id"], name=op.f("fk_collectors_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_collectors")),
        schema="collections",
    )
    op.create_table(
        "portfolios",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("collector_subject", sa.Text(), nullable=False),
        sa.Column("backup_subject", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "backup_subject IS NULL OR backup_subject <> collector_subject",
            name=op.f("ck_portfolios_backup_not_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["backup_subject"],
            ["collections.collectors.subject"],
            name=op.f("fk_portfolios_backup_subject_collectors"),
        ),
        sa.ForeignKeyConstraint(
            ["collector_subject"],
            ["collections.collectors.subject"],
            name=op.f("fk_portfolios_collector_subject_collectors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
        sa.UniqueConstraint("name", name=op.f("uq_portfolios_name")),
        schema="collections",
    )
    op.create_foreign_key(
        "fk_teams_manager_subject_collectors",
        "teams",
        "collectors",
        ["manager_subject"],
        ["subject"],
        source_schema="collections",
        referent_schema="collections",
    )
    op.create_index(
        op.f("ix_portfolios_backup_subject"),
        "portfolios",
        ["backup_subject"],
        unique=False,
        schema="collections",
    )
    op.create_index(
        op.f("ix_portfolios_collector_subject"),
        "portfolios",
        ["collector_subject"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "assignment_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("risk_class", sa.Text(), nullable=True),
        sa.Column("balance_currency", sa.String(length=3), nullable=True),
        sa.Column("balance_min_minor", sa.BigInteger(), nullable=True),
        sa.Column("balance_max_minor", sa.BigInteger(), nullable=True),
        sa.Column("attribute_key", sa.Text(), nullable=True),
        sa.Column("attribute_value", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(attribute_key IS NULL) = (attribute_value IS NULL)",
            name=op.f("ck_assignment_rules_attribute_pair"),
        ),
        sa.CheckConstraint(
            "(balance_min_minor IS NULL AND balance_max_minor IS NULL) = (balance_currency IS NULL)",
            name=op.f("ck_assignment_rules_balance_band_has_currency"),
        ),
        sa.CheckConstraint(
            "balance_min_minor IS NULL OR balance_max_minor IS NULL OR balance_min_minor < balance_max_minor",
            name=op.f("ck_assignment_rules_balance_band_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["collections.portfolios.id"],
            name=op.f("fk_assignment_rules_portfolio_id_portfolios"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_rules")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_assignment_rules_portfolio_id"),
        "assignment_rules",
        ["portfolio_id"],
        unique=False,
        schema="collections",
    )
    op.create_index(
        "ix_assignment_rules_priority", "assignment_rules", ["priority"], unique=False, schema="collections"
    )
    op.create_table(
        "portfolio_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("collector_subject", sa.Text(), nullable=False),
        sa.Column("backup_subject", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["collections.portfolios.id"],
            name=op.f("fk_portfolio_history_portfolio_id_portfolios"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_history")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_portfolio_history_portfolio_id"),
        "portfolio_history",
        ["portfolio_id"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "sla_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.Column("action_kind", sa.Text(), nullable=False),
        sa.Column("action_direction", sa.Text(), nullable=True),
        sa.Column("business_entity", sa.Text(), nullable=True),
        sa.Column("risk_class", sa.Text(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "action_direction IS NULL OR action_direction IN ('inbound', 'outbound')",
            name=op.f("ck_sla_rules_action_direction_known"),
        ),
        sa.CheckConstraint(
            "action_kind IN ('call', 'email', 'letter', 'visit')", name=op.f("ck_sla_rules_action_kind_known")
        ),
        sa.CheckConstraint("trigger IN ('past_due')", name=op.f("ck_sla_rules_trigger_known")),
        sa.CheckConstraint("within_days >= 0", name=op.f("ck_sla_rules_within_days_not_negative")),
        sa.ForeignKeyConstraint(
            ["portfolio_id"], ["collections.portfolios.id"], name=op.f("fk_sla_rules_portfolio_id_portfolios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_sla_rules_code")),
        schema="collections",
    )
    op.create_table(
        "assignment_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("from_portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("to_portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_assignment_history_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_history")),
        schema="collections",
    )
    op.create_index(
        "ix_assignment_history_customer",
        "assignment_history",
        ["customer_id", "changed_at"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "credit_memos",
        sa.Column("memo_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("memo_number", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_credit_memos_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("memo_id", name=op.f("pk_credit_memos")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_credit_memos_customer_id"),
        "credit_memos",
        ["customer_id"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "do_not_contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.Text(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('litigation', 'insolvency', 'key_account', 'customer_request')",
            name=op.f("ck_do_not_contact_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_do_not_contact_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_do_not_contact")),
        schema="collections",
    )
    op.create_index(
        "ux_do_not_contact_in_force",
        "do_not_contact",
        ["customer_id"],
        unique=True,
        schema="collections",
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_table(
        "item_reason_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("previous_code", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('collector', 'workflow')", name=op.f("ck_item_reason_history_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_item_reason_history_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_reason_history")),
        schema="collections",
    )
    op.create_index(
        "ix_item_reason_history_customer",
        "item_reason_history",
        ["customer_id", "set_at"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "item_reasons",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('collector', 'workflow')", name=op.f("ck_item_reasons_source_known")),
        sa.ForeignKeyConstraint(
            ["code"], ["collections.reason_codes.code"], name=op.f("fk_item_reasons_code_reason_codes")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_item_reasons_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_item_reasons")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_item_reasons_customer_id"),
        "item_reasons",
        ["customer_id"],
        unique=False,
        schema="collections",
    )
    op.create_table(
        "open_items",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("exponent", sa.SmallInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("voided", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("po_number", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_open_items_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_open_items")),
        schema="collections",
    )
    op.create_index(
        "ix_open_items_changed_at", "open_items", ["changed_at"], unique=False, schema="collections"
    )
    op.create_index(
        "ix_open_items_customer_open",
        "open_items",
        ["customer_id", "due_date"],
        unique=False,
        schema="collections",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_payments_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
        schema="collections",
    )
    op.create_index(
        op.f("ix_payments_customer_id"), "payments", ["customer_id"], unique=False, schema="collections"
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sla_due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("assignee_subject", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_by", sa.Text(), nullable=True),
        sa.Column("completion_activity_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('call', 'email', 'letter', 'visit', 'follow_up', 'review')",
            name=op.f("ck_tasks_kind_known"),
        ),
        sa.CheckConstraint(
            "source IN ('collector', 'activity', 'workflow')", name=op.f("ck_tasks_source_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'completed', 'cancelled')", name=op.f("ck_tasks_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["collections.accounts.customer_id"], name=op.f("fk_tasks_customer_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        schema="collections",
    )
    op.create_index(
        "ix_tasks_assignee_open",
        "tasks",
        ["assignee_subject", "due_on"],
        unique=False,
        schema="collections",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_tasks_customer_open",
        "tasks",
        ["customer_id", "due_on"],
        unique=False,
        schema="collections",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.add_column(
        "accounts", sa.Column("payment_terms_days", sa.Integer(), nullable=True), schema="collections"
    )
    op.add_column("accounts", sa.Column("country", sa.Text(), nullable=True), schema="collections")
    op.add_column("accounts", sa.Column("region", sa.Text(), nullable=True), schema="collections")
    op.add_column(
        "accounts",
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema="collections",
    )
    op.add_column("accounts", sa.Column("portfolio_id", sa.Uuid(), nullable=True), schema="collections")
    op.add_column("accounts", sa.Column("assignment_source", sa.Text(), nullable=True), schema="collections")
    op.add_column("accounts", sa.Column("assignment_rule_id", sa.Uuid(), nullable=True), schema="collections")
    op.add_column(
        "accounts", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True), schema="collections"
    )
    op.add_column("accounts", sa.Column("last_contact_on", sa.Date(), nullable=True), schema="collections")
    op.create_index(
        op.f("ix_accounts_portfolio_id"),
        "accounts",
        ["portfolio_id"],
        unique=False,
        schema="collections",
        # row-level security builds each statement's set of visible accounts from the index alone
        postgresql_include=["customer_id"],
    )
    op.create_foreign_key(
        op.f("fk_accounts_portfolio_id_portfolios"),
        "accounts",
        "portfolios",
        ["portfolio_id"],
        ["id"],
        source_schema="collections",
        referent_schema="collections",
    )
    op.create_foreign_key(
        op.f("fk_accounts_assignment_rule_id_assignment_rules"),
        "accounts",
        "assignment_rules",
        ["assignment_rule_id"],
        ["id"],
        source_schema="collections",
        referent_schema="collections",
        ondelete="SET NULL",
    )
    op.add_column("activities", sa.Column("direction", sa.Text(), nullable=True), schema="collections")
    op.add_column(
        "activities", sa.Column("duration_seconds", sa.Integer(), nullable=True), schema="collections"
    )
    op.add_column("activities", sa.Column("occurred_on", sa.Date(), nullable=True), schema="collections")
    op.execute("UPDATE collections.activities SET occurred_on = (occurred_at AT TIME ZONE 'UTC')::date")
    op.alter_column("activities", "occurred_on", nullable=False, schema="collections")
    op.add_column(
        "activities", sa.Column("next_follow_up_on", sa.Date(), nullable=True), schema="collections"
    )
    op.add_column(
        "activities", sa.Column("follow_up_task_id", sa.Uuid(), nullable=True), schema="collections"
    )
    op.add_column(
        "activities", sa.Column("completed_task_id", sa.Uuid(), nullable=True), schema="collections"
    )
    op.create_index(
        "ix_activities_customer_kind_on",
        "activities",
        ["customer_id", "kind", "occurred_on"],
        unique=False,
        schema="collections",
    )
    op.drop_constraint(op.f("ck_activities_kind_known"), "activities", schema="collections", type_="check")
    op.drop_constraint(op.f("ck_activities_outcome_known"), "activities", schema="collections", type_="check")
    op.create_check_constraint(
        "kind_known",
        "activities",
        "kind IN ('call', 'email', 'letter', 'note', 'visit')",
        schema="collections",
    )
    op.create_check_constraint(
        "direction_known",
        "activities",
        "direction IS NULL OR direction IN ('inbound', 'outbound')",
        schema="collections",
    )
    op.create_check_constraint(
        "duration_not_negative",
        "activities",
        "duration_seconds IS NULL OR duration_seconds >= 0",
        schema="collections",
    )
    seed_codes()
    op.create_foreign_key(
        op.f("fk_activities_outcome_outcome_codes"),
        "activities",
        "outcome_codes",
        ["outcome"],
        ["code"],
        source_schema="collections",
        referent_schema="collections",
    )
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_ROW_LEVEL_SECURITY:
        op.execute(statement)
    op.drop_constraint(
        op.f("fk_activities_outcome_outcome_codes"), "activities", schema="collections", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("ck_activities_duration_not_negative"), "activities", schema="collections", type_="check"
    )
    op.drop_constraint(
        op.f("ck_activities_direction_known"), "activities", schema="collections", type_="check"
    )
    op.drop_constraint(op.f("ck_activities_kind_known"), "activities", schema="collections", type_="check")
    op.execute("DELETE FROM collections.activities WHERE kind = 'letter'")
    op.create_check_constraint(
        "kind_known",
        "activities",
        "kind IN ('call', 'email', 'note', 'visit')",
        schema="collections",
    )
    op.execute(
        "UPDATE collections.activities SET outcome = NULL WHERE outcome NOT IN ('reached', "
        "'no_answer', 'left_voicemail', 'wrong_contact', 'promised_to_pay', 'disputed', 'refused_to_pay', "
        "'requested_copy', 'paid_already', 'callback_requested')"
    )
    op.create_check_constraint(
        "outcome_known",
        "activities",
        "outcome IS NULL OR outcome IN ('reached', 'no_answer', 'left_voicemail', 'wrong_contact', "
        "'promised_to_pay', 'disputed', 'refused_to_pay', 'requested_copy', 'paid_already', "
        "'callback_requested')",
        schema="collections",
    )
    op.drop_index("ix_activities_customer_kind_on", table_name="activities", schema="collections")
    op.drop_column("activities", "completed_task_id", schema="collections")
    op.drop_column("activities", "follow_up_task_id", schema="collections")
    op.drop_column("activities", "next_follow_up_on", schema="collections")
    op.drop_column("activities", "occurred_on", schema="collections")
    op.drop_column("activities", "duration_seconds", schema="collections")
    op.drop_column("activities", "direction", schema="collections")
    op.drop_constraint(
        op.f("fk_accounts_assignment_rule_id_assignment_rules"),
        "accounts",
        schema="collections",
        type_="foreignkey",
    )
    op.drop_constraint(
        op.f("fk_accounts_portfolio_id_portfolios"), "accounts", schema="collections", type_="foreignkey"
    )
    op.drop_index(op.f("ix_accounts_portfolio_id"), table_name="accounts", schema="collections")
    op.drop_column("accounts", "last_contact_on", schema="collections")
    op.drop_column("accounts", "assigned_at", schema="collections")
    op.drop_column("accounts", "assignment_rule_id", schema="collections")
    op.drop_column("accounts", "assignment_source", schema="collections")
    op.drop_column("accounts", "portfolio_id", schema="collections")
    op.drop_column("accounts", "attributes", schema="collections")
    op.drop_column("accounts", "region", schema="collections")
    op.drop_column("accounts", "country", schema="collections")
    op.drop_column("accounts", "payment_terms_days", schema="collections")
    op.drop_index(
        "ix_tasks_customer_open",
        table_name="tasks",
        schema="collections",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index(
        "ix_tasks_assignee_open",
        table_name="tasks",
        schema="collections",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_table("tasks", schema="collections")
    op.drop_index(op.f("ix_payments_customer_id"), table_name="payments", schema="collections")
    op.drop_table("payments", schema="collections")
    op.drop_index(
        "ix_open_items_customer_open",
        table_name="open_items",
        schema="collections",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.drop_index("ix_open_items_changed_at", table_name="open_items", schema="collections")
    op.drop_table("open_items", schema="collections")
    op.drop_index(op.f("ix_item_reasons_customer_id"), table_name="item_reasons", schema="collections")
    op.drop_table("item_reasons", schema="collections")
    op.drop_index("ix_item_reason_history_customer", table_name="item_reason_history", schema="collections")
    op.drop_table("item_reason_history", schema="collections")
    op.drop_index(
        "ux_do_not_contact_in_force",
        table_name="do_not_contact",
        schema="collections",
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.drop_table("do_not_contact", schema="collections")
    op.drop_index(op.f("ix_credit_memos_customer_id"), table_name="credit_memos", schema="collections")
    op.drop_table("credit_memos", schema="collections")
    op.drop_index("ix_assignment_history_customer", table_name="assignment_history", schema="collections")
    op.drop_table("assignment_history", schema="collections")
    op.drop_table("sla_rules", schema="collections")
    op.drop_index(
        op.f("ix_portfolio_history_portfolio_id"), table_name="portfolio_history", schema="collections"
    )
    op.drop_table("portfolio_history", schema="collections")
    op.drop_index("ix_assignment_rules_priority", table_name="assignment_rules", schema="collections")
    op.drop_index(
        op.f("ix_assignment_rules_portfolio_id"), table_name="assignment_rules", schema="collections"
    )
    op.drop_table("assignment_rules", schema="collections")
    op.drop_index(op.f("ix_portfolios_collector_subject"), table_name="portfolios", schema="collections")
    op.drop_index(op.f("ix_portfolios_backup_subject"), table_name="portfolios", schema="collections")
    op.drop_table("portfolios", schema="collections")
    op.drop_constraint(
        "fk_teams_manager_subject_collectors", "teams", schema="collections", type_="foreignkey"
    )
    op.drop_table("collectors", schema="collections")
    op.drop_table("worklist_weights", schema="collections")
    op.drop_table("teams", schema="collections")
    op.drop_table("reason_codes", schema="collections")
    op.drop_table("outcome_codes", schema="collections")
    op.drop_table("entity_calendars", schema="collections")
    op.drop_table("credit_profiles", schema="collections")
    op.drop_index(op.f("ix_credit_holds_customer_id"), table_name="credit_holds", schema="collections")
    op.drop_table("credit_holds", schema="collections")

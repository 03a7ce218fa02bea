"""The as-of SQL every report shares: open invoices, unapplied money, the customer's net balance.

Each takes `:as_of` and ignores movements dated after it. `ar_ledger.domain.open_balance` states
the same rule for one invoice in Python; the tests check both agree.
"""

# open amount per invoice as of :as_of — issued by then, not void by then, minus what was
# applied by then and not taken back by then
OPEN_ITEMS_AS_OF = """
WITH applied AS (
    SELECT a.invoice_id, sum(a.amount_minor)::bigint AS applied_minor
    FROM ledger.applications a
    WHERE a.effective_date <= :as_of AND (a.reversed_on IS NULL OR a.reversed_on > :as_of)
    GROUP BY a.invoice_id
)
SELECT i.id, i.customer_id, i.business_entity, i.invoice_number, i.issue_date, i.due_date, i.currency,
       i.amount_minor, i.amount_minor - coalesce(ap.applied_minor, 0) AS open_minor
FROM ledger.invoices i
LEFT JOIN applied ap ON ap.invoice_id = i.id
WHERE i.issue_date <= :as_of
  AND (i.voided_on IS NULL OR i.voided_on > :as_of)
  AND i.amount_minor - coalesce(ap.applied_minor, 0) > 0
"""

# the same, when nothing is dated after :as_of: the balances kept incrementally are the answer
OPEN_ITEMS_CURRENT = """
SELECT i.id, i.customer_id, i.business_entity, i.invoice_number, i.issue_date, i.due_date, i.currency,
       i.amount_minor, i.open_minor
FROM ledger.invoices i
WHERE i.open_minor > 0 AND i.status = 'open'
"""

UNAPPLIED_CURRENT = """
SELECT customer_id, currency, sum(cash_minor) AS cash_minor, sum(credits_minor) AS credits_minor
FROM (
    SELECT customer_id, currency, unapplied_minor AS cash_minor, 0 AS credits_minor
    FROM ledger.payments WHERE unapplied_minor > 0
    UNION ALL
    SELECT customer_id, currency, 0, unapplied_minor FROM ledger.credit_memos WHERE unapplied_minor > 0
) s
WHERE true {customer_filter}
GROUP BY customer_id, currency
"""

# unapplied money per payment and credit memo as of :as_of — received by then (a payment not
# reversed by then), less what was applied by then and not taken back by then, and what was
# refunded by then. A payment's document number is its external (bank) reference, else its id.
UNAPPLIED_SOURCES_AS_OF = """
WITH used AS (
    SELECT d.source_id, sum(d.amount_minor)::bigint AS used_minor
    FROM (
        SELECT a.source_id, a.amount_minor
        FROM ledger.applications a
        WHERE a.source_kind IN ('payment', 'credit_memo')
          AND a.effective_date <= :as_of AND (a.reversed_on IS NULL OR a.reversed_on > :as_of)
        UNION ALL
        SELECT r.source_id, r.amount_minor
        FROM ledger.refunds r
        WHERE r.status = 'issued' AND r.refund_date <= :as_of
    ) d
    GROUP BY d.source_id
)
SELECT 'payment' AS kind, p.id, p.customer_id, p.currency, p.received_on AS document_date,
       coalesce(p.external_reference, p.id::text) AS document_number,
       p.amount_minor - coalesce(u.used_minor, 0) AS left_minor
FROM ledger.payments p LEFT JOIN used u ON u.source_id = p.id
WHERE p.received_on <= :as_of AND (p.reversed_on IS NULL OR p.reversed_on > :as_of)
UNION ALL
SELECT 'credit_memo', m.id, m.customer_id, m.currency, m.issue_date, m.memo_number,
       m.amount_minor - coalesce(u.used_minor, 0)
FROM ledger.credit_memos m LEFT JOIN used u ON u.source_id = m.id
WHERE m.issue_date <= :as_of
"""

UNAPPLIED_AS_OF = f"""
SELECT customer_id, currency,
       sum(left_minor) FILTER (WHERE kind = 'payment') AS cash_minor,
       sum(left_minor) FILTER (WHERE kind = 'credit_memo') AS credits_minor
FROM ({UNAPPLIED_SOURCES_AS_OF}) sources
WHERE left_minor > 0 {{customer_filter}}
GROUP BY customer_id, currency
"""  # noqa: S608 - constant


# what the customer owes moves with AR, and against it with unapplied cash and credits
NET_EFFECT = """
    sum(CASE l.account
            WHEN 'accounts_receivable' THEN l.debit_minor - l.credit_minor
            WHEN 'unapplied_cash' THEN l.debit_minor - l.credit_minor
            WHEN 'customer_credits' THEN l.debit_minor - l.credit_minor
            ELSE 0 END)
"""

STATEMENT_LINES = f"""
SELECT e.effective_date, e.kind, e.document_id, {NET_EFFECT} AS effect_minor, min(l.currency) AS currency
FROM ledger.journal_entries e JOIN ledger.journal_lines l ON l.entry_id = e.id
WHERE e.customer_id = :customer_id AND e.effective_date BETWEEN :start AND :end
GROUP BY e.id, e.effective_date, e.kind, e.document_id, e.created_at
HAVING {NET_EFFECT} <> 0
ORDER BY e.effective_date, e.created_at, e.id
"""  # noqa: S608 - constant

BALANCE_AS_OF = f"""
SELECT {NET_EFFECT}
FROM ledger.journal_entries e JOIN ledger.journal_lines l ON l.entry_id = e.id
WHERE e.customer_id = :customer_id AND e.effective_date <= :as_of
"""  # noqa: S608 - constant

"""Double-entry postings for every ledger movement; every entry balances by construction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Account(StrEnum):
    """The general-ledger accounts the receivables sub-ledger posts to."""

    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    CASH = "cash"
    UNAPPLIED_CASH = "unapplied_cash"  # customer money received but not yet allocated
    CUSTOMER_CREDITS = "customer_credits"  # credit memos not yet applied
    SALES = "sales"
    SALES_RETURNS = "sales_returns"  # credit memos reduce revenue
    WRITE_OFF_EXPENSE = "write_off_expense"


@dataclass(frozen=True)
class Line:
    account: Account
    debit_minor: int = 0
    credit_minor: int = 0


class UnbalancedEntry(ValueError):
    pass


def _pair(debit: Account, credit: Account, amount_minor: int) -> list[Line]:
    if amount_minor <= 0:
        raise ValueError("postings need a positive amount")
    return [Line(debit, debit_minor=amount_minor), Line(credit, credit_minor=amount_minor)]


def invoice_issued(amount_minor: int) -> list[Line]:
    return _pair(Account.ACCOUNTS_RECEIVABLE, Account.SALES, amount_minor)


def invoice_voided(amount_minor: int) -> list[Line]:
    return _pair(Account.SALES, Account.ACCOUNTS_RECEIVABLE, amount_minor)


def payment_received(amount_minor: int) -> list[Line]:
    return _pair(Account.CASH, Account.UNAPPLIED_CASH, amount_minor)


def payment_reversed(amount_minor: int) -> list[Line]:
    """The bank took the money back: what is still unapplied leaves with it."""
    return _pair(Account.UNAPPLIED_CASH, Account.CASH, amount_minor)


def credit_memo_issued(amount_minor: int) -> list[Line]:
    return _pair(Account.SALES_RETURNS, Account.CUSTOMER_CREDITS, amount_minor)


def applied(source: Account, amount_minor: int) -> list[Line]:
    """Cash or a credit memo applied to an invoice (source: unapplied cash or customer credits)."""
    return _pair(source, Account.ACCOUNTS_RECEIVABLE, amount_minor)


def unapplied(source: Account, amount_minor: int) -> list[Line]:
    """An application taken back: the invoice is open again, the money unapplied again."""
    return _pair(Account.ACCOUNTS_RECEIVABLE, source, amount_minor)


def refund_issued(source: Account, amount_minor: int) -> list[Line]:
    """Unapplied cash or customer credits paid back to the customer."""
    return _pair(source, Account.CASH, amount_minor)


def written_off(amount_minor: int) -> list[Line]:
    return _pair(Account.WRITE_OFF_EXPENSE, Account.ACCOUNTS_RECEIVABLE, amount_minor)


def assert_balanced(lines: list[Line]) -> None:
    debits = sum(line.debit_minor for line in lines)
    credits = sum(line.credit_minor for line in lines)
    if debits != credits:
        raise UnbalancedEntry(f"debits {debits} != credits {credits}")

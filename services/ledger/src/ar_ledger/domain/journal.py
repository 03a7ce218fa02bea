"""Double-entry postings for every ledger movement; every entry balances by construction."""

from __future__ import annotations

from collections.abc import Sequence
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
    OPENING_BALANCE = "opening_balance"  # the other side of balances carried over from another system
    DUNNING_FEE_INCOME = "dunning_fee_income"  # fees charged by dunning steps
    LATE_INTEREST_INCOME = "late_interest_income"  # late-payment interest charged by dunning steps


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


def charge_issued(income: Account, amount_minor: int) -> list[Line]:
    """A dunning fee or late-payment interest charged to the customer: owed, and earned as
    other income (not sales: it is no revenue from goods or services)."""
    return _pair(Account.ACCOUNTS_RECEIVABLE, income, amount_minor)


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


def invoice_opened(amount_minor: int) -> list[Line]:
    """An invoice carried over open from another system: sold there, owed here."""
    return _pair(Account.ACCOUNTS_RECEIVABLE, Account.OPENING_BALANCE, amount_minor)


def credit_opened(amount_minor: int) -> list[Line]:
    """A credit (unapplied credit memo) carried over from another system."""
    return _pair(Account.OPENING_BALANCE, Account.CUSTOMER_CREDITS, amount_minor)


@dataclass(frozen=True)
class BalanceChange:
    """What an entry does to the customer's balances the ledger keeps: open AR (a debit balance),
    unapplied cash and unapplied credits (credit balances, kept positive)."""

    open_ar: int = 0
    unapplied_cash: int = 0
    unapplied_credits: int = 0

    def __add__(self, other: BalanceChange) -> BalanceChange:
        return BalanceChange(
            self.open_ar + other.open_ar,
            self.unapplied_cash + other.unapplied_cash,
            self.unapplied_credits + other.unapplied_credits,
        )


def balance_change(lines: Sequence[Line]) -> BalanceChange:
    """The customer's balances move exactly as their accounts in the journal: derived from the
    lines, never stated beside them, so the two cannot disagree."""

    # one pass over the lines (a bulk import derives 10,000 of these per request)
    open_ar = unapplied_cash = unapplied_credits = 0
    for line in lines:
        account = line.account
        if account is Account.ACCOUNTS_RECEIVABLE:
            open_ar += line.debit_minor - line.credit_minor
        elif account is Account.UNAPPLIED_CASH:
            unapplied_cash += line.credit_minor - line.debit_minor
        elif account is Account.CUSTOMER_CREDITS:
            unapplied_credits += line.credit_minor - line.debit_minor
    return BalanceChange(open_ar, unapplied_cash, unapplied_credits)


def assert_balanced(lines: Sequence[Line]) -> None:
    debits = credits = 0
    for line in lines:
        debits += line.debit_minor
        credits += line.credit_minor
    if debits != credits:
        raise UnbalancedEntry(f"debits {debits} != credits {credits}")

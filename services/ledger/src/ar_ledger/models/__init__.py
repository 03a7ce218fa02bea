"""SQLAlchemy models of the ledger schema."""

from ar_ledger.models.base import Base, metadata, plumbing
from ar_ledger.models.business_date import EntityBusinessDate
from ar_ledger.models.customer import Customer
from ar_ledger.models.documents import Application, CreditMemo, Invoice, Payment, WriteOff
from ar_ledger.models.journal import JournalEntry, JournalLine
from ar_ledger.models.past_due import PastDueState

__all__ = [
    "Application",
    "Base",
    "CreditMemo",
    "Customer",
    "EntityBusinessDate",
    "Invoice",
    "JournalEntry",
    "JournalLine",
    "PastDueState",
    "Payment",
    "WriteOff",
    "metadata",
    "plumbing",
]

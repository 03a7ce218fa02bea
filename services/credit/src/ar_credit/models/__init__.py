"""SQLAlchemy models of the credit schema."""

from ar_credit.models.base import Base, metadata, plumbing
from ar_credit.models.customer import CreditCustomer
from ar_credit.models.exposure import CreditExposure, CreditInvoice, CreditOrder, CreditPolicy, CreditProfile
from ar_credit.models.hold import CreditHold

__all__ = [
    "Base",
    "CreditCustomer",
    "CreditExposure",
    "CreditHold",
    "CreditInvoice",
    "CreditOrder",
    "CreditPolicy",
    "CreditProfile",
    "metadata",
    "plumbing",
]

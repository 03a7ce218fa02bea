"""SQLAlchemy models of the credit schema."""

from ar_credit.models.base import Base, metadata, plumbing
from ar_credit.models.calendar import BusinessCalendar
from ar_credit.models.customer import CreditCustomer
from ar_credit.models.exposure import (
    CreditDispute,
    CreditExposure,
    CreditInvoice,
    CreditOrder,
    CreditPolicy,
    CreditPolicyOverdueLimit,
    CreditProfile,
)
from ar_credit.models.hold import CreditHold
from ar_credit.models.limit_request import CreditLimitRequest
from ar_credit.models.pending_profile import PendingCreditProfile
from ar_credit.models.review import CreditReview

__all__ = [
    "Base",
    "BusinessCalendar",
    "CreditCustomer",
    "CreditDispute",
    "CreditExposure",
    "CreditHold",
    "CreditInvoice",
    "CreditLimitRequest",
    "CreditOrder",
    "CreditPolicy",
    "CreditPolicyOverdueLimit",
    "CreditProfile",
    "CreditReview",
    "PendingCreditProfile",
    "metadata",
    "plumbing",
]

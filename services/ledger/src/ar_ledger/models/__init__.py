"""SQLAlchemy models of the ledger schema."""

from ar_ledger.models.base import Base, metadata, plumbing
from ar_ledger.models.customer import Customer

__all__ = ["Base", "Customer", "metadata", "plumbing"]

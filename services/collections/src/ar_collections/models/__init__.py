"""SQLAlchemy models of the collections schema."""

from ar_collections.models.account import Account
from ar_collections.models.activity import Activity
from ar_collections.models.base import Base, metadata, plumbing

__all__ = ["Account", "Activity", "Base", "metadata", "plumbing"]

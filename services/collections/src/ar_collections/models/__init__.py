"""SQLAlchemy models of the collections schema."""

from ar_collections.models.base import Base, metadata, plumbing

__all__ = ["Base", "metadata", "plumbing"]

"""SQLAlchemy models of the notifications schema."""

from ar_notifications.models.base import Base, metadata, plumbing

__all__ = ["Base", "metadata", "plumbing"]

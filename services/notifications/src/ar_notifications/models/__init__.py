"""SQLAlchemy models of the notifications schema."""

from ar_notifications.models.base import Base, metadata, plumbing
from ar_notifications.models.suppression import Suppression

__all__ = ["Base", "Suppression", "metadata", "plumbing"]

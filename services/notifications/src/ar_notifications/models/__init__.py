"""SQLAlchemy models of the notifications schema."""

from ar_notifications.models.base import Base, metadata, plumbing
from ar_notifications.models.delivery import BusinessCalendar, Contact, Delivery, Template
from ar_notifications.models.suppression import Suppression

__all__ = [
    "Base",
    "BusinessCalendar",
    "Contact",
    "Delivery",
    "Suppression",
    "Template",
    "metadata",
    "plumbing",
]

"""Evidence files a collector attaches to a dispute case, a promise, a payment plan or an
activity: the bytes themselves (in PostgreSQL), their checked media type and SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

DOCUMENT_OWNER_KINDS = ("dispute", "promise", "plan", "activity")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(f"owner_kind IN {DOCUMENT_OWNER_KINDS}", name="owner_kind_known"),
        CheckConstraint("size_bytes > 0 AND size_bytes = octet_length(content)", name="size_is_content"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        Index("ix_documents_customer", "customer_id", "uploaded_at"),
        Index("ix_documents_owner", "owner_kind", "owner_id"),
        CheckConstraint(
            "(deleted_at IS NULL) = (deleted_by IS NULL) "
            "AND (deleted_at IS NULL) = (deletion_reason IS NULL)",
            name="deletion_complete",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    owner_kind: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID] = mapped_column()
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(Text, doc="the type its bytes were checked to be")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), doc="hex SHA-256 of the content")
    # listings never read the bytes: only a download loads them
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # evidence is kept: a deletion hides the document from listings and downloads (410), no more
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[str | None] = mapped_column(Text)
    deletion_reason: Mapped[str | None] = mapped_column(Text)

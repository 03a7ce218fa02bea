"""API shapes of evidence documents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ar_collections.domain.documents import ALLOWED_MEDIA_TYPES
from ar_shared.inputs import Identifier, Text

OwnerKind = Literal["dispute", "promise", "plan", "activity"]


class DocumentFields(BaseModel):
    """What is said about a file besides its bytes (a multipart upload's form fields, the file
    part's name and type)."""

    model_config = ConfigDict(extra="forbid")

    owner_kind: OwnerKind
    owner_id: uuid.UUID = Field(description="The dispute case, promise, plan or activity it proves")
    filename: Identifier = Field(min_length=1, max_length=255, description="Its name, without a folder")
    media_type: Identifier = Field(
        min_length=1, max_length=127, description=f"One of {', '.join(ALLOWED_MEDIA_TYPES)}"
    )
    description: Text | None = Field(default=None, max_length=4000)

    @field_validator("filename")
    @classmethod
    def _no_folder(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in (".", ".."):
            raise ValueError("a file name without a folder (no '/' or '\\')")
        return value


class DocumentUpload(DocumentFields):
    """A file attached to a dispute case, a promise, a payment plan or an activity of the account.

    The content travels base64-encoded in this JSON body (or, as it is, in a multipart/form-data
    upload: `POST .../documents/upload`). Its type is checked from the bytes, against the declared
    `media_type`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "owner_kind": "dispute",
                    "owner_id": "0b8e6c1e-2f0a-4d5e-9a57-3c1d2b4e5f60",
                    "filename": "proof-of-delivery-4711.pdf",
                    "media_type": "application/pdf",
                    "content_base64": "JVBERi0xLjcKJeLjz9MK",
                    "description": "signed proof of delivery",
                }
            ]
        },
    )

    content_base64: Identifier = Field(
        description="The file's bytes, base64 (RFC 4648, with padding, one line)"
    )


class Document(BaseModel):
    """What is known about an attached file (its bytes: GET .../content)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    owner_kind: OwnerKind
    owner_id: uuid.UUID
    filename: str
    media_type: str = Field(description="The type its content was checked to be")
    size_bytes: int
    sha256: str = Field(description="Hex SHA-256 of the content, to check a download against")
    description: str | None
    uploaded_by: str
    uploaded_at: datetime


class DocumentDeletion(BaseModel):
    """Why a document is withdrawn (it is kept as evidence: listings and downloads no longer show it)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=1000, examples=["uploaded to the wrong case"])


class DeletedDocument(Document):
    """A withdrawn document: who withdrew it, when and why."""

    deleted_at: datetime
    deleted_by: str
    deletion_reason: str

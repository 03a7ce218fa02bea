"""Document rules: a file is attached to a case, promise, plan or activity of the account it is
uploaded to, only when its bytes are of an accepted type that agrees with the declared one and fit
the size cap; it is stored with its SHA-256 and audited. Whoever may see the account (row-level
security) may list and download it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.documents.repository import DocumentRepository
from ar_collections.documents.schemas import Document as DocumentOut
from ar_collections.documents.schemas import DocumentUpload
from ar_collections.domain import documents as rules
from ar_collections.models import Document
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.problems import FieldError, NotFound, ProblemError, Unprocessable


def _content(data: DocumentUpload, max_bytes: int) -> bytes:
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable(
            "the content is not base64",
            code="not_base64",
            errors=[FieldError(field="content_base64", message="not base64 (RFC 4648)", code="not_base64")],
        ) from None
    refused = rules.refusal(data.media_type, content, max_bytes)
    if refused is not None:
        field = "media_type" if refused.code in ("type_not_allowed", "type_mismatch") else "content_base64"
        errors = [FieldError(field=field, message=refused.message, code=refused.code)]
        if refused.code == "too_large":
            raise ProblemError(
                refused.message, status=413, code="too_large", title="Content too large", errors=errors
            )
        raise Unprocessable(refused.message, code=refused.code, errors=errors)
    return content


async def attach(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, data: DocumentUpload, *, max_bytes: int
) -> Document:
    await require_account(session, customer_id)
    repo = DocumentRepository(session)
    if await repo.owner_account(data.owner_kind, data.owner_id) != customer_id:
        raise Unprocessable(
            f"no {data.owner_kind} {data.owner_id} on this account",
            code="unknown_owner",
            errors=[
                FieldError(
                    field="owner_id", message=f"no {data.owner_kind} {data.owner_id}", code="unknown_owner"
                )
            ],
        )
    content = _content(data, max_bytes)
    document = await repo.add(
        Document(
            id=uuid.uuid4(),
            customer_id=customer_id,
            owner_kind=data.owner_kind,
            owner_id=data.owner_id,
            filename=data.filename,
            media_type=rules.stored_type(data.media_type),
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            description=data.description,
            uploaded_by=actor.subject,
        )
    )
    await audit.record(
        session,
        actor=actor,
        action="document.attached",
        entity_type="account",
        entity_id=str(customer_id),
        after=DocumentOut.model_validate(document).model_dump(mode="json"),
    )
    return document


async def require_document(
    session: AsyncSession, document_id: uuid.UUID, *, with_content: bool = False
) -> Document:
    """The document (with its bytes if asked), if the caller may see its account: else 404."""
    repo = DocumentRepository(session)
    document = await (repo.with_content(document_id) if with_content else repo.get(document_id))
    if document is None:
        raise NotFound(f"no document {document_id}", code="document_not_found")
    return document

"""Document rules: a file is attached to a case, promise, plan or activity of the account it is
uploaded to, only when its bytes are of an accepted type that agrees with the declared one and fit
the size cap; it is stored with its SHA-256 and audited. Whoever may see the account (row-level
security) may list and download it. Its uploader or a manager may withdraw it while what it proves
is open (`domain.documents.owner_closed`): a soft delete (who, when, why; audited), after which it
is gone (410) to everyone."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.documents.repository import DocumentRepository
from ar_collections.documents.schemas import DeletedDocument, DocumentDeletion, DocumentFields, DocumentUpload
from ar_collections.documents.schemas import Document as DocumentOut
from ar_collections.domain import documents as rules
from ar_collections.models import Document
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import FieldError, NotFound, ProblemError, Unprocessable

TITLES = {403: "Forbidden", 409: "Conflict", 410: "Gone"}


def _decoded(data: DocumentUpload) -> bytes:
    try:
        return base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable(
            "the content is not base64",
            code="not_base64",
            errors=[FieldError(field="content_base64", message="not base64 (RFC 4648)", code="not_base64")],
        ) from None


def too_large(max_bytes: int, field: str, size: int | None = None) -> ProblemError:
    said = f"the file has {size} bytes" if size is not None else "the file is larger"
    message = f"{said}; at most {max_bytes} are accepted"
    return ProblemError(
        message,
        status=413,
        code="too_large",
        title="Content too large",
        errors=[FieldError(field=field, message=message, code="too_large")],
    )


def _check(fields: DocumentFields, content: bytes, max_bytes: int, content_field: str) -> None:
    refused = rules.refusal(fields.media_type, content, max_bytes)
    if refused is None:
        return
    if refused.code == "too_large":
        raise too_large(max_bytes, content_field, len(content))
    field = "media_type" if refused.code in ("type_not_allowed", "type_mismatch") else content_field
    errors = [FieldError(field=field, message=refused.message, code=refused.code)]
    raise Unprocessable(refused.message, code=refused.code, errors=errors)


async def attach(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, data: DocumentUpload, *, max_bytes: int
) -> Document:
    """A file uploaded base64 in JSON."""
    content = _decoded(data)
    return await store(
        session, actor, customer_id, data, content, max_bytes=max_bytes, field="content_base64"
    )


async def _require_owner(session: AsyncSession, customer_id: uuid.UUID, data: DocumentFields) -> None:
    await require_account(session, customer_id)
    if await DocumentRepository(session).owner_account(data.owner_kind, data.owner_id) != customer_id:
        raise Unprocessable(
            f"no {data.owner_kind} {data.owner_id} on this account",
            code="unknown_owner",
            errors=[
                FieldError(
                    field="owner_id", message=f"no {data.owner_kind} {data.owner_id}", code="unknown_owner"
                )
            ],
        )


async def store(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: DocumentFields,
    content: bytes,
    *,
    max_bytes: int,
    field: str,
) -> Document:
    """Checks the file (owner of the account, type by content, size) and stores it; `field` names
    the content in the errors (`content_base64` in JSON, `file` in a multipart upload)."""
    await _require_owner(session, customer_id, data)
    _check(data, content, max_bytes, field)
    document = await DocumentRepository(session).add(
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


async def delete(
    session: AsyncSession, actor: Actor, document_id: uuid.UUID, data: DocumentDeletion, *, is_manager: bool
) -> Document:
    """Withdraws the document (its uploader or a manager, while its case is open): kept, hidden."""
    repo = DocumentRepository(session)
    document = await repo.get(document_id, for_update=True)
    if document is None:
        raise NotFound(f"no document {document_id}", code="document_not_found")
    refused = rules.deletion_refusal(
        uploaded_by=document.uploaded_by,
        subject=actor.subject,
        is_manager=is_manager,
        owner_closed=rules.owner_closed(
            document.owner_kind, await repo.owner_status(document.owner_kind, document.owner_id)
        ),
        deleted=document.deleted_at is not None,
    )
    if refused is not None:
        raise ProblemError(
            refused.message,
            status=refused.status,
            code=refused.code,
            title=TITLES[refused.status],
            extra=_deletion(document),
        )
    before = DocumentOut.model_validate(document).model_dump(mode="json")
    document.deleted_at = session_clock(session).now()
    document.deleted_by = actor.subject
    document.deletion_reason = data.reason
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="document.deleted",
        entity_type="account",
        entity_id=str(document.customer_id),
        before=before,
        after=DeletedDocument.model_validate(document).model_dump(mode="json"),
    )
    return document


def _deletion(document: Document) -> dict[str, str] | None:
    """What a problem about a deleted document says of its deletion."""
    if document.deleted_at is None:
        return None
    return {
        "deleted_at": document.deleted_at.isoformat(),
        "deleted_by": document.deleted_by or "",
        "deletion_reason": document.deletion_reason or "",
    }


async def require_document(
    session: AsyncSession, document_id: uuid.UUID, *, with_content: bool = False
) -> Document:
    """The document (with its bytes if asked), if the caller may see its account: else 404."""
    repo = DocumentRepository(session)
    document = await (repo.with_content(document_id) if with_content else repo.get(document_id))
    if document is None:
        raise NotFound(f"no document {document_id}", code="document_not_found")
    if document.deleted_at is not None:
        raise ProblemError(
            f"document {document_id} was deleted",
            status=410,
            code="document_deleted",
            title="Gone",
            extra=_deletion(document),
        )
    return document

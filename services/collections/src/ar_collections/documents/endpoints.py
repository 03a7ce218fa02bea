"""HTTP routes for evidence documents: upload (base64 JSON or multipart), list (per account, per
owner), download, delete (a soft delete: the evidence is kept)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from ar_collections.access import MANAGE_SCOPE, CallerSession, Worker
from ar_collections.documents import service
from ar_collections.documents.repository import DocumentRepository
from ar_collections.documents.schemas import (
    DeletedDocument,
    Document,
    DocumentDeletion,
    DocumentUpload,
    OwnerKind,
)
from ar_collections.documents.uploads import MULTIPART_BODY, read_upload
from ar_collections.domain.documents import ALLOWED_MEDIA_TYPES
from ar_collections.portfolios.service import require_account
from ar_shared.inputs import Text
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import PROBLEM_RESPONSES
from ar_shared.request_guard import BULK_BODY
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["documents"], route_class=ServiceRoute)


@router.post(
    "/v1/accounts/{customer_id}/documents",
    status_code=201,
    summary="Attach a file to a dispute case, promise, payment plan or activity of the account",
    description="The content is base64 in the JSON body. Accepted: PDF, PNG, JPEG, TIFF, CSV, XLSX, "
    "DOCX and plain text, recognised from the bytes (they must agree with `media_type`), up to "
    "`COLLECTIONS_DOCUMENT_MAX_BYTES` (413 above). An owner not of the account, an empty file or "
    "a file name with a control character is refused with field errors and nothing is stored.",
    openapi_extra=BULK_BODY,
)
async def attach_document(
    principal: Worker, customer_id: uuid.UUID, body: DocumentUpload, session: CallerSession, request: Request
) -> Document:
    max_bytes = request.app.state.settings.document_max_bytes
    document = await service.attach(session, principal, customer_id, body, max_bytes=max_bytes)
    return Document.model_validate(document)


@router.post(
    "/v1/accounts/{customer_id}/documents/upload",
    status_code=201,
    summary="Attach a file sent as multipart/form-data (the same checks as the JSON upload)",
    description="Form fields `owner_kind`, `owner_id`, optional `description`, and one file part "
    "`file` whose file name and Content-Type are the document's. The type is recognised from the "
    "bytes; a body whose declared length is past `COLLECTIONS_DOCUMENT_MAX_BYTES` is refused (413) "
    "before it is read, a longer file while it is read. Nothing is stored when anything is wrong.",
    openapi_extra={**BULK_BODY, **MULTIPART_BODY},
    # the route reads its form itself (no body parameter): its body answers are declared here
    responses={
        413: PROBLEM_RESPONSES[413],
        415: {**PROBLEM_RESPONSES[415], "description": "Request body is not multipart/form-data"},
    },
)
async def upload_document(
    principal: Worker, customer_id: uuid.UUID, session: CallerSession, request: Request
) -> Document:
    max_bytes = request.app.state.settings.document_max_bytes
    fields, content = await read_upload(request, max_bytes)
    document = await service.store(
        session, principal, customer_id, fields, content, max_bytes=max_bytes, field="file"
    )
    return Document.model_validate(document)


@router.get(
    "/v1/accounts/{customer_id}/documents",
    summary="The account's documents, oldest first; `owner_kind` / `owner_id` narrow to one owner",
)
async def list_documents(
    _: Worker,
    customer_id: uuid.UUID,
    session: CallerSession,
    page: Paging,
    owner_kind: OwnerKind | None = None,
    owner_id: uuid.UUID | None = None,
) -> Page[Document]:
    await require_account(session, customer_id)
    after = decode_cursor(page.cursor, datetime, uuid.UUID) if page.cursor else None
    rows = await DocumentRepository(session).of_account(
        customer_id, owner_kind=owner_kind, owner_id=owner_id, limit=page.limit + 1, after=after
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.uploaded_at, r.id])
    return Page[Document](items=[Document.model_validate(r) for r in items], next_cursor=next_cursor)


@router.delete(
    "/v1/documents/{document_id}",
    summary="Delete a document: its uploader or a manager, while what it proves is open",
    description="Evidence is kept: a soft delete with who, when and `reason`. The document leaves "
    "the listings and the evidence of a credit memo request, and its reads and download answer 410 "
    "Gone (with who deleted it, when and why). Refused to others (403), once what it proves is "
    "closed (409 `case_closed`: a dispute or deduction case resolved or withdrawn, a promise judged "
    "kept, partially kept or broken, a payment plan completed or breached; an activity never "
    "closes), and for a document deleted already (410).",
)
async def delete_document(
    principal: Worker,
    document_id: uuid.UUID,
    session: CallerSession,
    reason: Annotated[Text, Query(min_length=1, max_length=1000, description="Why it is deleted")],
) -> DeletedDocument:
    document = await service.delete(
        session,
        principal,
        document_id,
        DocumentDeletion(reason=reason),
        is_manager=principal.has(MANAGE_SCOPE),
    )
    return DeletedDocument.model_validate(document)


@router.get("/v1/documents/{document_id}", summary="What is known about one document")
async def get_document(_: Worker, document_id: uuid.UUID, session: CallerSession) -> Document:
    return Document.model_validate(await service.require_document(session, document_id))


@router.get(
    "/v1/documents/{document_id}/content",
    summary="Download a document: its bytes, with its type and file name",
    response_class=Response,
    responses={
        200: {
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED_MEDIA_TYPES},
            "description": "The file's bytes, with the type they were checked to be (text types in UTF-8)",
        }
    },
)
async def download_document(_: Worker, document_id: uuid.UUID, session: CallerSession) -> Response:
    document = await service.require_document(session, document_id, with_content=True)
    return Response(
        document.content,
        media_type=document.media_type,  # text types get `charset=utf-8` (their bytes were checked UTF-8)
        headers={
            "Content-Disposition": content_disposition(document.filename),
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{document.sha256}"',
        },
    )


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

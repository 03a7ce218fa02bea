"""Reading a multipart/form-data upload: the form fields and the one file part, with the size cap
held before the body is read (its declared length) and while the file is read (never more than
the cap and one byte; python-multipart spools a large part to disk, not to memory)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ar_collections.documents.schemas import DocumentFields
from ar_collections.documents.service import too_large
from ar_shared.problems import FieldError, ProblemError, Unprocessable

FORM_OVERHEAD: Final = 65_536
"""Bytes a multipart body takes besides the file (boundaries, part headers, the other fields)."""
TEXT_FIELDS: Final = ("owner_kind", "owner_id", "description")

# the request body of the upload, for OpenAPI (the route reads the form itself)
MULTIPART_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["owner_kind", "owner_id", "file"],
                    "properties": {
                        "owner_kind": {"type": "string", "enum": ["dispute", "promise", "plan", "activity"]},
                        "owner_id": {"type": "string", "format": "uuid"},
                        "description": {"type": "string", "maxLength": 4000},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The file; its part's file name and Content-Type are the "
                            "document's name and declared type",
                        },
                    },
                }
            }
        },
    }
}


async def read_upload(request: Request, max_bytes: int) -> tuple[DocumentFields, bytes]:
    """The fields and the bytes of the one file of a multipart upload, or a problem."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        raise ProblemError(
            "this route takes a multipart/form-data body",
            status=415,
            code="unsupported_media_type",
            title="Unsupported media type",
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes + FORM_OVERHEAD:
        raise too_large(max_bytes, "file")  # refused before a byte of it is read
    async with request.form(max_files=1, max_fields=len(TEXT_FIELDS), max_part_size=16_384) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Unprocessable(
                "the upload has no file",
                code="file_missing",
                errors=[FieldError(field="file", message="a file part named `file`", code="file_missing")],
            )
        values = {k: v for k in TEXT_FIELDS if isinstance(v := form.get(k), str)}
        try:
            fields = DocumentFields.model_validate(
                {**values, "filename": file.filename or "", "media_type": file.content_type or ""}
            )
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
        content = await file.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise too_large(max_bytes, "file", file.size)
    return fields, content

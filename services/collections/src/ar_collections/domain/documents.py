"""Which files a collector may attach as evidence: the allow-listed media types, recognised from
the bytes themselves (a declared type is believed only when the content agrees with it); and who
may withdraw one. Evidence is kept: a withdrawal (a soft delete with who, when and why) hides the
document from listings and downloads, and only its uploader or a manager may make it, while what
it proves is still open to changes. `owner_closed` is the one home of what "closed" means for each
kind of owner: a dispute or deduction case once resolved or withdrawn, a promise to pay once judged
(kept, partially kept or broken; a reversal that reopens a kept promise opens it again), a payment
plan once completed or breached. An activity is a record of what happened, without a lifecycle:
it never closes, so its evidence may be withdrawn at any time."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Final

from ar_collections.domain.disputes import FINAL as CASE_FINAL
from ar_collections.domain.promises import JUDGED as PROMISE_FINAL
from ar_collections.domain.promises import PLAN_FINAL

PDF: Final = "application/pdf"
PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
TIFF: Final = "image/tiff"
CSV: Final = "text/csv"
TEXT: Final = "text/plain"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ALLOWED_MEDIA_TYPES: Final = (PDF, PNG, JPEG, TIFF, CSV, XLSX, DOCX, TEXT)

_SIGNATURES: Final = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_ZIP: Final = b"PK\x03\x04"
# the part an Office Open XML package keeps its main document in
_OFFICE_PARTS: Final = (("xl/workbook.xml", XLSX), ("word/document.xml", DOCX))
_TEXT_TYPES: Final = frozenset({CSV, TEXT})


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def content_type(content: bytes) -> str | None:
    """The allow-listed type the bytes are (text: `text/plain`, since CSV is text), else None."""
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content.startswith(_ZIP):
        return _office_type(content)
    return TEXT if _is_text(content) else None


def _office_type(content: bytes) -> str | None:
    # the central directory only: nothing is decompressed, so a zip bomb costs nothing here
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((media_type for part, media_type in _OFFICE_PARTS if part in names), None)


def _is_text(content: bytes) -> bool:
    """UTF-8 without NUL or C0 controls other than tab, line feed, carriage return and form feed."""
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in decoded)


def refusal(declared: str, content: bytes, max_bytes: int) -> Refusal | None:
    """Why a file declared as `declared` may not be attached, or None when it may."""
    if not content:
        return Refusal("empty_file", "the file is empty")
    if len(content) > max_bytes:
        return Refusal("too_large", f"the file has {len(content)} bytes; at most {max_bytes} are accepted")
    declared = declared.split(";", 1)[0].strip().lower()
    if declared not in ALLOWED_MEDIA_TYPES:
        allowed = ", ".join(ALLOWED_MEDIA_TYPES)
        return Refusal("type_not_allowed", f"{declared!r} is not an accepted type ({allowed})")
    found = content_type(content)
    if found is None:
        return Refusal("content_not_allowed", "the content is none of the accepted types")
    if found != declared and not (found == TEXT and declared in _TEXT_TYPES):
        return Refusal("type_mismatch", f"declared {declared} but the content is {found}")
    return None


def stored_type(declared: str) -> str:
    """The media type a file is stored and served with (the declared one, without parameters)."""
    return declared.split(";", 1)[0].strip().lower()


CLOSED_STATUSES: Final[dict[str, frozenset[str]]] = {
    "dispute": CASE_FINAL,
    "promise": PROMISE_FINAL,
    "plan": PLAN_FINAL,
    "activity": frozenset(),  # no lifecycle: never closed
}
"""Per kind of owner, the terminal statuses in which its evidence stays."""


def owner_closed(owner_kind: str, status: str | None) -> bool:
    """Whether a document's owner (of `owner_kind`, in `status`; None: it has none) is closed."""
    return status is not None and status in CLOSED_STATUSES[owner_kind]


@dataclass(frozen=True)
class DeletionRefusal:
    status: int
    code: str
    message: str


def deletion_refusal(
    *, uploaded_by: str, subject: str, is_manager: bool, owner_closed: bool, deleted: bool
) -> DeletionRefusal | None:
    """Why `subject` may not withdraw the document, or None when they may."""
    if deleted:
        return DeletionRefusal(410, "document_deleted", "the document was deleted already")
    if subject != uploaded_by and not is_manager:
        return DeletionRefusal(403, "not_uploader", "only its uploader or a manager may delete a document")
    if owner_closed:
        return DeletionRefusal(
            409, "case_closed", "the case, promise or plan it proves is closed: its evidence stays"
        )
    return None

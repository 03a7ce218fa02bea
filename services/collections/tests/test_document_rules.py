"""Which evidence files are accepted: the allow-listed types recognised from their bytes, the
declared type believed only when the bytes agree, empty and oversized files refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ar_collections.config import CollectionsSettings
from ar_collections.domain.documents import (
    ALLOWED_MEDIA_TYPES,
    CSV,
    DOCX,
    JPEG,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
    content_type,
    deletion_refusal,
    owner_closed,
    refusal,
)
from ar_collections.models.disputes import CASE_STATUSES
from ar_collections.models.promises import PLAN_STATUSES, PROMISE_STATUSES

LIMIT = 1_000_000


def office_package(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return buffer.getvalue()


SAMPLES = {
    PDF: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    PNG: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    JPEG: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    TIFF: b"II*\x00\x08\x00\x00\x00",
    XLSX: office_package("xl/workbook.xml"),
    DOCX: office_package("word/document.xml"),
    TEXT: "Lieferschein 4711 für Müller, geliefert\r\n".encode(),
}


@pytest.mark.parametrize("media_type", sorted(SAMPLES))
def test_each_accepted_type_is_recognised_from_its_bytes(media_type: str) -> None:
    assert content_type(SAMPLES[media_type]) == media_type
    assert refusal(media_type, SAMPLES[media_type], LIMIT) is None


def test_big_endian_tiff_is_a_tiff() -> None:
    assert content_type(b"MM\x00*\x00\x00\x00\x08") == TIFF


def test_text_may_be_declared_csv_or_plain_text() -> None:
    content = b"invoice,amount\nINV-1,100.00\n"
    assert refusal(CSV, content, LIMIT) is None
    assert refusal(TEXT, content, LIMIT) is None
    assert refusal("text/csv; charset=utf-8", content, LIMIT) is None


@pytest.mark.parametrize(
    ("declared", "content", "code"),
    [
        (PNG, SAMPLES[PDF], "type_mismatch"),
        (PDF, SAMPLES[XLSX], "type_mismatch"),
        (CSV, SAMPLES[PNG], "type_mismatch"),
        (XLSX, SAMPLES[DOCX], "type_mismatch"),
        ("application/zip", SAMPLES[XLSX], "type_not_allowed"),
        ("application/x-msdownload", b"MZ\x90\x00", "type_not_allowed"),
        (PDF, b"MZ\x90\x00\x03\x00\x00\x00", "content_not_allowed"),
        (TEXT, b"plain\x00text", "content_not_allowed"),
        (TEXT, b"\xff\xfe not utf-8", "content_not_allowed"),
        (XLSX, b"PK\x03\x04 not really a zip", "content_not_allowed"),
        (PDF, b"", "empty_file"),
    ],
)
def test_a_file_whose_bytes_are_not_what_is_accepted_is_refused(
    declared: str, content: bytes, code: str
) -> None:
    refused = refusal(declared, content, LIMIT)
    assert refused is not None
    assert refused.code == code


def test_a_zip_that_is_no_office_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("payload.exe", "MZ")
    assert content_type(buffer.getvalue()) is None


def test_a_file_above_the_cap_is_refused_and_one_at_the_cap_accepted() -> None:
    at_cap = b"a" * 100
    assert refusal(TEXT, at_cap, 100) is None
    refused = refusal(TEXT, at_cap + b"a", 100)
    assert refused is not None
    assert refused.code == "too_large"


@given(st.binary(max_size=512), st.sampled_from(ALLOWED_MEDIA_TYPES))
def test_an_accepted_file_always_has_bytes_of_its_declared_type(content: bytes, declared: str) -> None:
    if refusal(declared, content, LIMIT) is None:
        found = content_type(content)
        assert found == declared or (found == TEXT and declared in (CSV, TEXT))


@given(st.binary(max_size=512), st.sampled_from(sorted(set(ALLOWED_MEDIA_TYPES) - {PDF})))
def test_pdf_bytes_are_never_accepted_as_another_type(tail: bytes, declared: str) -> None:
    refused = refusal(declared, b"%PDF-" + tail, LIMIT)
    assert refused is not None


def test_a_document_cap_whose_base64_would_not_fit_the_bulk_body_cap_is_refused_at_start() -> None:
    assert CollectionsSettings(document_max_bytes=10_485_760).document_max_bytes == 10_485_760
    with pytest.raises(ValidationError, match="needs a bulk body cap"):
        CollectionsSettings(document_max_bytes=13_000_000)
    assert CollectionsSettings(document_max_bytes=13_000_000, max_bulk_body_bytes=20_000_000)


def test_a_document_is_withdrawn_by_its_uploader_or_a_manager_while_its_case_is_open() -> None:
    def refused(**change: object) -> str | None:
        facts: dict[str, object] = {
            "uploaded_by": "anna",
            "subject": "anna",
            "is_manager": False,
            "owner_closed": False,
            "deleted": False,
        } | change
        refusal = deletion_refusal(**facts)  # type: ignore[arg-type]
        return None if refusal is None else f"{refusal.status} {refusal.code}"

    assert refused() is None
    assert refused(subject="manager", is_manager=True) is None
    assert refused(subject="ben") == "403 not_uploader"
    assert refused(owner_closed=True) == "409 case_closed"
    assert refused(subject="manager", is_manager=True, owner_closed=True) == "409 case_closed"
    assert refused(deleted=True, subject="ben") == "410 document_deleted"  # gone first, to everyone


def test_what_closes_an_owner_is_its_terminal_status_for_every_kind() -> None:
    closed = {
        "dispute": {s for s in CASE_STATUSES if owner_closed("dispute", s)},
        "promise": {s for s in PROMISE_STATUSES if owner_closed("promise", s)},
        "plan": {s for s in PLAN_STATUSES if owner_closed("plan", s)},
    }
    assert closed == {
        "dispute": {"resolved_valid", "resolved_invalid", "withdrawn"},
        "promise": {"kept", "partially_kept", "broken"},
        "plan": {"completed", "breached"},
    }
    assert not owner_closed("activity", None)  # no lifecycle: never closed
    assert not any(owner_closed(kind, None) for kind in ("dispute", "promise", "plan"))

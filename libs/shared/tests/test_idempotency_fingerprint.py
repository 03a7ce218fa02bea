"""The request fingerprint an Idempotency-Key is held to: a body compared by content.

Pure (no database): JSON by content, multipart/form-data by its parts whatever its boundary and
whatever the order of its fields, anything else byte for byte."""

from __future__ import annotations

import hashlib

from ar_shared.idempotency import FormPart, multipart_content, request_fingerprint

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def form(boundary: str, parts: list[tuple[str, str | None, str | None, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type: (name, file name, type, bytes) per part."""
    body = b""
    for name, filename, content_type, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if content_type is not None:
            body += f"Content-Type: {content_type}\r\n".encode()
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


UPLOAD = [
    ("owner_kind", None, None, b"dispute"),
    ("owner_id", None, None, b"0b8e6c1e-2f0a-4d5e-9a57-3c1d2b4e5f60"),
    ("file", "pod.pdf", "application/pdf", PDF),
]


def fingerprint(boundary: str, parts: list[tuple[str, str | None, str | None, bytes]]) -> str:
    body, content_type = form(boundary, parts)
    return request_fingerprint("POST", "/v1/upload", "", body, content_type)


def test_a_multipart_body_is_read_as_its_parts_in_name_order_with_each_parts_digest() -> None:
    body, content_type = form("b0undary", UPLOAD)
    assert multipart_content(body, content_type) == [
        FormPart(b"file", b"pod.pdf", b"application/pdf", hashlib.sha256(PDF).digest()),
        FormPart(b"owner_id", None, None, hashlib.sha256(UPLOAD[1][3]).digest()),
        FormPart(b"owner_kind", None, None, hashlib.sha256(b"dispute").digest()),
    ]


def test_the_same_form_under_another_boundary_or_field_order_has_the_same_fingerprint() -> None:
    first = fingerprint("first-attempt", UPLOAD)
    assert fingerprint("retry-9c2e41", UPLOAD) == first
    assert fingerprint("reordered", list(reversed(UPLOAD))) == first


def test_another_value_file_name_type_or_file_has_another_fingerprint() -> None:
    first = fingerprint("b", UPLOAD)
    changed = [
        [("owner_kind", None, None, b"promise"), *UPLOAD[1:]],
        [*UPLOAD[:2], ("file", "other.pdf", "application/pdf", PDF)],
        [*UPLOAD[:2], ("file", "pod.pdf", "text/plain", PDF)],
        [*UPLOAD[:2], ("file", "pod.pdf", "application/pdf", PDF + b"x")],
        [*UPLOAD[:2], ("file", None, "application/pdf", PDF)],  # a field, not a file
        [*UPLOAD, ("description", None, None, b"")],  # one more (empty) field
        UPLOAD[:2],  # no file
    ]
    prints = {fingerprint("b", parts) for parts in changed}
    assert first not in prints
    assert len(prints) == len(changed)


def test_other_bodies_are_unchanged_json_by_content_and_broken_multipart_byte_for_byte() -> None:
    assert request_fingerprint("POST", "/p", "", b'{"a": 1, "b": 2}', "application/json") == (
        request_fingerprint("POST", "/p", "", b'{"b":2,"a":1}', "application/json")
    )
    assert request_fingerprint("POST", "/p", "", b'{"a": 1}') == request_fingerprint(
        "POST", "/p", "", b'{"a":1}'
    )
    body, content_type = form("b", UPLOAD)
    # not multipart by its Content-Type: its bytes count, boundary and all
    assert request_fingerprint("POST", "/p", "", body, "text/plain") != request_fingerprint(
        "POST", "/p", "", form("c", UPLOAD)[0], "text/plain"
    )
    # no boundary, or a body that is not multipart: compared byte for byte, never equal to a parsed form
    assert multipart_content(body, "multipart/form-data") is None
    assert multipart_content(b"not multipart at all", content_type) is None
    assert request_fingerprint("POST", "/p", "", b"garbage", content_type) == request_fingerprint(
        "POST", "/p", "", b"garbage", content_type
    )
    assert request_fingerprint("POST", "/p", "", b"garbage", content_type) != request_fingerprint(
        "POST", "/p", "", b"garbage!", content_type
    )

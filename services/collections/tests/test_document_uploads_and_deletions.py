"""Evidence documents sent as multipart/form-data (the same checks as the base64 JSON upload: the
type by content, the size cap, the owner on the account; refused whole, nothing stored) and
deleted: a soft delete by the uploader or a manager while the case is open, with who, when and
why; the document leaves the listings and the credit memo request's evidence, its reads answer 410
Gone; refused to other collectors, once the case is closed, or twice (nothing written)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_collections.models import Document, plumbing
from ar_collections.testing import Book, money
from ar_shared.testing.http import assert_problem

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


async def disputed_account(
    client: httpx.AsyncClient, headers: dict[str, str], book: Book, portfolio_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, str]:
    """An account on an entity standing at D with one invoice in an open dispute case."""
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    customer_id = await book.account(entity=entity, portfolio_id=portfolio_id)
    invoice = await book.invoice(customer_id, due=D - timedelta(days=20), amount="500.00", entity=entity)
    body = {
        "items": [{"invoice_id": str(invoice), "amount": {"amount": "120.00", "currency": "EUR"}}],
        "reason_code": "pricing",
    }
    case = await client.post(f"/v1/accounts/{customer_id}/disputes", json=body, headers=headers)
    assert case.status_code == 201, case.text
    return customer_id, case.json()["id"]


@pytest.fixture
async def disputed(client: httpx.AsyncClient, manager: dict[str, str], book: Book) -> tuple[uuid.UUID, str]:
    """`disputed_account` opened by the manager: the account and its open dispute case."""
    return await disputed_account(client, manager, book)


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    customer_id: uuid.UUID,
    case_id: str,
    content: bytes = PDF,
    *,
    filename: str = "proof-of-delivery.pdf",
    media_type: str = "application/pdf",
    omit: tuple[str, ...] = (),
    **fields: str,
) -> httpx.Response:
    data = {"owner_kind": "dispute", "owner_id": case_id, **fields}
    files = {"file": (filename, content, media_type)}
    return await client.post(
        f"/v1/accounts/{customer_id}/documents/upload",
        data={k: v for k, v in data.items() if k not in omit},
        files={"attachment": files["file"]} if "file" in omit else files,  # still multipart
        headers=headers,
    )


async def stored(book: Book) -> tuple[int, int, int]:
    """Documents, deleted documents, audit records."""
    async with book.session() as session:
        documents = await session.scalar(select(func.count()).select_from(Document)) or 0
        deleted = await session.scalar(select(func.count()).where(Document.deleted_at.is_not(None))) or 0
        audits = await session.scalar(select(func.count()).select_from(plumbing.audit_log)) or 0
    return documents, deleted, audits


async def listed(client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID) -> list[str]:
    response = await client.get(f"/v1/accounts/{customer_id}/documents", headers=headers)
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["items"]]


async def test_a_multipart_upload_is_stored_listed_and_downloads_byte_for_byte(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    customer_id, case_id = disputed
    response = await send(client, manager, customer_id, case_id, description="signed POD")
    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["filename"], document["media_type"], document["size_bytes"]) == (
        "proof-of-delivery.pdf",
        "application/pdf",
        len(PDF),
    )
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (document["owner_kind"], document["owner_id"], document["description"]) == (
        "dispute",
        case_id,
        "signed POD",
    )
    assert await listed(client, manager, customer_id) == [document["id"]]
    download = await client.get(f"/v1/documents/{document['id']}/content", headers=manager)
    assert download.content == PDF


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"content": PNG}, 422, "type_mismatch", "media_type"),
        ({"media_type": "application/x-msdownload"}, 422, "type_not_allowed", "media_type"),
        ({"content": b""}, 422, "empty_file", "file"),
        ({"content": PDF + b"x" * 2000}, 413, "too_large", "file"),
        ({"owner_id": str(uuid.uuid4())}, 422, "unknown_owner", "owner_id"),
        ({"omit": ("file",)}, 422, "file_missing", "file"),
        ({"omit": ("owner_id",)}, 422, "validation_error", "owner_id"),
        ({"owner_kind": "invoice"}, 422, "validation_error", "owner_kind"),
        ({"filename": "..", "media_type": "application/pdf"}, 422, "validation_error", "filename"),
    ],
)
async def test_bad_multipart_uploads_are_refused_whole_and_nothing_is_written(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
    collections_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    monkeypatch.setattr(collections_app.state.settings, "document_max_bytes", 1024)
    customer_id, case_id = disputed
    before = await stored(book)
    response = await send(client, manager, customer_id, case_id, **change)
    problem = assert_problem(response, status, code)
    assert field in {e["field"] for e in problem["errors"]}, problem
    assert await stored(book) == before


async def test_an_upload_declared_past_the_cap_is_refused_before_it_is_read_and_json_is_not_multipart(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
    collections_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collections_app.state.settings, "document_max_bytes", 1024)
    customer_id, case_id = disputed
    before = await stored(book)
    oversize = await send(client, manager, customer_id, case_id, PDF + b"x" * 100_000)
    assert assert_problem(oversize, 413, "too_large")["errors"][0]["field"] == "file"
    as_json = await client.post(
        f"/v1/accounts/{customer_id}/documents/upload",
        json={"owner_kind": "dispute", "owner_id": case_id},
        headers=manager,
    )
    assert_problem(as_json, 415, "unsupported_media_type")
    assert await stored(book) == before


async def test_the_uploader_deletes_a_document_it_is_kept_but_gone_with_who_when_and_why(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    anna = await book.portfolio(await book.collector("collector-anna"))
    customer_id, case_id = await disputed_account(client, collector, book, portfolio_id=anna)
    kept = (await send(client, collector, customer_id, case_id, filename="kept.pdf")).json()
    document = (await send(client, collector, customer_id, case_id)).json()
    documents, deleted, audits = await stored(book)

    response = await client.delete(
        f"/v1/documents/{document['id']}", params={"reason": "uploaded to the wrong case"}, headers=collector
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["deleted_by"], body["deletion_reason"]) == ("collector-anna", "uploaded to the wrong case")
    assert body["deleted_at"] is not None
    assert await stored(book) == (documents, deleted + 1, audits + 1)  # kept, marked, audited

    assert await listed(client, collector, customer_id) == [kept["id"]]
    for path in (f"/v1/documents/{document['id']}", f"/v1/documents/{document['id']}/content"):
        gone = assert_problem(await client.get(path, headers=manager), 410, "document_deleted")
        assert (gone["deleted_by"], gone["deletion_reason"]) == (
            "collector-anna",
            "uploaded to the wrong case",
        )
        assert "PDF" not in str(gone)
    again = await client.delete(
        f"/v1/documents/{document['id']}", params={"reason": "again"}, headers=manager
    )
    assert_problem(again, 410, "document_deleted")
    assert await stored(book) == (documents, deleted + 1, audits + 1)

    # a valid resolution's credit memo request carries the documents still standing only
    resolved = await client.post(
        f"/v1/disputes/{case_id}/status",
        json={"status": "resolved_valid", "root_cause_code": "billing_error"},
        headers=manager,
    )
    assert resolved.status_code == 200, resolved.text
    (requested,) = await book.emitted(customer_id, "CreditMemoRequested")
    assert requested["document_ids"] == [kept["id"]]


async def test_a_document_is_deleted_only_by_its_uploader_or_a_manager_and_never_after_the_case_closes(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    anna = await book.portfolio(await book.collector("collector-anna"))
    customer_id, case_id = await disputed_account(client, collector, book, portfolio_id=anna)
    by_manager = (await send(client, manager, customer_id, case_id, filename="manager.pdf")).json()
    by_anna = (await send(client, collector, customer_id, case_id, filename="anna.pdf")).json()
    last = (await send(client, collector, customer_id, case_id, filename="last.pdf")).json()
    before = await stored(book)

    refused = await client.delete(
        f"/v1/documents/{by_manager['id']}", params={"reason": "not mine"}, headers=collector
    )
    assert_problem(refused, 403, "not_uploader")
    no_reason = await client.delete(f"/v1/documents/{by_anna['id']}", headers=collector)
    assert_problem(no_reason, 422, "validation_error")
    unknown = await client.delete(f"/v1/documents/{uuid.uuid4()}", params={"reason": "x"}, headers=manager)
    assert_problem(unknown, 404, "document_not_found")
    assert await stored(book) == before

    managed = await client.delete(
        f"/v1/documents/{by_anna['id']}", params={"reason": "duplicate"}, headers=manager
    )
    assert managed.status_code == 200, managed.text
    assert managed.json()["deleted_by"] == "collections-manager"

    withdrawn = await client.post(
        f"/v1/disputes/{case_id}/status", json={"status": "withdrawn"}, headers=manager
    )
    assert withdrawn.status_code == 200, withdrawn.text
    before = await stored(book)
    closed = await client.delete(f"/v1/documents/{last['id']}", params={"reason": "tidy up"}, headers=manager)
    assert_problem(closed, 409, "case_closed")
    assert await stored(book) == before
    assert sorted(await listed(client, manager, customer_id)) == sorted([by_manager["id"], last["id"]])


async def closing_owner(
    client: httpx.AsyncClient, headers: dict[str, str], book: Book, kind: str, closes_as: str
) -> tuple[uuid.UUID, str, Callable[[], Awaitable[None]]]:
    """An account on an entity standing at D with one invoice of 500.00 and an open promise or plan
    over it: the account, the owner's id, and what closes the owner as `closes_as`."""
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    customer_id = await book.account(entity=entity)
    invoice = await book.invoice(customer_id, due=D - timedelta(days=20), amount="500.00", entity=entity)
    if kind == "promise":
        body: dict[str, Any] = {
            "amount": money("100.00").model_dump(),
            "promised_date": D.isoformat(),
            "invoice_ids": [str(invoice)],
            "tolerance_days": 0,
            "channel": "call",
        }
    else:
        body = {
            "invoice_ids": [str(invoice)],
            "instalments": [
                {
                    "due_date": (D + timedelta(days=n)).isoformat(),
                    "amount": {"amount": "250.00", "currency": "EUR"},
                }
                for n in (1, 10)
            ],
            "tolerance_days": 0,
        }
    path = "promises" if kind == "promise" else "payment-plans"
    created = await client.post(f"/v1/accounts/{customer_id}/{path}", json=body, headers=headers)
    assert created.status_code == 201, created.text

    async def close() -> None:
        if closes_as in ("kept", "completed"):  # paid in full
            paid = "100.00" if kind == "promise" else "500.00"
            await book.pay(customer_id, invoice, paid, format(Decimal("500.00") - Decimal(paid)), D)
        else:  # nothing paid: the day after the (first) deadline breaks it
            await book.business_date(entity, D + timedelta(days=2))
        owner = await client.get(f"/v1/accounts/{customer_id}/{path}/{created.json()['id']}", headers=headers)
        assert owner.json()["status"] == closes_as, owner.text

    return customer_id, created.json()["id"], close


@pytest.mark.parametrize(
    ("kind", "closes_as"),
    [("promise", "kept"), ("promise", "broken"), ("plan", "completed"), ("plan", "breached")],
)
async def test_a_promise_or_plan_once_closed_keeps_its_documents(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book, kind: str, closes_as: str
) -> None:
    customer_id, owner_id, close = await closing_owner(client, manager, book, kind, closes_as)
    withdrawn, kept = [
        (await send(client, manager, customer_id, owner_id, owner_kind=kind, filename=name)).json()
        for name in ("wrong.pdf", "signed.pdf")
    ]
    # while it is open, its documents may be withdrawn
    allowed = await client.delete(
        f"/v1/documents/{withdrawn['id']}", params={"reason": "wrong"}, headers=manager
    )
    assert allowed.status_code == 200, allowed.text

    await close()
    before = await stored(book)
    refused = await client.delete(
        f"/v1/documents/{kept['id']}", params={"reason": "tidy up"}, headers=manager
    )
    assert_problem(refused, 409, "case_closed")
    assert await stored(book) == before
    assert await listed(client, manager, customer_id) == [kept["id"]]


async def test_an_activity_never_closes_its_evidence_may_always_be_withdrawn(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    customer_id, _ = disputed
    activity = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "note", "summary": "PO received"},
        headers=manager,
    )
    assert activity.status_code == 201, activity.text
    document = (await send(client, manager, customer_id, activity.json()["id"], owner_kind="activity")).json()
    documents, deleted, audits = await stored(book)
    response = await client.delete(
        f"/v1/documents/{document['id']}", params={"reason": "dup"}, headers=manager
    )
    assert response.status_code == 200, response.text
    assert await stored(book) == (documents, deleted + 1, audits + 1)


def multipart(boundary: str, case_id: str, content: bytes = PDF, filename: str = "pod.pdf") -> bytes:
    """An upload's body written by hand, so the test picks its boundary."""
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="owner_kind"\r\n\r\ndispute\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="owner_id"\r\n\r\n{case_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def test_a_retried_multipart_upload_with_its_idempotency_key_stores_the_file_once(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    customer_id, case_id = disputed
    key = str(uuid.uuid4())
    path = f"/v1/accounts/{customer_id}/documents/upload"

    def headers(boundary: str) -> dict[str, str]:
        return manager | {"content-type": f"multipart/form-data; boundary={boundary}", "idempotency-key": key}

    first = await client.post(
        path, content=multipart("first-attempt", case_id), headers=headers("first-attempt")
    )
    assert first.status_code == 201, first.text
    before = await stored(book)
    # the same upload again, and once more as a client retrying after a timeout writes it: a new boundary
    for boundary in ("first-attempt", "retry-after-timeout-7f3a"):
        again = await client.post(path, content=multipart(boundary, case_id), headers=headers(boundary))
        assert again.status_code == 201, again.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert await stored(book) == before

    # another file (or the same bytes under another name) with that key is another request
    for content, filename in ((PDF + b"%another\n", "pod.pdf"), (PDF, "other.pdf")):
        boundary = "another-file"
        other = await client.post(
            path, content=multipart(boundary, case_id, content, filename), headers=headers(boundary)
        )
        assert_problem(other, 422, "idempotency_key_reused")
        assert await stored(book) == before

"""Evidence documents: attached to a dispute case, a promise, a payment plan or an activity of the
account, stored with their SHA-256 and audited; listed per account and per owner; downloaded byte
for byte with their type and file name by whoever may see the account (another portfolio's
collector gets 404); refused whole (nothing stored, nothing audited) when the owner is unknown,
the type is wrong, the file is empty or too large, or the file name holds a control character; a
valid dispute's credit memo request carries its documents."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_collections.config import CollectionsSettings
from ar_collections.models import Document, plumbing
from ar_collections.testing import Book, money
from ar_shared.clock import Clock
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.fixture
def ben(collections_settings: CollectionsSettings, clock: Clock) -> dict[str, str]:
    return bearer(collections_settings.auth, "collections:work", subject="collector-ben", clock=clock)


async def disputed_account(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    book: Book,
    portfolio_id: uuid.UUID | None = None,
    undisputed: list[uuid.UUID] | None = None,
) -> tuple[uuid.UUID, str]:
    """An account on an entity standing at D, with one invoice in an open dispute case and one
    of 200.00 outside it (its id appended to `undisputed`)."""
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    customer_id = await book.account(entity=entity, portfolio_id=portfolio_id)
    invoice = await book.invoice(customer_id, due=D - timedelta(days=20), amount="500.00", entity=entity)
    free = await book.invoice(customer_id, due=D - timedelta(days=10), amount="200.00", entity=entity)
    if undisputed is not None:
        undisputed.append(free)
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


def upload(owner_kind: str, owner_id: str, content: bytes = PDF, **extra: Any) -> dict[str, Any]:
    return {
        "owner_kind": owner_kind,
        "owner_id": owner_id,
        "filename": "proof-of-delivery.pdf",
        "media_type": "application/pdf",
        "content_base64": base64.b64encode(content).decode(),
        **extra,
    }


async def attach(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/v1/accounts/{customer_id}/documents", json=body, headers=headers)


async def stored(book: Book) -> tuple[int, int]:
    async with book.session() as session:
        documents = await session.scalar(select(func.count()).select_from(Document)) or 0
        audits = await session.scalar(select(func.count()).select_from(plumbing.audit_log)) or 0
    return documents, audits


async def test_a_pdf_attached_to_a_dispute_is_listed_and_downloads_byte_for_byte(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    customer_id, case_id = disputed
    response = await attach(
        client, manager, customer_id, upload("dispute", case_id, description="signed POD")
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert document["size_bytes"] == len(PDF)
    assert document["media_type"] == "application/pdf"
    assert (document["owner_kind"], document["owner_id"]) == ("dispute", case_id)
    assert document["uploaded_by"] == "collections-manager"
    assert "content_base64" not in document

    listed = await client.get(f"/v1/accounts/{customer_id}/documents", headers=manager)
    assert [d["id"] for d in listed.json()["items"]] == [document["id"]]
    per_owner = await client.get(
        f"/v1/accounts/{customer_id}/documents",
        params={"owner_kind": "dispute", "owner_id": case_id},
        headers=manager,
    )
    assert [d["id"] for d in per_owner.json()["items"]] == [document["id"]]
    other_owner = await client.get(
        f"/v1/accounts/{customer_id}/documents", params={"owner_kind": "activity"}, headers=manager
    )
    assert other_owner.json()["items"] == []

    download = await client.get(f"/v1/documents/{document['id']}/content", headers=manager)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"proof-of-delivery.pdf\"; filename*=UTF-8''proof-of-delivery.pdf"
    )
    metadata = await client.get(f"/v1/documents/{document['id']}", headers=manager)
    assert metadata.json() == document

    async with book.session() as session:
        actions = (
            await session.scalars(
                select(plumbing.audit_log.c.action).where(plumbing.audit_log.c.entity_id == str(customer_id))
            )
        ).all()
    assert "document.attached" in actions


async def test_activities_promises_and_plans_take_documents_too(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    undisputed: list[uuid.UUID] = []
    customer_id, _ = await disputed_account(client, manager, book, undisputed=undisputed)
    activity = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "note", "summary": "PO received"},
        headers=manager,
    )
    assert activity.status_code == 201, activity.text
    promise = await client.post(
        f"/v1/accounts/{customer_id}/promises",
        json={
            "amount": money("50.00").model_dump(mode="json"),
            "promised_date": D.isoformat(),
            "channel": "call",
        },
        headers=manager,
    )
    assert promise.status_code == 201, promise.text
    plan = await client.post(
        f"/v1/accounts/{customer_id}/payment-plans",
        json={
            "invoice_ids": [str(undisputed[0])],
            "instalments": [
                {
                    "due_date": (D + timedelta(days=30 * n)).isoformat(),
                    "amount": {"amount": "100.00", "currency": "EUR"},
                }
                for n in (1, 2)
            ],
        },
        headers=manager,
    )
    assert plan.status_code == 201, plan.text
    text = b"invoice,amount\nINV-1,100.00\n"
    csv_body = upload(
        "activity", activity.json()["id"], text, filename="Bestellung Müller.csv", media_type="text/csv"
    )
    attached = await attach(client, manager, customer_id, csv_body)
    assert attached.status_code == 201, attached.text
    png_body = upload("promise", promise.json()["id"], PNG, filename="signed.png", media_type="image/png")
    assert (await attach(client, manager, customer_id, png_body)).status_code == 201
    signed = upload("plan", plan.json()["id"], filename="signed plan.pdf")
    assert (await attach(client, manager, customer_id, signed)).status_code == 201

    download = await client.get(f"/v1/documents/{attached.json()['id']}/content", headers=manager)
    assert download.content == text
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Bestellung M_ller.csv\"; filename*=UTF-8''Bestellung%20M%C3%BCller.csv"
    )
    listed = await client.get(
        f"/v1/accounts/{customer_id}/documents", params={"owner_kind": "promise"}, headers=manager
    )
    assert [d["filename"] for d in listed.json()["items"]] == ["signed.png"]
    everything = await client.get(f"/v1/accounts/{customer_id}/documents", headers=manager)
    assert {d["owner_kind"] for d in everything.json()["items"]} == {"activity", "promise", "plan"}


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"owner_id": str(uuid.uuid4())}, 422, "unknown_owner", "owner_id"),
        ({"owner_kind": "promise"}, 422, "unknown_owner", "owner_id"),
        ({"media_type": "image/png"}, 422, "type_mismatch", "media_type"),
        ({"media_type": "application/zip"}, 422, "type_not_allowed", "media_type"),
        (
            {"content_base64": base64.b64encode(b"MZ\x90\x00\x03").decode()},
            422,
            "content_not_allowed",
            "content_base64",
        ),
        ({"content_base64": ""}, 422, "empty_file", "content_base64"),
        ({"content_base64": "not base64!"}, 422, "not_base64", "content_base64"),
        (
            {"content_base64": base64.b64encode(b"%PDF-" + b"x" * 2000).decode()},
            413,
            "too_large",
            "content_base64",
        ),
        ({"filename": "proof\x00.pdf"}, 422, "validation_error", "filename"),
        ({"filename": "../../etc/passwd"}, 422, "validation_error", "filename"),
    ],
)
async def test_bad_uploads_are_refused_whole_and_nothing_is_written(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
    collections_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, str],
    status: int,
    code: str,
    field: str,
) -> None:
    monkeypatch.setattr(collections_app.state.settings, "document_max_bytes", 1024)
    customer_id, case_id = disputed
    before = await stored(book)
    response = await attach(client, manager, customer_id, {**upload("dispute", case_id), **change})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert field in {e["field"] for e in problem["errors"]}
    assert await stored(book) == before


async def test_a_file_larger_than_an_ordinary_body_is_taken_up_to_the_document_cap(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    # 3 MB: its base64 is over the 1 MiB cap of ordinary bodies, under the default 10 MiB
    content = PDF + bytes(range(256)) * (3_000_000 // 256)
    customer_id, case_id = disputed
    response = await attach(client, manager, customer_id, upload("dispute", case_id, content))
    assert response.status_code == 201, response.text[:500]
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    download = await client.get(f"/v1/documents/{response.json()['id']}/content", headers=manager)
    assert hashlib.sha256(download.content).hexdigest() == response.json()["sha256"]


async def test_a_document_of_another_account_is_not_an_owner_here(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    first, _ = await disputed_account(client, manager, book)
    _, others_case = await disputed_account(client, manager, book)
    before = await stored(book)
    response = await attach(client, manager, first, upload("dispute", others_case))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_owner"
    assert await stored(book) == before


async def test_a_collector_of_another_portfolio_gets_404_for_the_documents(
    client: httpx.AsyncClient, collector: dict[str, str], ben: dict[str, str], book: Book
) -> None:
    anna = await book.portfolio(await book.collector("collector-anna"))
    await book.portfolio(await book.collector("collector-ben"))
    customer_id, case_id = await disputed_account(client, collector, book, portfolio_id=anna)
    document = (await attach(client, collector, customer_id, upload("dispute", case_id))).json()
    assert (await client.get(f"/v1/documents/{document['id']}/content", headers=collector)).status_code == 200

    before = await stored(book)
    for path in (
        f"/v1/documents/{document['id']}",
        f"/v1/documents/{document['id']}/content",
        f"/v1/accounts/{customer_id}/documents",
    ):
        response = await client.get(path, headers=ben)
        assert response.status_code == 404, path
        assert PDF not in response.content
    refused = await attach(client, ben, customer_id, upload("dispute", case_id))
    assert refused.status_code == 404
    assert await stored(book) == before


async def test_a_valid_dispute_carries_its_documents_on_the_credit_memo_request(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    disputed: tuple[uuid.UUID, str],
) -> None:
    customer_id, case_id = disputed
    ids = [
        (await attach(client, manager, customer_id, upload("dispute", case_id, filename=f"{n}.pdf"))).json()[
            "id"
        ]
        for n in range(2)
    ]
    resolved = await client.post(
        f"/v1/disputes/{case_id}/status",
        json={"status": "resolved_valid", "root_cause_code": "billing_error"},
        headers=manager,
    )
    assert resolved.status_code == 200, resolved.text
    (requested,) = await book.emitted(customer_id, "CreditMemoRequested")
    assert sorted(requested["document_ids"]) == sorted(ids)

"""The event catalogue: every DESIGN.md event registered, envelopes round-trip, docs up to date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from ar_shared.events import EVENT_TYPES, CloudEvent, parse_payload
from ar_shared.events.asyncapi import build_document, render_markdown, render_yaml
from ar_shared.events.ledger import AccountPastDue, CustomerUpserted, InvoiceIssued
from ar_shared.money import MoneyAmount

DOCS = Path(__file__).resolve().parents[3] / "docs"

CATALOGUE = {
    "ledger": [
        "CustomerUpserted", "InvoiceIssued", "InvoiceVoided", "CreditMemoIssued", "PaymentReceived",
        "PaymentApplied", "PaymentUnapplied", "PaymentReversed", "InvoiceWrittenOff", "InvoiceSettled",
        "AccountPastDue",
    ],
    "credit": ["CreditLimitChanged", "CreditHoldPlaced", "CreditHoldReleased", "CreditReviewCompleted"],
    "collections": [
        "PromiseToPayRecorded", "PromiseToPayKept", "PromiseToPayBroken", "DisputeOpened", "DisputeResolved",
        "CreditMemoRequested", "EscalationRaised", "NotificationRequested", "WriteOffRecommended",
    ],
    "notifications": ["NotificationSent", "NotificationFailed"],
}  # fmt: skip


@pytest.mark.parametrize(("producer", "name"), [(p, n) for p, names in CATALOGUE.items() for n in names])
def test_every_catalogue_event_is_registered(producer: str, name: str) -> None:
    model = EVENT_TYPES[f"ar.{producer}.{name}.v1"]
    assert model.topic() == f"{producer}.events"


def issued() -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        business_entity="DE01",
        invoice_number="INV-1001",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        amount=MoneyAmount(amount="1190.00", currency="EUR"),
    )


def test_envelope_round_trips_and_carries_the_customer_as_subject() -> None:
    payload = issued()
    event = CloudEvent.wrap(payload, correlation_id="corr-1", causation_id="cause-1")
    again = CloudEvent.from_json_bytes(event.to_json_bytes())
    assert again.id == event.id
    assert again.subject == str(payload.customer_id)
    assert again.type == "ar.ledger.InvoiceIssued.v1"
    assert again.source == "/ar/ledger"
    assert again.correlationid == "corr-1"
    assert parse_payload(again) == payload


def test_payloads_refuse_unknown_fields_and_bad_money() -> None:
    data = issued().model_dump(mode="json")
    with pytest.raises(ValidationError):
        InvoiceIssued.model_validate(data | {"surprise": 1})
    with pytest.raises(ValidationError):
        InvoiceIssued.model_validate(data | {"amount": {"amount": 1190.0, "currency": "EUR"}})


def test_account_past_due_has_the_fields_collections_and_credit_need() -> None:
    event = AccountPastDue(
        customer_id=uuid.uuid4(),
        as_of=date(2026, 11, 24),
        overdue=[MoneyAmount(amount="500.00", currency="EUR")],
        oldest_days_past_due=31,
        bucket="31-60",
        overdue_invoice_ids=[uuid.uuid4()],
    )
    assert CloudEvent.wrap(event, time=datetime(2026, 11, 24, tzinfo=UTC)).data["bucket"] == "31-60"
    assert CustomerUpserted.event_type() == "ar.ledger.CustomerUpserted.v1"


def test_asyncapi_document_describes_every_topic_and_event() -> None:
    doc = build_document()
    assert doc["asyncapi"] == "3.0.0"
    assert set(doc["channels"]) == {
        "ledger.events",
        "credit.events",
        "collections.events",
        "notifications.events",
    }
    assert set(doc["components"]["messages"]) == {n for names in CATALOGUE.values() for n in names}
    assert yaml.safe_load(render_yaml()) == yaml.safe_load(yaml.safe_dump(doc))


def test_committed_event_docs_are_up_to_date() -> None:
    hint = "regenerate with `make asyncapi`"
    assert (DOCS / "asyncapi.yaml").read_text() == render_yaml(), hint
    assert (DOCS / "events.md").read_text() == render_markdown(), hint

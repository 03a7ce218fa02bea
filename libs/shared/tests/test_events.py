"""The event catalogue: every DESIGN.md event registered, envelopes round-trip, docs up to date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import MetaData

from ar_shared.events import EVENT_TYPES, CloudEvent, EventPayload, parse_payload
from ar_shared.events.asyncapi import REGENERATE, build_document, render_markdown, render_yaml
from ar_shared.events.collections import (
    AccountAssigned,
    AccountSuspensionRecommended,
    ActivityLogged,
    CollectionTaskCompleted,
    CollectionTaskCreated,
    CreditHoldRecommended,
    CreditMemoRequested,
    DisputeOpened,
    DisputeResolved,
    DunningChargeRequested,
    EscalationRaised,
    EscalationResolved,
    NotificationRequested,
    PaymentPlanAgreed,
    PaymentPlanBreached,
    PaymentPlanCompleted,
    PlanInstalment,
    PromiseToPayBroken,
    PromiseToPayKept,
    PromiseToPayPartiallyKept,
    PromiseToPayRecorded,
    PromiseToPayReopened,
    WriteOffApproved,
    WriteOffRecommended,
)
from ar_shared.events.credit import (
    CreditDecisionChanged,
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditLimitChanged,
    CreditPolicyChanged,
    CreditReviewCompleted,
    CreditRiskClassChanged,
)
from ar_shared.events.ledger import (
    AccountPastDue,
    BusinessDateChanged,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    InvoiceSettled,
    InvoiceVoided,
    InvoiceWrittenOff,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    ReopenedInvoice,
)
from ar_shared.events.notifications import NotificationFailed, NotificationSent
from ar_shared.money import MoneyAmount, MoneyTotal
from ar_shared.outbox import OutboxWriter
from ar_shared.plumbing import add_plumbing_tables

DOCS = Path(__file__).resolve().parents[3] / "docs"

# DESIGN.md §4, written out so that a model dropped from the registry fails here
CATALOGUE = {
    "ledger": [
        "CustomerUpserted", "InvoiceIssued", "InvoiceVoided", "CreditMemoIssued", "PaymentReceived",
        "PaymentApplied", "PaymentUnapplied", "PaymentReversed", "InvoiceWrittenOff", "InvoiceSettled",
        "AccountPastDue", "BusinessDateChanged", "RefundIssued",
    ],
    "credit": [
        "CreditLimitChanged", "CreditHoldPlaced", "CreditHoldReleased", "CreditReviewCompleted",
        "CreditPolicyChanged", "CreditDecisionChanged", "CreditRiskClassChanged",
    ],
    "collections": [
        "PromiseToPayRecorded", "PromiseToPayKept", "PromiseToPayBroken", "DisputeOpened", "DisputeResolved",
        "PromiseToPayPartiallyKept", "PromiseToPayReopened", "PaymentPlanAgreed", "PaymentPlanBreached",
        "PaymentPlanCompleted",
        "CreditMemoRequested", "EscalationRaised", "NotificationRequested", "WriteOffRecommended",
        "CreditHoldRecommended", "DunningChargeRequested", "WriteOffApproved", "AccountSuspensionRecommended",
        "EscalationResolved",
        "AccountAssigned", "CollectionTaskCreated", "CollectionTaskCompleted", "ActivityLogged",
    ],
    "notifications": ["NotificationSent", "NotificationFailed"],
}  # fmt: skip
ALL_NAMES = {name for names in CATALOGUE.values() for name in names}

CUSTOMER = uuid.UUID("6f1c2a3e-0000-4000-8000-000000000001")
INVOICE = uuid.UUID("6f1c2a3e-0000-4000-8000-000000000002")
PAYMENT = uuid.UUID("6f1c2a3e-0000-4000-8000-000000000003")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def eur(amount: str) -> MoneyAmount:
    return MoneyAmount(amount=amount, currency="EUR")


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def samples() -> list[EventPayload]:
    """One realistic payload per catalogue event, optional fields filled where they exist."""
    return [
        CustomerUpserted(
            customer_id=CUSTOMER, external_id="ERP-4711", name="Globex GmbH", currency="EUR",
            payment_terms_days=30, business_entity="DE01", sales_rep="rep@ourcompany.example",
            contact_email="ap@globex.example", time_zone="Europe/Berlin",
        ),
        InvoiceIssued(
            invoice_id=INVOICE, customer_id=CUSTOMER, business_entity="DE01", invoice_number="INV-1001",
            issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31), amount=eur("1190.00"),
            order_reference="SO-77", po_number="PO-12",
        ),
        InvoiceVoided(
            invoice_id=INVOICE, customer_id=CUSTOMER, invoice_number="INV-1001", amount=eur("1190.00"),
            voided_on=date(2026, 10, 2), reason="duplicate",
        ),
        CreditMemoIssued(
            credit_memo_id=new_id(), customer_id=CUSTOMER, memo_number="CM-5", issue_date=date(2026, 10, 5),
            amount=eur("90.00"), invoice_id=INVOICE, reason_code="pricing",
        ),
        PaymentReceived(
            payment_id=PAYMENT, customer_id=CUSTOMER, amount=eur("1500.00"), received_on=date(2026, 11, 3),
            method="wire", remittance_reference="INV-1001", unapplied=eur("310.00"),
        ),
        PaymentApplied(
            application_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, source_kind="payment",
            source_id=PAYMENT, amount=eur("1190.00"), effective_date=date(2026, 11, 3),
            invoice_open_balance=eur("0.00"),
        ),
        PaymentUnapplied(
            application_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, source_kind="payment",
            source_id=PAYMENT, amount=eur("1190.00"), effective_date=date(2026, 11, 4),
            invoice_open_balance=eur("1190.00"),
        ),
        PaymentReversed(
            payment_id=PAYMENT, customer_id=CUSTOMER, amount=eur("1500.00"), reversed_on=date(2026, 11, 10),
            reason="bounced cheque", reopened_invoice_ids=[INVOICE],
            reopened=[
                ReopenedInvoice(
                    invoice_id=INVOICE, amount=eur("1190.00"), invoice_open_balance=eur("1190.00"),
                ),
            ],
            unapplied_removed=eur("310.00"),
        ),
        InvoiceWrittenOff(
            write_off_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, amount=eur("0.01"),
            reason_code="small_balance", effective_date=date(2026, 11, 30), invoice_open_balance=eur("0.00"),
        ),
        RefundIssued(
            refund_id=new_id(), customer_id=CUSTOMER, source_kind="payment", source_id=PAYMENT,
            amount=eur("310.00"), refund_date=date(2026, 11, 12), reason_code="overpayment", method="wire",
            reference="BANK-REF-77", source_unapplied=eur("0.00"), requested_by="ar-clerk",
            approved_by="ar-manager",
        ),
        InvoiceSettled(
            invoice_id=INVOICE, customer_id=CUSTOMER, invoice_number="INV-1001",
            settled_on=date(2026, 11, 30), amount=eur("1190.00"),
        ),
        AccountPastDue(
            customer_id=CUSTOMER, as_of=date(2026, 12, 1),
            overdue=[MoneyTotal(amount="1190.00", currency="EUR"), MoneyTotal(amount="12", currency="JPY")],
            oldest_days_past_due=31, bucket="31-60", overdue_invoice_ids=[INVOICE],
        ),
        BusinessDateChanged(
            business_entity="DE01", previous_date=date(2026, 11, 30), business_date=date(2026, 12, 1),
            mode="manual", time_zone="Europe/Berlin",
        ),
        CreditLimitChanged(
            customer_id=CUSTOMER, previous_limit=None, new_limit=eur("50000.00"), changed_by="analyst-1",
            approved_by="manager-2", reason="annual review",
        ),
        CreditHoldPlaced(
            hold_id=new_id(), customer_id=CUSTOMER, reason_code="past_due", source="policy",
            placed_by="credit-policy", placed_at=NOON, sales_rep="rep@ourcompany.example", note="61 days",
        ),
        CreditHoldReleased(
            hold_id=new_id(), customer_id=CUSTOMER, reason_code="past_due", source="policy",
            released_by="credit-policy", released_at=NOON, release_reason="cured",
            sales_rep="rep@ourcompany.example",
        ),
        CreditReviewCompleted(
            review_id=new_id(), customer_id=CUSTOMER, score=62, risk_class="medium",
            recommended_limit=eur("40000.00"), next_review_on=date(2027, 5, 25), reviewed_by="analyst-1",
        ),
        CreditRiskClassChanged(
            customer_id=CUSTOMER, previous_risk_class="medium", risk_class="high", profile_version=4,
            changed_by="analyst-1", approved_by=None, reason="payments slowing", changed_at=NOON,
        ),
        PromiseToPayRecorded(
            promise_id=new_id(), customer_id=CUSTOMER, amount=eur("1190.00"), promised_date=date(2026, 12, 5),
            tolerance_days=3, invoice_ids=[INVOICE], recorded_by="collector-7",
        ),
        PromiseToPayKept(
            promise_id=new_id(), customer_id=CUSTOMER, promised=eur("1190.00"),
            received=MoneyTotal(amount="1100.00", currency="EUR"),
            outcome="partially_kept", evaluated_on=date(2026, 12, 8),
        ),
        PromiseToPayBroken(
            promise_id=new_id(), customer_id=CUSTOMER, promised=eur("1190.00"),
            received=MoneyTotal(amount="0.00", currency="EUR"),
            evaluated_on=date(2026, 12, 8),
        ),
        PromiseToPayPartiallyKept(
            promise_id=new_id(), customer_id=CUSTOMER, promised=eur("1190.00"),
            received=MoneyTotal(amount="500.00", currency="EUR"), evaluated_on=date(2026, 12, 8),
        ),
        PromiseToPayReopened(
            promise_id=new_id(), customer_id=CUSTOMER, promised=eur("1190.00"),
            received=MoneyTotal(amount="0.00", currency="EUR"), reopened_on=date(2026, 12, 6),
        ),
        PaymentPlanAgreed(
            plan_id=new_id(), customer_id=CUSTOMER, total=eur("2999.00"),
            instalments=[
                PlanInstalment(number=0, due_date=date(2026, 12, 5), amount=eur("999.00"), down_payment=True),
                PlanInstalment(number=1, due_date=date(2027, 1, 5), amount=eur("2000.00")),
            ],
            tolerance_days=5, invoice_ids=[INVOICE], agreed_by="collector-7",
        ),
        PaymentPlanBreached(
            plan_id=new_id(), customer_id=CUSTOMER, missed_instalments=[1],
            received=MoneyTotal(amount="1000.00", currency="EUR"), breached_on=date(2027, 1, 11),
        ),
        PaymentPlanCompleted(
            plan_id=new_id(), customer_id=CUSTOMER, received=MoneyTotal(amount="2999.00", currency="EUR"),
            completed_on=date(2027, 1, 5),
        ),
        DisputeOpened(
            dispute_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, disputed_amount=eur("200.00"),
            reason_code="pricing", owner="collector-7",
        ),
        DisputeResolved(
            dispute_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, resolution="partially_right",
            disputed_amount=eur("200.00"), root_cause_code="billing_error", credit_amount=eur("80.00"),
        ),
        CreditMemoRequested(
            request_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, amount=eur("80.00"),
            dispute_id=new_id(), reason_code="pricing", requested_by="collector-7",
        ),
        EscalationRaised(
            escalation_id=new_id(), customer_id=CUSTOMER, level="legal", reason="final notice ignored",
            raised_by="collector-7",
        ),
        NotificationRequested(
            request_id=new_id(), customer_id=CUSTOMER, template_key="first_reminder", locale="de-DE",
            channel="email", recipient="ap@globex.example",
            context={
                "open_items": [{"invoice_number": "INV-1001", "open_balance": "1190.00"}],
                "total": "1190.00",
            },
            causing_event_id=new_id(),
        ),
        WriteOffRecommended(
            recommendation_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, amount=eur("0.01"),
            reason_code="small_balance",
        ),
        CreditHoldRecommended(
            recommendation_id=new_id(), customer_id=CUSTOMER, days_past_due=45,
            recommended_by="strategy:standard@1",
        ),
        DunningChargeRequested(
            request_id=new_id(), customer_id=CUSTOMER, kind="fee", amount=eur("5.00"),
            as_of=date(2026, 11, 25), level=1, invoice_ids=[INVOICE], days_past_due=20,
            strategy="strategy:standard@1", step_days=20,
        ),
        WriteOffApproved(
            recommendation_id=new_id(), customer_id=CUSTOMER, invoice_id=INVOICE, amount=eur("0.01"),
            reason_code="small_balance", effective_date=date(2026, 11, 25), recommended_by="collector-7",
            approved_by="manager-1",
        ),
        AccountSuspensionRecommended(
            recommendation_id=new_id(), customer_id=CUSTOMER, reason_code="persistent_non_payment",
            recommended_by="collector-7", approved_by="manager-1", approved_on=date(2026, 11, 25),
        ),
        EscalationResolved(
            escalation_id=new_id(), customer_id=CUSTOMER, outcome="plan agreed", resolved_by="manager-1",
            resolved_on=date(2026, 11, 25),
        ),
        AccountAssigned(
            customer_id=CUSTOMER, portfolio_id=new_id(), collector="collector-7", previous_portfolio_id=None,
            source="rule", rule_id=new_id(), assigned_by="collections-system",
            effective_on=date(2026, 11, 25),
        ),
        CollectionTaskCreated(
            task_id=new_id(), customer_id=CUSTOMER, kind="follow_up", title="Call back about INV-1001",
            due_on=date(2026, 11, 27), source="activity", created_by="collector-7",
        ),
        CollectionTaskCompleted(
            task_id=new_id(), customer_id=CUSTOMER, kind="follow_up", outcome="completed",
            completed_on=date(2026, 11, 27), completed_by="collector-7", activity_id=new_id(),
        ),
        ActivityLogged(
            activity_id=new_id(), customer_id=CUSTOMER, kind="call", direction="outbound",
            outcome="promised_to_pay", occurred_at=NOON, occurred_on=date(2026, 11, 25), duration_seconds=240,
            next_follow_up_on=date(2026, 11, 27), logged_by="collector-7",
        ),
        CreditPolicyChanged(
            risk_class="high", max_days_past_due=30, max_overdue_amounts=[eur("5000.00")],
            limit_tolerance_percent="0.00", auto_hold=True, policy_version=2, changed_by="head-of-credit",
        ),
        CreditDecisionChanged(
            order_reference="SO-7781", customer_id=CUSTOMER, business_entity="DE01", amount=eur("2500.00"),
            previous_status="refused", status="approved", decision="approved", reason_codes=[],
            business_date=date(2026, 11, 25), changed_by="credit-policy",
        ),
        NotificationSent(
            delivery_id=new_id(), customer_id=CUSTOMER, channel="webhook", template_key="first_reminder",
            recipient="https://erp.globex.example/hooks/ar", sent_at=NOON, causing_event_id=new_id(),
        ),
        NotificationFailed(
            delivery_id=new_id(), customer_id=CUSTOMER, channel="email", template_key="first_reminder",
            recipient="ap@globex.example", attempts=5, last_error="550 mailbox unavailable",
            causing_event_id=new_id(),
        ),
    ]  # fmt: skip


SAMPLES = samples()


def sample_id(payload: EventPayload) -> str:
    return payload.event_name


@pytest.mark.parametrize(("producer", "name"), [(p, n) for p, names in CATALOGUE.items() for n in names])
def test_every_catalogue_event_is_registered(producer: str, name: str) -> None:
    model = EVENT_TYPES[f"ar.{producer}.{name}.v1"]
    assert model.event_name == name
    assert model.topic() == f"{producer}.events"


def test_the_registry_holds_the_catalogue_and_every_event_has_a_sample() -> None:
    assert {model.event_name for model in EVENT_TYPES.values()} == ALL_NAMES
    assert sorted(type(p).event_name for p in SAMPLES) == sorted(ALL_NAMES)


@pytest.mark.parametrize("payload", SAMPLES, ids=sample_id)
def test_payload_survives_the_envelope_round_trip(payload: EventPayload) -> None:
    event = CloudEvent.wrap(payload, correlation_id="corr-1", causation_id="cause-1", traceparent=None)
    raw = event.to_json_bytes()
    again = CloudEvent.from_json_bytes(raw)
    assert again == event
    assert again.type == payload.event_type()
    assert again.source == f"/ar/{payload.producer}"
    assert again.correlationid == "corr-1"
    assert parse_payload(again) == payload


@pytest.mark.parametrize("payload", SAMPLES, ids=sample_id)
def test_envelope_subject_is_the_customer_id_unless_the_event_is_about_something_else(
    payload: EventPayload,
) -> None:
    # a business date is an entity's, a policy a risk class's: keyed by those, not by a customer
    expected = {"business_entity": "DE01", "risk_class": "high"}.get(payload.subject_field, str(CUSTOMER))
    assert CloudEvent.wrap(payload).subject == expected


@pytest.mark.parametrize("payload", SAMPLES, ids=sample_id)
def test_payloads_refuse_unknown_fields(payload: EventPayload) -> None:
    data = payload.model_dump(mode="json") | {"surprise": 1}
    with pytest.raises(ValidationError, match="surprise"):
        type(payload).model_validate(data)
    event = CloudEvent.wrap(payload).model_copy(update={"data": data})
    with pytest.raises(ValidationError):
        parse_payload(event)


def test_money_in_payloads_refuses_json_numbers() -> None:
    data = SAMPLES[1].model_dump(mode="json") | {"amount": {"amount": 1190.0, "currency": "EUR"}}
    with pytest.raises(ValidationError):
        InvoiceIssued.model_validate(data)


def test_timestamps_must_carry_a_time_zone() -> None:
    data = next(p for p in SAMPLES if isinstance(p, CreditHoldPlaced)).model_dump(mode="json")
    with pytest.raises(ValidationError):
        CreditHoldPlaced.model_validate(data | {"placed_at": "2026-11-25T12:00:00"})


def test_closed_vocabularies_are_enforced() -> None:
    data = next(p for p in SAMPLES if isinstance(p, PaymentApplied)).model_dump(mode="json")
    with pytest.raises(ValidationError):
        PaymentApplied.model_validate(data | {"source_kind": "write_off"})


def test_asyncapi_document_describes_every_topic_and_event() -> None:
    doc = build_document()
    assert doc["asyncapi"] == "3.0.0"
    server = doc["servers"]["local"]
    assert (server["host"], server["protocol"]) == ("127.0.0.1:59092", "kafka")
    channels = {"ledger.events", "credit.events", "collections.events", "notifications.events"}
    assert set(doc["channels"]) == channels
    assert {c["address"] for c in doc["channels"].values()} == channels
    messages = doc["components"]["messages"]
    assert len(messages) == len(EVENT_TYPES)
    assert set(messages) == {model.event_name for model in EVENT_TYPES.values()}
    for model in EVENT_TYPES.values():
        message = messages[model.event_name]
        channel = doc["channels"][model.topic()]
        assert channel["messages"][model.event_name] == {"$ref": f"#/components/messages/{model.event_name}"}
        assert message["contentType"] == "application/cloudevents+json"
        assert message["payload"]["properties"]["type"]["const"] == model.event_type()
        assert message["payload"]["properties"]["data"] == {
            "$ref": f"#/components/schemas/{model.event_name}"
        }
        assert model.event_name in doc["components"]["schemas"]
    assert {op["action"] for op in doc["operations"].values()} == {"send"}
    assert "MoneyAmount" in doc["components"]["schemas"]
    assert yaml.safe_load(render_yaml()) == yaml.safe_load(yaml.safe_dump(doc))


def test_every_schema_reference_resolves() -> None:
    doc = build_document()
    refs: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            refs.update(v for k, v in node.items() if k == "$ref" and isinstance(v, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    for ref in refs:
        target: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict), f"dangling reference {ref}"
            assert part in target, f"dangling reference {ref}"
            target = target[part]
    assert "$defs" not in yaml.safe_dump(doc)


def test_generation_is_deterministic() -> None:
    assert render_yaml() == render_yaml()
    assert render_markdown() == render_markdown()


def test_committed_event_docs_are_up_to_date() -> None:
    hint = f"is out of date: regenerate with {REGENERATE}"
    assert (DOCS / "asyncapi.yaml").read_text(encoding="utf-8") == render_yaml(), f"docs/asyncapi.yaml {hint}"
    assert (DOCS / "events.md").read_text(encoding="utf-8") == render_markdown(), f"docs/events.md {hint}"


@pytest.mark.parametrize("payload", SAMPLES, ids=sample_id)
def test_an_outbox_record_carries_the_same_envelope_the_cloudevent_renders(payload: EventPayload) -> None:
    [record] = OutboxWriter(add_plumbing_tables(MetaData(schema="t"))).records([payload], NOON)
    event = CloudEvent.wrap(payload, event_id=record.event_id, time=NOON)
    assert record.envelope == event.model_dump_json(exclude_none=True)
    assert record.row() == (event.id, event.type, payload.topic(), event.subject, record.envelope)
    assert record.data == event.data
    assert CloudEvent.from_json_bytes(record.envelope.encode()) == event

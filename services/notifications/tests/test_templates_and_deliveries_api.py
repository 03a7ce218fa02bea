"""Templates and deliveries through the API: versions, locale fallback, preview, syntax errors,
ad-hoc messages with address checks, the log, resend."""

from __future__ import annotations

import uuid

import httpx
import pytest

from ar_notifications.templates.service import candidates

pytestmark = pytest.mark.integration


def test_locale_fallback_goes_from_specific_to_the_default() -> None:
    assert candidates("de-DE", "en") == ["de-DE", "de", "en"]
    assert candidates("en", "en") == ["en"]


async def test_a_stored_version_overrides_the_default_and_locales_fall_back(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    shipped = (
        await client.post(
            "/v1/templates/preview", json={"key": "first_reminder", "locale": "de-AT"}, headers=manager
        )
    ).json()
    assert shipped["locale_used"] == "de"  # de-AT -> de
    assert shipped["subject"] == "Zahlungserinnerung: überfällige Rechnungen"
    assert "<td>INV-1001</td>" in shipped["body_html"]  # sample data fills the open-item table

    body = {
        "key": "first_reminder",
        "locale": "fr",
        "subject": "Rappel {{ customer_name }}",
        "body_text": "Bonjour {{ customer_name }}",
        "body_html": "<p>Bonjour {{ customer_name }}</p>",
    }
    created = await client.post("/v1/templates", json=body, headers=manager)
    assert created.status_code == 201
    assert created.json()["version"] == 1
    again = await client.post(
        "/v1/templates", json=body | {"subject": "Rappel: {{ customer_name }}"}, headers=manager
    )
    assert again.json()["version"] == 2
    preview = (
        await client.post(
            "/v1/templates/preview",
            json={"key": "first_reminder", "locale": "fr-FR", "context": {"customer_name": "<Acme>"}},
            headers=manager,
        )
    ).json()
    assert preview["subject"] == "Rappel: <Acme>"
    assert preview["body_html"] == "<p>Bonjour &lt;Acme&gt;</p>"  # HTML is escaped, text is not
    listed = (await client.get("/v1/templates", headers=manager)).json()
    assert {("first_reminder", "fr", 2), ("credit_hold", "en", 0)} <= {
        (t["key"], t["locale"], t["version"]) for t in listed
    }


async def test_template_errors_are_problems(client: httpx.AsyncClient, manager: dict[str, str]) -> None:
    broken = await client.post(
        "/v1/templates",
        json={
            "key": "broken_one",
            "locale": "en",
            "subject": "Hi {{ name",
            "body_text": "ok",
            "body_html": "{% for x in %}",
        },
        headers=manager,
    )
    assert broken.status_code == 422
    assert broken.json()["code"] == "template_syntax_error"
    assert {e["field"] for e in broken.json()["errors"]} == {"subject", "body_html"}
    unknown = await client.post(
        "/v1/templates/preview", json={"key": "no_such_template", "locale": "en"}, headers=manager
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_template")
    sandboxed = await client.post(
        "/v1/templates",
        json={
            "key": "sneaky",
            "locale": "en",
            "subject": "x",
            "body_text": "{{ ''.__class__.__mro__ }}",
            "body_html": "x",
        },
        headers=manager,
    )
    assert sandboxed.status_code == 201
    escape = await client.post(
        "/v1/templates/preview", json={"key": "sneaky", "locale": "en", "context": {}}, headers=manager
    )
    assert (escape.status_code, escape.json()["code"]) == (
        422,
        "template_render_error",
    )  # the sandbox says no
    missing = await client.post(
        "/v1/templates/preview", json={"key": "credit_hold", "locale": "en", "context": {}}, headers=manager
    )
    assert missing.json()["code"] == "template_render_error"  # undefined variables are errors, not blanks


async def test_ad_hoc_messages_check_the_recipient_and_show_in_the_log(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    base = {
        "channel": "email",
        "template_key": "promise_confirmation",
        "context": {
            "customer_name": "Acme",
            "amount": "10.00",
            "currency": "EUR",
            "promised_date": "2026-12-01",
        },
    }
    bad_address = await client.post(
        "/v1/deliveries", json=base | {"recipient": "not an address"}, headers=manager
    )
    assert (bad_address.status_code, bad_address.json()["code"]) == (422, "invalid_address")
    bad_url = await client.post(
        "/v1/deliveries",
        json=base | {"channel": "webhook", "recipient": "ftp://example.com/x"},
        headers=manager,
    )
    assert (bad_url.status_code, bad_url.json()["code"]) == (422, "invalid_webhook_url")
    unknown_template = await client.post(
        "/v1/deliveries", json=base | {"recipient": "a@b.example", "template_key": "nope"}, headers=manager
    )
    assert unknown_template.json()["code"] == "unknown_template"

    headers = manager | {"Idempotency-Key": f"adhoc-{uuid.uuid4()}"}
    created = await client.post(
        "/v1/deliveries", json=base | {"recipient": "AP@Acme.example"}, headers=headers
    )
    replay = await client.post(
        "/v1/deliveries", json=base | {"recipient": "AP@Acme.example"}, headers=headers
    )
    assert created.status_code == 201
    assert replay.json()["id"] == created.json()["id"]
    delivery = created.json()
    assert (delivery["status"], delivery["recipient"]) == ("queued", "ap@acme.example")
    assert "promise to pay 10.00 EUR by 2026-12-01" in delivery["body_text"]
    shown = (await client.get(f"/v1/deliveries/{delivery['id']}", headers=manager)).json()
    assert shown["subject"] == "Confirmation of your payment promise"
    queued = (
        await client.get(
            "/v1/deliveries",
            params={"status": "queued", "template_key": "promise_confirmation"},
            headers=manager,
        )
    ).json()
    assert delivery["id"] in [d["id"] for d in queued["items"]]
    not_failed = await client.post(f"/v1/deliveries/{delivery['id']}/resend", headers=manager)
    assert (not_failed.status_code, not_failed.json()["code"]) == (409, "not_resendable")
    missing = await client.get(f"/v1/deliveries/{uuid.uuid4()}", headers=manager)
    assert missing.status_code == 404


async def test_the_shipped_case_notices_render_what_collections_sends(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    # the context collections' promises/judging.py and disputes/service.py put on the request
    partly = (
        await client.post(
            "/v1/templates/preview",
            json={
                "key": "partially_kept_promise",
                "locale": "en",
                "context": {
                    "customer_name": "Acme",
                    "amount": "100.00",
                    "paid": "40.00",
                    "credited": "0.00",
                    "missing": "60.00",
                    "currency": "EUR",
                    "promised_date": "2026-05-15",
                },
            },
            headers=manager,
        )
    ).json()
    assert partly["locale_used"] == "en"
    assert "40.00 EUR received against the 100.00 EUR promised for 2026-05-15" in partly["body_text"]
    assert "60.00 EUR is still missing" in partly["body_text"]
    assert "credit" not in partly["body_text"]
    invalid = (
        await client.post(
            "/v1/templates/preview",
            json={
                "key": "dispute_resolved_invalid",
                "locale": "en",
                "context": {
                    "customer_name": "Acme",
                    "case_reference": "D-1",
                    "reason_code": "pricing",
                    "reason": "the price list of March applies",
                    "items": [{"invoice_number": "INV-7", "disputed_amount": "120.00", "currency": "EUR"}],
                },
            },
            headers=manager,
        )
    ).json()
    assert "not to be justified: the price list of March applies" in invalid["body_text"]
    assert "INV-7  120.00 EUR disputed" in invalid["body_text"]
    assert "<li>INV-7: 120.00 EUR disputed</li>" in invalid["body_html"]

"""The templates shipped with the platform (used until a manager stores a version of their own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultTemplate:
    subject: str
    body_text: str
    body_html: str


OPEN_ITEMS_TEXT = """
{% for item in open_items %}{{ item.invoice_number }}  due {{ item.due_date }}  {{ item.open_balance }} {{ item.currency }}{% if item.days_past_due %}  ({{ item.days_past_due }} days past due){% endif %}
{% endfor %}{% for currency, total in totals.items() %}Total {{ total }} {{ currency }}
{% endfor %}"""

OPEN_ITEMS_HTML = """
<table class="open-items">
<thead><tr><th>Invoice</th><th>Due date</th><th>Days past due</th><th>Open balance</th></tr></thead>
<tbody>{% for item in open_items %}
<tr><td>{{ item.invoice_number }}</td><td>{{ item.due_date }}</td><td>{{ item.days_past_due or 0 }}</td><td>{{ item.open_balance }} {{ item.currency }}</td></tr>{% endfor %}
</tbody>
<tfoot>{% for currency, total in totals.items() %}<tr><td colspan="3">Total</td><td>{{ total }} {{ currency }}</td></tr>{% endfor %}</tfoot>
</table>"""


def _dunning(subject: str, opening: str, closing: str) -> DefaultTemplate:
    return DefaultTemplate(
        subject=subject,
        body_text="Dear {{ customer_name }},\n\n" + opening + "\n" + OPEN_ITEMS_TEXT + "\n" + closing
        + "\n\nKind regards,\n{{ sender_name | default('Accounts Receivable') }}\n",
        body_html="<p>Dear {{ customer_name }},</p><p>" + opening + "</p>" + OPEN_ITEMS_HTML + "<p>" + closing
        + "</p><p>Kind regards,<br>{{ sender_name | default('Accounts Receivable') }}</p>",
    )  # fmt: skip


DEFAULTS: dict[tuple[str, str], DefaultTemplate] = {
    ("pre_due_reminder", "en"): _dunning(
        "Upcoming payment: invoices due soon",
        "A friendly reminder that the following invoices fall due shortly.",
        "If payment is already on its way, please disregard this message.",
    ),
    ("first_reminder", "en"): _dunning(
        "Payment reminder: overdue invoices",
        "Our records show the following invoices as overdue.",
        "Please arrange payment at your earliest convenience or let us know if anything is unclear.",
    ),
    ("first_reminder", "de"): _dunning(
        "Zahlungserinnerung: überfällige Rechnungen",
        "laut unseren Unterlagen sind die folgenden Rechnungen überfällig.",
        "Bitte veranlassen Sie die Zahlung oder melden Sie sich bei Rückfragen.",
    ),
    ("second_reminder", "en"): _dunning(
        "Second reminder: overdue invoices",
        "Despite our earlier reminder, the following invoices remain unpaid.",
        "Please pay within 7 days to avoid further collection steps.",
    ),
    ("demand_letter", "en"): _dunning(
        "Demand for payment",
        "We formally demand payment of the following overdue invoices.",
        "If payment is not received within 10 days we will take further action without further notice.",
    ),
    ("final_notice", "en"): _dunning(
        "Final notice before default",
        "This is our final notice concerning the following unpaid invoices.",
        "Unless paid within 5 days, the account will be placed in default and passed to our legal department.",
    ),
    ("default_letter", "en"): _dunning(
        "Notice of default",
        "Despite our reminders, demand and final notice, the following invoices remain unpaid: "
        "the account is now in default.",
        "The full amount is due at once. We will pass the matter to our legal department and may "
        "charge the costs of collection.",
    ),
    ("promise_confirmation", "en"): DefaultTemplate(
        "Confirmation of your payment promise",
        "Dear {{ customer_name }},\n\nThank you: we note your promise to pay {{ amount }} {{ currency }} by {{ promised_date }}.\n",
        "<p>Dear {{ customer_name }},</p><p>Thank you: we note your promise to pay {{ amount }} {{ currency }} by {{ promised_date }}.</p>",
    ),
    ("broken_promise", "en"): DefaultTemplate(
        "Your payment promise was not kept",
        "Dear {{ customer_name }},\n\nWe have not received the {{ amount }} {{ currency }} promised for {{ promised_date }}. Please pay now or contact us.\n",
        "<p>Dear {{ customer_name }},</p><p>We have not received the {{ amount }} {{ currency }} promised for {{ promised_date }}. Please pay now or contact us.</p>",
    ),
    ("partially_kept_promise", "en"): DefaultTemplate(
        "Your payment promise was only partly kept",
        "Dear {{ customer_name }},\n\nThank you for the {{ paid }} {{ currency }} received against the {{ amount }} {{ currency }} promised for {{ promised_date }}"
        "{% if credited and credited != '0.00' %} (after our credit of {{ credited }} {{ currency }}){% endif %}. "
        "{{ missing }} {{ currency }} is still missing: please pay it now or contact us.\n",
        "<p>Dear {{ customer_name }},</p><p>Thank you for the {{ paid }} {{ currency }} received against the {{ amount }} {{ currency }} promised for {{ promised_date }}"
        "{% if credited and credited != '0.00' %} (after our credit of {{ credited }} {{ currency }}){% endif %}. "
        "<b>{{ missing }} {{ currency }}</b> is still missing: please pay it now or contact us.</p>",
    ),
    ("dispute_resolved_invalid", "en"): DefaultTemplate(
        "Your dispute {{ case_reference }} was reviewed",
        "Dear {{ customer_name }},\n\nWe have reviewed your dispute ({{ reason_code }}) and found it not to be justified"
        "{% if reason %}: {{ reason }}{% else %}.{% endif %}\n\nThe following invoices are due again:\n"
        "{% for item in items %}{{ item.invoice_number }}  {{ item.disputed_amount }} {{ item.currency }} disputed\n{% endfor %}"
        "\nPlease arrange payment or contact us.\n",
        "<p>Dear {{ customer_name }},</p><p>We have reviewed your dispute ({{ reason_code }}) and found it not to be justified"
        "{% if reason %}: {{ reason }}{% else %}.{% endif %}</p><p>The following invoices are due again:</p><ul>"
        "{% for item in items %}<li>{{ item.invoice_number }}: {{ item.disputed_amount }} {{ item.currency }} disputed</li>{% endfor %}"
        "</ul><p>Please arrange payment or contact us.</p>",
    ),
    ("payment_plan_confirmation", "en"): DefaultTemplate(
        "Your payment plan",
        "Dear {{ customer_name }},\n\nWe confirm the payment plan:\n{% for i in instalments %}{{ i.due_date }}  {{ i.amount }} {{ i.currency }}\n{% endfor %}",
        "<p>Dear {{ customer_name }},</p><p>We confirm the payment plan:</p><ul>{% for i in instalments %}<li>{{ i.due_date }}: {{ i.amount }} {{ i.currency }}</li>{% endfor %}</ul>",
    ),
    ("credit_hold", "en"): DefaultTemplate(
        "Credit hold placed on {{ customer_name }}",
        "A credit hold ({{ reason_code }}, {{ source }}) was placed on {{ customer_name }} by {{ placed_by }}. New orders will not ship until it is released.\n",
        "<p>A credit hold (<b>{{ reason_code }}</b>, {{ source }}) was placed on {{ customer_name }} by {{ placed_by }}. New orders will not ship until it is released.</p>",
    ),
    ("credit_decision_changed", "en"): DefaultTemplate(
        "Order {{ order_reference }} is {{ status }}",
        "The credit decision of order {{ order_reference }} ({{ amount }} {{ currency }}, {{ customer_name }}) "
        "changed from {{ previous_status }} to {{ status }} on {{ business_date }}"
        "{% if reason_codes %}: {{ reason_codes | join(', ') }}{% endif %}.\n",
        "<p>The credit decision of order <b>{{ order_reference }}</b> ({{ amount }} {{ currency }}, "
        "{{ customer_name }}) changed from {{ previous_status }} to <b>{{ status }}</b> on {{ business_date }}"
        "{% if reason_codes %}: {{ reason_codes | join(', ') }}{% endif %}.</p>",
    ),
    ("hold_released", "en"): DefaultTemplate(
        "Credit hold released for {{ customer_name }}",
        "The credit hold ({{ reason_code }}) on {{ customer_name }} was released by {{ released_by }}: {{ release_reason }}.\n",
        "<p>The credit hold ({{ reason_code }}) on {{ customer_name }} was released by {{ released_by }}: {{ release_reason }}.</p>",
    ),
}

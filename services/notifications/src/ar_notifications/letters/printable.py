"""The printable page of a letter: its rendered HTML body in a page of its own, with the
addressee, the date and a reference line, laid out for A4 paper."""

from __future__ import annotations

from html import escape

from ar_notifications.models import Delivery

# the body is the template's HTML as rendered: a page showing it runs no script and loads nothing
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

STYLE = """
@page { size: A4; margin: 20mm 20mm 25mm 25mm; }
body { font-family: Georgia, 'Times New Roman', serif; font-size: 11pt; line-height: 1.4; color: #000;
       max-width: 170mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; margin-bottom: 12mm; }
h1 { font-size: 13pt; margin: 0 0 6mm; }
table.open-items { border-collapse: collapse; width: 100%; margin: 4mm 0; }
table.open-items th, table.open-items td { border-bottom: 1px solid #999; padding: 1mm 2mm; }
table.open-items td:last-child, table.open-items th:last-child { text-align: right; }
footer { margin-top: 12mm; font-size: 8pt; color: #555; }
"""


def letter_date(letter: Delivery) -> str:
    """The business date the letter was written for (collections sends it), else the day it was
    rendered (UTC)."""
    business_date = letter.context.get("business_date")
    if isinstance(business_date, str) and business_date:
        return business_date
    return letter.created_at.date().isoformat()


def printable_html(letter: Delivery) -> str:
    name = letter.context.get("customer_name")
    addressee = escape(name) if isinstance(name, str) and name else ""
    version = "default" if letter.template_version == 0 else f"v{letter.template_version}"
    reference = f"{letter.template_key} {version if letter.template_version is not None else ''}".strip()
    request = f" · request {letter.request_id}" if letter.request_id else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(letter.locale)}"><head><meta charset="utf-8">'
        f"<title>{escape(letter.subject)}</title><style>{STYLE}</style></head>\n<body>\n"
        f'<header><div class="addressee">{addressee}<br>{escape(letter.recipient)}</div>'
        f'<div class="date">{escape(letter_date(letter))}</div></header>\n'
        f'<h1 class="subject">{escape(letter.subject)}</h1>\n'
        f'<main class="letter">{letter.body_html}</main>\n'
        f"<footer>Reference {letter.id} · {escape(reference)} · {escape(letter.locale)}{request}</footer>\n"
        "</body></html>\n"
    )

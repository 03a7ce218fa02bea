"""Template rules: versions per key and locale; lookup falls back to the language, then the default
locale, then the shipped defaults; every stored version compiles and renders the sample data
within the rendering limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_notifications.models import Template, plumbing
from ar_notifications.templates.defaults import DEFAULTS
from ar_notifications.templates.rendering import RENDERER, Rendered, RenderLimits
from ar_notifications.templates.repository import TemplateRepository
from ar_notifications.templates.schemas import TemplateCreate, TemplateOut
from ar_shared.audit import Actor, AuditLog
from ar_shared.problems import Unprocessable

audit = AuditLog(plumbing)

SAMPLE_CONTEXT: dict[str, Any] = {
    "customer_name": "Acme Industrial GmbH",
    "open_items": [
        {"invoice_number": "INV-1001", "due_date": "2026-10-01", "open_balance": "1190.00",
         "currency": "EUR", "days_past_due": 54},
        {"invoice_number": "INV-1007", "due_date": "2026-10-20", "open_balance": "310.50",
         "currency": "EUR", "days_past_due": 35},
    ],
    "totals": {"EUR": "1500.50"},
    "amount": "1500.50",
    "currency": "EUR",
    "promised_date": "2026-12-05",
    "instalments": [{"due_date": "2026-12-01", "amount": "750.25", "currency": "EUR"}],
    "reason_code": "past_due",
    "source": "policy",
    "placed_by": "credit-policy",
    "released_by": "maria.keller",
    "release_reason": "paid in full",
}  # fmt: skip


@dataclass(frozen=True)
class Resolved:
    key: str
    locale: str
    version: int
    subject: str
    body_text: str
    body_html: str
    created_by: str = "platform"
    created_at: Any = None

    def out(self) -> TemplateOut:
        return TemplateOut(
            key=self.key, locale=self.locale, version=self.version, subject=self.subject,
            body_text=self.body_text, body_html=self.body_html, created_by=self.created_by,
            created_at=self.created_at,
        )  # fmt: skip


def candidates(locale: str, default_locale: str) -> list[str]:
    """de-DE -> de-DE, de, en: the most specific first."""
    chain = [locale]
    if "-" in locale:
        chain.append(locale.split("-")[0])
    if default_locale not in chain:
        chain.append(default_locale)
    return chain


async def resolve(session: AsyncSession, key: str, locale: str, default_locale: str = "en") -> Resolved:
    repo = TemplateRepository(session)
    for candidate in candidates(locale, default_locale):
        stored = await repo.latest(key, candidate)
        if stored is not None:
            return Resolved(
                stored.key, stored.locale, stored.version, stored.subject, stored.body_text, stored.body_html,
                stored.created_by, stored.created_at,
            )  # fmt: skip
        shipped = DEFAULTS.get((key, candidate))
        if shipped is not None:
            return Resolved(key, candidate, 0, shipped.subject, shipped.body_text, shipped.body_html)
    raise Unprocessable(
        f"no template {key!r} for locale {locale!r} or its fallbacks", code="unknown_template"
    )


async def render_template(
    session: AsyncSession,
    key: str,
    locale: str,
    context: dict[str, Any],
    limits: RenderLimits,
    default_locale: str = "en",
) -> tuple[Resolved, Rendered]:
    """The template for key and locale, rendered within the limits (off the event loop)."""
    template = await resolve(session, key, locale, default_locale)
    rendered = await RENDERER.render(
        template.subject, template.body_text, template.body_html, context, limits
    )
    return template, rendered


async def create_version(
    session: AsyncSession, actor: Actor, data: TemplateCreate, limits: RenderLimits
) -> Template:
    """Stores a new version; refused when it does not compile or when rendering it with the sample
    data exceeds the limits (a template that is too costly is refused before anything uses it)."""
    await RENDERER.check(data.subject, data.body_text, data.body_html, SAMPLE_CONTEXT, limits)
    repo = TemplateRepository(session)
    template = await repo.add(
        Template(
            key=data.key,
            locale=data.locale,
            version=await repo.next_version(data.key, data.locale),
            subject=data.subject,
            body_text=data.body_text,
            body_html=data.body_html,
            created_by=actor.subject,
        )
    )
    await audit.record(
        session, actor=actor, action="template.versioned", entity_type="template",
        entity_id=f"{data.key}:{data.locale}", after={"version": template.version, "subject": data.subject},
    )  # fmt: skip
    return template

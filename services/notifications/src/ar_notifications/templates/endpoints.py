"""HTTP routes for templates."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ar_notifications.templates import service
from ar_notifications.templates.auth import Manager
from ar_notifications.templates.defaults import DEFAULTS
from ar_notifications.templates.repository import TemplateRepository
from ar_notifications.templates.schemas import Preview, PreviewRequest, TemplateCreate, TemplateOut
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute, changes_nothing

router = APIRouter(prefix="/v1/templates", tags=["templates"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Store a new version of a template",
    description=(
        "Subject, text and HTML are Jinja2, rendered in a sandbox, in a process of its own. "
        "A template that does not compile is refused (422 `template_syntax_error`), and so is one "
        "whose rendering with sample data takes longer than the deadline or writes more than the "
        "output cap (422 `template_render_limit`; `NOTIFICATIONS_TEMPLATE_RENDER_TIMEOUT_SECONDS`, "
        "`NOTIFICATIONS_TEMPLATE_MAX_OUTPUT_CHARS`). The same limits apply to previews and deliveries."
    ),
)
async def create_template(
    principal: Manager, body: TemplateCreate, session: DbSession, request: Request
) -> TemplateOut:
    template = await service.create_version(
        session, principal, body, request.app.state.settings.render_limits
    )
    return TemplateOut(
        key=template.key, locale=template.locale, version=template.version, subject=template.subject,
        body_text=template.body_text, body_html=template.body_html, created_by=template.created_by,
        created_at=template.created_at,
    )  # fmt: skip


@router.get("", summary="The templates in use: stored versions, and the shipped defaults not yet overridden")
async def list_templates(_: Manager, session: DbSession) -> list[TemplateOut]:
    stored = {(t.key, t.locale): t for t in await TemplateRepository(session).all_latest()}
    result = [
        TemplateOut(
            key=t.key, locale=t.locale, version=t.version, subject=t.subject, body_text=t.body_text,
            body_html=t.body_html, created_by=t.created_by, created_at=t.created_at,
        )
        for t in stored.values()
    ]  # fmt: skip
    result += [
        service.Resolved(key, locale, 0, d.subject, d.body_text, d.body_html).out()
        for (key, locale), d in DEFAULTS.items()
        if (key, locale) not in stored
    ]
    return sorted(result, key=lambda t: (t.key, t.locale))


@router.post(
    "/preview",
    summary="Render a template with sample data (or the context given)",
    description="A render that exceeds the rendering limits is refused (422 `template_render_limit`).",
)
@changes_nothing  # renders only: nothing is stored or sent, so a retry needs no Idempotency-Key
async def preview(_: Manager, body: PreviewRequest, session: DbSession, request: Request) -> Preview:
    settings = request.app.state.settings
    template, rendered = await service.render_template(
        session, body.key, body.locale,
        body.context if body.context is not None else service.SAMPLE_CONTEXT,
        settings.render_limits, settings.default_locale,
    )  # fmt: skip
    return Preview(
        key=body.key, locale_used=template.locale, subject=rendered.subject, body_text=rendered.body_text,
        body_html=rendered.body_html,
    )  # fmt: skip

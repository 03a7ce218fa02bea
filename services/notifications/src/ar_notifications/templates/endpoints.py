"""HTTP routes for templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ar_notifications.templates import service
from ar_notifications.templates.defaults import DEFAULTS
from ar_notifications.templates.rendering import render
from ar_notifications.templates.repository import TemplateRepository
from ar_notifications.templates.schemas import Preview, PreviewRequest, TemplateCreate, TemplateOut
from ar_shared.auth import Principal, require_scopes
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute, changes_nothing

router = APIRouter(prefix="/v1/templates", tags=["templates"], route_class=ServiceRoute)
Manager = Annotated[Principal, Depends(require_scopes("notifications:manage"))]


@router.post(
    "",
    status_code=201,
    summary="Store a new version of a template",
    description=(
        "Subject, text and HTML are Jinja2, rendered in a sandbox. "
        "A template that does not compile is refused (422)."
    ),
)
async def create_template(principal: Manager, body: TemplateCreate, session: DbSession) -> TemplateOut:
    template = await service.create_version(session, principal, body)
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


@router.post("/preview", summary="Render a template with sample data (or the context given)")
@changes_nothing  # renders only: nothing is stored or sent, so a retry needs no Idempotency-Key
async def preview(_: Manager, body: PreviewRequest, session: DbSession) -> Preview:
    template = await service.resolve(session, body.key, body.locale)
    rendered = render(
        template.subject, template.body_text, template.body_html,
        body.context if body.context is not None else service.SAMPLE_CONTEXT,
    )  # fmt: skip
    return Preview(
        key=body.key, locale_used=template.locale, subject=rendered.subject, body_text=rendered.body_text,
        body_html=rendered.body_html,
    )  # fmt: skip

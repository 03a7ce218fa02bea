"""HTTP routes for letters: a customer's letters, one letter, and its printable page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from ar_notifications.letters.auth import Reader
from ar_notifications.letters.printable import CONTENT_SECURITY_POLICY, printable_html
from ar_notifications.letters.repository import LetterRepository
from ar_notifications.letters.schemas import Letter, LetterDetail
from ar_notifications.models import Delivery
from ar_shared.db import DbSession
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import NotFound
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/letters", tags=["letters"], route_class=ServiceRoute)

HTML = "text/html"
PRINTABLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {HTML: {"schema": {"type": "string"}}}, "description": "The printable page"}
}


@router.get(
    "",
    summary="A customer's letters",
    description=(
        "Every e-mail rendered for a customer (reminders, demand letters, final notices, default "
        "letters, confirmations), newest rendering last, as it was worded when sent. `request_id` "
        "finds the letter a dunning step of collections asked for."
    ),
)
async def list_letters(
    _: Reader,
    session: DbSession,
    page: Paging,
    customer_id: uuid.UUID | None = None,
    request_id: uuid.UUID | None = None,
    template_key: Identifier | None = None,
) -> Page[Letter]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await LetterRepository(session).page(
        limit=page.limit + 1, after_id=after, customer_id=customer_id, request_id=request_id,
        template_key=template_key,
    )  # fmt: skip
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[Letter](items=[Letter.model_validate(d) for d in items], next_cursor=next_cursor)


def wants_html(accept: str | None) -> bool:
    """Whether the Accept header prefers HTML to JSON (a browser's does; none, or */*, is JSON)."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media.lower()] = max(weights.get(media.lower(), 0.0), quality)
    html = weights.get(HTML, 0.0)
    return html > 0 and html > weights.get("application/json", 0.0)


def _printable(letter: Delivery) -> Response:
    return Response(
        printable_html(letter),
        media_type=f"{HTML}; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="letter-{letter.id}.html"',
        },
    )


async def _letter(session: DbSession, letter_id: uuid.UUID) -> Delivery:
    letter = await LetterRepository(session).letter(letter_id)
    if letter is None:
        raise NotFound(f"letter {letter_id} does not exist", code="letter_not_found")
    return letter


@router.get(
    "/{letter_id}",
    summary="One letter",
    description="JSON with the rendered subject and bodies; with `Accept: text/html`, the printable page.",
    response_model=LetterDetail,
    responses=PRINTABLE,
)
async def get_letter(
    _: Reader,
    letter_id: uuid.UUID,
    session: DbSession,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> LetterDetail | Response:
    letter = await _letter(session, letter_id)
    if wants_html(accept):
        return _printable(letter)
    return LetterDetail.model_validate(letter)


@router.get(
    "/{letter_id}/printable",
    summary="One letter as a printable page",
    description=(
        "The rendered HTML body in an A4 page with the addressee, the letter's business date and a "
        "reference line (template key and version, request id). The page runs no script and loads "
        "nothing (Content-Security-Policy)."
    ),
    response_class=Response,
    responses=PRINTABLE,
)
async def printable_letter(_: Reader, letter_id: uuid.UUID, session: DbSession) -> Response:
    return _printable(await _letter(session, letter_id))

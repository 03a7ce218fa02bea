"""Renders templates in Jinja2's sandbox: a template can format data, never reach the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ar_shared.problems import FieldError, Unprocessable

_text = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_html = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def check_syntax(subject: str, body_text: str, body_html: str) -> None:
    """Refuses a template that does not compile, naming the part and line."""
    errors = []
    for field, source, env in (
        ("subject", subject, _text),
        ("body_text", body_text, _text),
        ("body_html", body_html, _html),
    ):
        try:
            env.parse(source)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            errors.append(
                FieldError(
                    field=field,
                    message=f"{exc.message or exc}" + (f" (line {line})" if line else ""),
                    code="template_syntax",
                )
            )
    if errors:
        raise Unprocessable("the template does not compile", code="template_syntax_error", errors=errors)


def render(subject: str, body_text: str, body_html: str, context: dict[str, Any]) -> Rendered:
    try:
        return Rendered(
            subject=_text.from_string(subject).render(context).strip(),
            body_text=_text.from_string(body_text).render(context),
            body_html=_html.from_string(body_html).render(context),
        )
    except TemplateError as exc:
        raise Unprocessable(f"the template cannot be rendered: {exc}", code="template_render_error") from None

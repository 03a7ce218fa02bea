"""API shapes of templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[a-z][a-z0-9_]{1,60}$"
LOCALE_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"


class TemplateCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "first_reminder",
                    "locale": "en",
                    "subject": "Payment reminder for {{ customer_name }}",
                    "body_text": "Dear {{ customer_name }}, ...",
                    "body_html": "<p>Dear {{ customer_name }}, ...</p>",
                }
            ]
        },
    )

    key: str = Field(pattern=KEY_PATTERN)
    locale: str = Field(pattern=LOCALE_PATTERN, examples=["en", "de-DE"])
    subject: str = Field(min_length=1, max_length=500)
    body_text: str = Field(min_length=1, max_length=100_000)
    body_html: str = Field(min_length=1, max_length=200_000)


class TemplateOut(BaseModel):
    key: str
    locale: str
    version: int = Field(description="0: the default shipped with the platform")
    subject: str
    body_text: str
    body_html: str
    created_by: str
    created_at: datetime | None


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=KEY_PATTERN)
    locale: str = Field(default="en", pattern=LOCALE_PATTERN)
    context: dict[str, Any] | None = Field(default=None, description="Omit to render with sample data")


class Preview(BaseModel):
    key: str
    locale_used: str
    subject: str
    body_text: str
    body_html: str

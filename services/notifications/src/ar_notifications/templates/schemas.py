"""API shapes of templates."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import Identifier, JsonObject, Text

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

    key: Identifier = Field(pattern=KEY_PATTERN)
    locale: Identifier = Field(pattern=LOCALE_PATTERN, examples=["en", "de-DE"])
    subject: Text = Field(min_length=1, max_length=500)
    body_text: Text = Field(min_length=1, max_length=100_000)
    body_html: Text = Field(min_length=1, max_length=200_000)


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

    key: Identifier = Field(pattern=KEY_PATTERN)
    locale: Identifier = Field(default="en", pattern=LOCALE_PATTERN)
    context: JsonObject | None = Field(default=None, description="Omit to render with sample data")


class Preview(BaseModel):
    key: str
    locale_used: str
    subject: str
    body_text: str
    body_html: str

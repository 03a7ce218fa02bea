"""Notifications settings, read from NOTIFICATIONS_* environment variables."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ar_notifications.templates.rendering import RenderLimits
from ar_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifications"
    port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Accounts Receivable <ar@example.com>"
    webhook_secret: SecretStr = SecretStr("dev-only-webhook-secret")
    webhook_allowed_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description=(
            "Networks webhooks may reach although they are not public (loopback, private, ...), "
            'as CIDRs, e.g. ["127.0.0.1/32"] for a receiver on this machine'
        ),
    )
    max_attempts: int = Field(default=5, ge=1)
    retry_backoff_seconds: float = Field(default=30.0, ge=0)
    dispatch_interval_seconds: float = Field(default=2.0, gt=0)
    contact_hours_start: time = Field(
        default=time(8, 0), description="Earliest local time to write to a customer"
    )
    contact_hours_end: time = Field(
        default=time(18, 0), description="Latest local time to write to a customer"
    )
    default_locale: str = "en"
    template_render_timeout_seconds: float = Field(
        default=2.0, gt=0, description="Longest a template may take to render (on save, preview, delivery)"
    )
    template_max_output_chars: int = Field(
        default=2_000_000, ge=1000, description="Most characters a rendered message (subject, text, HTML) has"
    )

    @property
    def render_limits(self) -> RenderLimits:
        return RenderLimits(self.template_render_timeout_seconds, self.template_max_output_chars)

    order_system_webhook_url: str | None = Field(
        default=None,
        description=(
            "Where credit decision changes (blocked orders released) are sent as signed webhooks; "
            "unset: not sent. Judged by the same rules as every webhook target"
        ),
    )

    @field_validator("order_system_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("the order system's webhook is an http(s) URL")
        return value


@lru_cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()

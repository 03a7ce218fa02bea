"""Notifications settings, read from NOTIFICATIONS_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from ar_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifications"
    port: int = 8004


@lru_cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()

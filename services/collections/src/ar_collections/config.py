"""Collections settings, read from COLLECTIONS_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from ar_shared.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COLLECTIONS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "collections"
    port: int = 8003


@lru_cache
def get_settings() -> CollectionsSettings:
    return CollectionsSettings()

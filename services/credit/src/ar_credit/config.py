"""Credit settings, read from CREDIT_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from ar_shared.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "credit"
    port: int = 8002


@lru_cache
def get_settings() -> CreditSettings:
    return CreditSettings()

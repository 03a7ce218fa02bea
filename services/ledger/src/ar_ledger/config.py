"""Ledger settings, read from LEDGER_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from ar_shared.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "ledger"
    port: int = 8001


@lru_cache
def get_settings() -> LedgerSettings:
    return LedgerSettings()

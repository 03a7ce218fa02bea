"""Ledger settings, read from LEDGER_* environment variables."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ar_ledger.domain.aging import DEFAULT_EDGES, validate_edges
from ar_shared.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "ledger"
    port: int = 8001
    aging_edges: tuple[int, ...] = Field(
        default=DEFAULT_EDGES, description="Default bucket edges, e.g. [30,60,90,120]"
    )
    business_time_zone: str = Field(
        default="UTC", description="Time zone whose calendar date is the business date"
    )
    past_due_sweep_at: time = Field(default=time(2, 0), description="Local time of the daily past-due sweep")

    @field_validator("aging_edges")
    @classmethod
    def _edges(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return validate_edges(value)

    @field_validator("business_time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for unknown zones
        return value


@lru_cache
def get_settings() -> LedgerSettings:
    return LedgerSettings()

"""Ledger settings, read from LEDGER_* environment variables."""

from __future__ import annotations

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
        default="UTC",
        description="Time zone of a business entity's calendar until one is set (PUT /v1/business-dates)",
    )
    close_of_business_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the worker closes the entities whose calendar date turned",
    )
    max_business_days_per_change: int = Field(
        default=366,
        ge=1,
        le=3660,
        description="Most days one PUT of a business date (or one worker transaction) closes",
    )

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

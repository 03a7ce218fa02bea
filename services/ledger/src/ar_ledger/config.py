"""Ledger settings, read from LEDGER_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ar_ledger.domain.aging import DEFAULT_EDGES, validate_edges
from ar_ledger.domain.reasons import CREDIT_MEMO_REASONS, REFUND_REASONS, WRITE_OFF_REASONS, validate_codes
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
    credit_memo_reason_codes: tuple[str, ...] = Field(
        default=CREDIT_MEMO_REASONS, description="Reason codes a credit memo may carry (JSON list)"
    )
    write_off_reason_codes: tuple[str, ...] = Field(
        default=WRITE_OFF_REASONS, description="Reason codes a write-off must carry (JSON list)"
    )
    refund_reason_codes: tuple[str, ...] = Field(
        default=REFUND_REASONS, description="Reason codes a refund must carry (JSON list)"
    )
    refund_approval_threshold: Decimal = Field(
        default=Decimal(1000),
        ge=0,
        description="A refund above this amount (in its currency) waits for a second approver",
    )

    @field_validator("credit_memo_reason_codes", "write_off_reason_codes", "refund_reason_codes")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return validate_codes(value)

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


async def _app_settings(request: Request) -> LedgerSettings:  # a coroutine: no worker thread
    settings: LedgerSettings = request.app.state.settings
    return settings


# the settings the app was built with (tests build apps with their own)
AppSettings = Annotated[LedgerSettings, Depends(_app_settings)]

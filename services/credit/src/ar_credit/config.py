"""Credit settings, read from CREDIT_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ar_credit.exposure.picture import CreditRules
from ar_shared.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "credit"
    port: int = 8002
    include_disputed_in_exposure: bool = Field(
        default=True, description="Count disputed invoice amounts in exposure (the credit check and policies)"
    )
    business_time_zone: str = Field(
        default="UTC",
        description="Calendar of a business entity until the ledger announces its own (BusinessDateChanged)",
    )
    limit_approval_threshold: Decimal = Field(
        default=Decimal("10000"),
        description="A limit increase above this (in the customer's currency) needs a second manager",
    )

    @field_validator("business_time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for unknown zones
        return value

    @property
    def rules(self) -> CreditRules:
        return CreditRules(self.include_disputed_in_exposure, self.business_time_zone)


@lru_cache
def get_settings() -> CreditSettings:
    return CreditSettings()

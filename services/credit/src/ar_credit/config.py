"""Credit settings, read from CREDIT_* environment variables."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ar_shared.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "credit"
    port: int = 8002
    include_disputed_in_exposure: bool = Field(
        default=True, description="Count disputed invoice amounts in exposure (the credit check and policies)"
    )
    business_time_zone: str = Field(default="UTC", description="Whose calendar date counts days past due")
    limit_approval_threshold: Decimal = Field(
        default=Decimal("10000"),
        description="A limit increase above this (in the customer's currency) needs a second manager",
    )
    policy_check_at: time = Field(
        default=time(2, 30), description="Local time of the daily policy evaluation"
    )


@lru_cache
def get_settings() -> CreditSettings:
    return CreditSettings()

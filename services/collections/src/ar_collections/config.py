"""Collections settings, read from COLLECTIONS_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ar_collections.domain.aging import DEFAULT_EDGES, validate_edges
from ar_shared.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COLLECTIONS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "collections"
    port: int = 8003
    business_time_zone: str = Field(
        default="UTC",
        description="Time zone of an entity's calendar until the ledger announces its business date",
    )
    aging_edges: tuple[int, ...] = Field(
        default=DEFAULT_EDGES, description="Upper day of each past-due bucket"
    )
    assignment_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the worker re-assesses balance bands of accounts that moved",
    )
    known_template_keys: tuple[str, ...] = Field(
        default=(
            "pre_due_reminder",
            "first_reminder",
            "second_reminder",
            "demand_letter",
            "final_notice",
            "default_letter",
        ),
        description="Template keys a strategy step may name (the notifications service's shipped "
        "dunning templates by default; add the keys of templates stored there)",
    )
    dunning_catch_up: Literal["highest", "every"] = Field(
        default="highest",
        description="A run that skips days fires the highest due step only, or every step crossed",
    )
    strategy_run_chunk: int = Field(
        default=500, ge=1, description="Accounts per transaction of a strategy run"
    )
    strategy_run_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often the worker starts the runs business date changes asked for"
    )
    view_open_items_limit: int = Field(default=200, ge=1, description="Open items the account view lists")

    @field_validator("business_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @field_validator("aging_edges")
    @classmethod
    def _valid_edges(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return validate_edges(value)


@lru_cache
def get_settings() -> CollectionsSettings:
    return CollectionsSettings()

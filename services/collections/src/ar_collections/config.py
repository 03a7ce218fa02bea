"""Collections settings, read from COLLECTIONS_* environment variables."""

from __future__ import annotations

from functools import lru_cache
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

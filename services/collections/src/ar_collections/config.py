"""Collections settings, read from COLLECTIONS_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from ar_collections.domain.aging import DEFAULT_EDGES, validate_edges
from ar_shared.settings import ServiceSettings

DOCUMENT_UPLOAD_OVERHEAD = 65_536
"""Bytes an upload's JSON takes besides the base64 content (names, description, punctuation)."""


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
    red_flag_job_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often the worker runs the red-flag jobs business date changes asked for",
    )
    red_flag_job_retry_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a failed red-flag job waits before its next attempt, doubled per failure",
    )
    red_flag_job_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="The longest a failed red-flag job waits between attempts"
    )
    promise_tolerance_days: int = Field(
        default=3, ge=0, le=60, description="Days after the promised date a payment still keeps a promise"
    )
    broken_promises_escalate_after: int = Field(
        default=3,
        ge=0,
        description="The account escalates to the manager at this many broken promises (and each as many "
        "more); 0: never",
    )
    plan_tolerance_days: int = Field(
        default=5, ge=0, le=60, description="Days after an instalment's due date before it counts as missed"
    )
    view_open_items_limit: int = Field(default=200, ge=1, description="Open items the account view lists")
    dispute_due_days: int = Field(
        default=30, ge=1, le=365, description="A dispute or deduction is due this many days after it opens"
    )
    short_payment_write_off_tolerance: dict[str, Decimal] = Field(
        default_factory=lambda: {"EUR": Decimal("5.00"), "USD": Decimal("5.00"), "GBP": Decimal("5.00")},
        description="Per currency: a short-paid residual under this is recommended for write-off "
        "instead of opening a deduction case (a currency not listed: always a deduction)",
    )
    document_max_bytes: int = Field(
        default=10_485_760,
        ge=1,
        description="Largest evidence file accepted (bytes); its base64 must fit the bulk body cap "
        "(`MAX_BULK_BODY_BYTES`)",
    )
    write_off_reason_codes: tuple[str, ...] = Field(
        default=("small_balance", "uncollectable", "bankruptcy", "dispute_settlement", "goodwill", "other"),
        description="The ledger's write-off reason codes a recommendation may carry",
    )
    short_payment_write_off_reason: str = Field(
        default="small_balance", description="Reason code of a short payment's write-off recommendation"
    )

    red_flag_add_rising_months: int = Field(
        default=3, ge=1, le=11, description="Red flag: ADD rising this many months running"
    )
    red_flag_broken_promises: int = Field(
        default=3, ge=0, description="Red flag: this many promises broken within the window; 0: never"
    )
    red_flag_broken_promises_window_days: int = Field(
        default=90, ge=1, le=3650, description="The window the broken promises are counted in"
    )
    red_flag_credit_use_percent: Decimal = Field(
        default=Decimal(90), gt=0, description="Red flag: open AR above this share of the credit limit"
    )
    red_flag_lookback_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="A bounced payment or a broken promise older than this is history: no flag raised for it",
    )
    red_flag_escalation_level: Literal["manager", "department"] = Field(
        default="department", description="Red flags escalate to the team's manager, or to a department"
    )
    red_flag_department: str = Field(
        default="credit", min_length=1, description="The department red flags go to (level department)"
    )

    @field_validator("business_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @model_validator(mode="after")
    def _documents_fit_the_body_cap(self) -> Self:
        # base64 grows a file by 4/3; the rest of the upload's JSON is a few hundred bytes
        needed = 4 * -(-self.document_max_bytes // 3) + DOCUMENT_UPLOAD_OVERHEAD
        if needed > self.max_bulk_body_bytes:
            raise ValueError(
                f"document_max_bytes {self.document_max_bytes} needs a bulk body cap of {needed} bytes "
                f"(max_bulk_body_bytes is {self.max_bulk_body_bytes})"
            )
        return self

    @field_validator("aging_edges")
    @classmethod
    def _valid_edges(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return validate_edges(value)


@lru_cache
def get_settings() -> CollectionsSettings:
    return CollectionsSettings()

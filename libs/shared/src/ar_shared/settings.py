"""One settings pattern for every service: environment variables with a per-service prefix."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ar_shared.auth import AuthSettings

LOCAL_PG = "127.0.0.1:55432"
LOCAL_KAFKA = "127.0.0.1:59092"


def local_database_url(service: str, role: Literal["app", "owner"], database: str = "ar") -> str:
    """The development URL for a service's role on the local stack (password = role name)."""
    name = f"ar_{service}_{role}"
    return f"postgresql+asyncpg://{name}:{name}@{LOCAL_PG}/{database}"


class ServiceSettings(BaseSettings):
    """Settings every service shares. Subclasses set `env_prefix` (e.g. ``LEDGER_``).

    Nested values use a double underscore: ``LEDGER_AUTH__HS256_SECRET``.
    """

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    database_url: SecretStr = SecretStr("")
    migration_database_url: SecretStr = SecretStr("")
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    kafka_bootstrap_servers: str = LOCAL_KAFKA
    kafka_client_id: str = ""
    kafka_topic_prefix: str = ""
    kafka_topic_partitions: int = Field(default=3, ge=1)
    worker_metrics_port: int | None = Field(default=None, description="Prometheus port of the worker")
    auth: AuthSettings = Field(default_factory=AuthSettings)
    outbox_poll_interval_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_retention_hours: int = Field(default=72, ge=1)
    consumer_max_retries: int = Field(default=5, ge=0)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    consumer_retry_backoff_max_seconds: float = Field(default=10.0, ge=0)
    consumer_max_batch: int = Field(
        default=1000, ge=1, description="Events a consumer applies in one transaction at most"
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=50,
        ge=0,
        le=500,
        description="How long Kafka holds a consumer's fetch that finds nothing new (bounds an event's wait)",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body a route takes")
    max_bulk_body_bytes: int = Field(
        default=16_777_216, ge=1024, description="Largest body of a bulk route (10,000 invoices fit)"
    )

    @model_validator(mode="after")
    def _fill_local_defaults(self) -> Self:
        if not self.database_url.get_secret_value():
            self.database_url = SecretStr(local_database_url(self.service_name, "app"))
        if not self.migration_database_url.get_secret_value():
            self.migration_database_url = SecretStr(local_database_url(self.service_name, "owner"))
        if not self.kafka_client_id:
            self.kafka_client_id = f"ar-{self.service_name}"
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Self:
        if self.environment != "production":
            return self
        if self.auth.algorithm == "HS256" and self.auth.is_default_secret():
            raise ValueError("production refuses the development JWT secret: set AUTH__HS256_SECRET")
        for url in (self.database_url, self.migration_database_url):
            dev = (
                local_database_url(self.service_name, "app"),
                local_database_url(self.service_name, "owner"),
            )
            if url.get_secret_value() in dev:
                raise ValueError("production refuses the development database credentials")
        return self

"""A worker's consumer takes its Kafka fetch settings from the service's environment, like the rest."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from ar_shared.consumer import ConsumerSettings
from ar_shared.settings import ServiceSettings
from ar_shared.worker import consumer_settings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "demo"


def test_the_fetch_wait_is_short_by_default_not_kafkas_500_ms() -> None:
    settings = DemoSettings()
    assert settings.consumer_fetch_max_wait_ms == 50
    assert consumer_settings(settings).fetch_max_wait_ms == 50
    assert ConsumerSettings(group_id="g", bootstrap_servers="b").fetch_max_wait_ms == 50


def test_the_fetch_wait_follows_the_environment_into_the_workers_consumer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_CONSUMER_FETCH_MAX_WAIT_MS", "20")
    monkeypatch.setenv("DEMO_CONSUMER_MAX_BATCH", "300")
    monkeypatch.setenv("DEMO_KAFKA_TOPIC_PREFIX", "x.")
    built = consumer_settings(DemoSettings())
    assert built.fetch_max_wait_ms == 20
    assert built.max_batch == 300
    assert built.group_id == "x.ar-demo"


@pytest.mark.parametrize("value", ["-1", "501", "soon"])
def test_a_fetch_wait_outside_0_to_500_ms_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DEMO_CONSUMER_FETCH_MAX_WAIT_MS", value)
    with pytest.raises(ValidationError, match="consumer_fetch_max_wait_ms"):
        DemoSettings()

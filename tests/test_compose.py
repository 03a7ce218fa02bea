"""docker-compose.yml runs the same stack as `make up`: checked structurally (no Docker engine here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ar_shared.provisioning import SERVICES, provisioning_sql

ROOT = Path(__file__).resolve().parents[1]
PORTS = {"ledger": 8001, "credit": 8002, "collections": 8003, "notifications": 8004}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = document["services"]
    return services


def test_every_container_of_the_platform_is_declared(compose: dict[str, Any]) -> None:
    expected = {"postgres", "kafka", "smtp"} | {
        f"{s}-{k}" for s in SERVICES for k in ("migrate", "api", "worker")
    }
    assert set(compose) == expected


@pytest.mark.parametrize("service", SERVICES)
def test_api_is_published_on_its_documented_loopback_port(compose: dict[str, Any], service: str) -> None:
    assert compose[f"{service}-api"]["ports"] == [f"127.0.0.1:{PORTS[service]}:8000"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_connects_as_its_own_roles(compose: dict[str, Any], service: str) -> None:
    prefix = service.upper()
    api_env = compose[f"{service}-api"]["environment"]
    assert f"ar_{service}_app:" in api_env[f"{prefix}_DATABASE_URL"]
    assert "@postgres:5432/ar" in api_env[f"{prefix}_DATABASE_URL"]
    assert api_env[f"{prefix}_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert f"{prefix}_AUTH__HS256_SECRET" in api_env
    assert compose[f"{service}-worker"]["environment"] == api_env
    migrate_env = compose[f"{service}-migrate"]["environment"]
    assert f"ar_{service}_owner:" in migrate_env[f"{prefix}_MIGRATION_DATABASE_URL"]
    others = [s for s in SERVICES if s != service]
    every_value = " ".join(str(v) for v in (*api_env.values(), *migrate_env.values()))
    assert not any(f"ar_{other}_" in every_value for other in others)


@pytest.mark.parametrize("service", SERVICES)
def test_start_order_waits_for_health_and_migrations(compose: dict[str, Any], service: str) -> None:
    api = compose[f"{service}-api"]["depends_on"]
    assert api["postgres"] == {"condition": "service_healthy"}
    assert api["kafka"] == {"condition": "service_healthy"}
    assert api[f"{service}-migrate"] == {"condition": "service_completed_successfully"}
    assert compose[f"{service}-worker"]["depends_on"] == {f"{service}-api": {"condition": "service_healthy"}}
    assert compose[f"{service}-migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert compose[f"{service}-migrate"]["command"][:3] == [
        "alembic",
        "-c",
        f"services/{service}/alembic.ini",
    ]


def test_long_running_containers_have_healthchecks(compose: dict[str, Any]) -> None:
    for name in ("postgres", "kafka", "smtp", *(f"{s}-api" for s in SERVICES)):
        assert compose[name]["healthcheck"]["test"], name
        if name.endswith("-api"):
            assert "/health/ready" in " ".join(compose[name]["healthcheck"]["test"])


def test_images_are_built_from_the_repository_dockerfile(compose: dict[str, Any]) -> None:
    assert (ROOT / "Dockerfile").is_file()
    assert all(compose[f"{s}-{k}"]["build"] == "." for s in SERVICES for k in ("migrate", "api", "worker"))


def test_database_init_script_is_the_provisioning_sql() -> None:
    script = (ROOT / "deploy/compose/initdb/10-provision.sql").read_text().splitlines()
    expected = [line for s in provisioning_sql("ar") for line in (s.strip() + ";").splitlines()]
    assert [line for line in script if not line.startswith("--")] == expected, (
        "regenerate: uv run python -m ar_shared.provisioning ar (see the file's first line)"
    )


def test_notifications_send_through_the_smtp_sink(compose: dict[str, Any]) -> None:
    env = compose["notifications-api"]["environment"]
    assert (env["NOTIFICATIONS_SMTP_HOST"], env["NOTIFICATIONS_SMTP_PORT"]) == ("smtp", "1025")
    assert compose["notifications-api"]["depends_on"]["smtp"] == {"condition": "service_healthy"}

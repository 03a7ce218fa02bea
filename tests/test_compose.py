"""docker-compose.yml runs the same stack as `make up`: checked structurally (no Docker engine here).

The PostgreSQL init script is generated from ar_shared.provisioning; after changing that module,
regenerate it with:

    uv run --no-sync python -m ar_shared.provisioning ar > deploy/compose/initdb/10-provision.sql
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from ar_collections.config import CollectionsSettings
from ar_credit.config import CreditSettings
from ar_ledger.config import LedgerSettings
from ar_notifications.config import NotificationsSettings
from ar_shared.auth import TokenVerifier
from ar_shared.auth.devtoken import main as dev_token
from ar_shared.auth.tokens import DEV_SECRET
from ar_shared.provisioning import SERVICES, provisioning_sql
from ar_shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
PORTS = {"ledger": 8001, "credit": 8002, "collections": 8003, "notifications": 8004}
SETTINGS: dict[str, type[ServiceSettings]] = {
    "ledger": LedgerSettings,
    "credit": CreditSettings,
    "collections": CollectionsSettings,
    "notifications": NotificationsSettings,
}
LONG_RUNNING = ("postgres", "kafka", "smtp", *(f"{s}-{k}" for s in SERVICES for k in ("api", "worker")))
APP_CONTAINERS = [f"{s}-{k}" for s in SERVICES for k in ("migrate", "api", "worker")]
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+):-(?P<default>[^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = document["services"]
    return services


def environment(compose: dict[str, Any], container: str) -> dict[str, str]:
    """A container's environment as compose passes it when no AR_* variable is set."""
    env: dict[str, Any] = compose[container]["environment"]
    return {key: INTERPOLATION.sub(lambda m: m["default"], str(value)) for key, value in env.items()}


def settings_from(monkeypatch: pytest.MonkeyPatch, service: str, env: dict[str, str]) -> ServiceSettings:
    """The service's settings as its process inside the container would read them."""
    prefix = f"{service.upper()}_"
    with monkeypatch.context() as patch:
        for key in [k for k in os.environ if k.startswith(prefix)]:
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        return SETTINGS[service]()


def test_every_container_of_the_platform_is_declared(compose: dict[str, Any]) -> None:
    assert set(compose) == {"postgres", "kafka", "smtp", *APP_CONTAINERS}


@pytest.mark.parametrize("service", SERVICES)
def test_api_is_published_on_its_documented_loopback_port(compose: dict[str, Any], service: str) -> None:
    assert compose[f"{service}-api"]["ports"] == [f"127.0.0.1:{PORTS[service]}:8000"]


def test_nothing_is_published_beyond_the_loopback_interface(compose: dict[str, Any]) -> None:
    published = [port for spec in compose.values() for port in spec.get("ports", [])]
    assert published, "the APIs and the mail UI are published"
    assert all(str(port).startswith("127.0.0.1:") for port in published), published


@pytest.mark.parametrize("service", SERVICES)
def test_api_and_worker_run_the_services_own_entry_points(compose: dict[str, Any], service: str) -> None:
    scripts = tomllib.loads((ROOT / f"services/{service}/pyproject.toml").read_text())["project"]["scripts"]
    assert compose[f"{service}-api"]["command"][:7] == [
        "uvicorn",
        f"ar_{service}.main:create_app",
        "--factory",
        "--host",
        "0.0.0.0",  # noqa: S104 - inside the container; published on 127.0.0.1 only
        "--port",
        "8000",
    ]
    assert compose[f"{service}-worker"]["command"] == [f"ar-{service}-worker"]
    assert f"ar-{service}-worker" in scripts


@pytest.mark.parametrize("service", SERVICES)
def test_api_and_worker_connect_as_the_services_runtime_role(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    env = environment(compose, f"{service}-api")
    settings = settings_from(monkeypatch, service, env)
    app_role = f"ar_{service}_app"
    assert settings.database_url.get_secret_value() == (
        f"postgresql+asyncpg://{app_role}:{app_role}@postgres:5432/ar"
    )
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.auth.hs256_secret.get_secret_value() == DEV_SECRET
    assert environment(compose, f"{service}-worker") == env


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_run_as_the_schema_owner(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    migrate = compose[f"{service}-migrate"]
    assert migrate["command"] == ["alembic", "-c", f"services/{service}/alembic.ini", "upgrade", "head"]
    assert (ROOT / f"services/{service}/alembic.ini").is_file()
    settings = settings_from(monkeypatch, service, environment(compose, f"{service}-migrate"))
    owner = f"ar_{service}_owner"
    assert settings.migration_database_url.get_secret_value() == (
        f"postgresql+asyncpg://{owner}:{owner}@postgres:5432/ar"
    )
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_is_given_another_services_roles_or_settings(
    compose: dict[str, Any], service: str
) -> None:
    others = [s for s in SERVICES if s != service]
    for kind in ("migrate", "api", "worker"):
        env = environment(compose, f"{service}-{kind}")
        assert all(key.startswith(f"{service.upper()}_") for key in env), env
        values = " ".join(env.values())
        assert not any(f"ar_{other}_" in values for other in others), (kind, values)


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_every_variable_names_a_setting_the_service_reads(compose: dict[str, Any], container: str) -> None:
    # the settings ignore unknown variables, so a misspelt name would silently change nothing
    service = container.rsplit("-", 1)[0]
    fields = SETTINGS[service].model_fields
    for key in compose[container]["environment"]:
        name = key.removeprefix(f"{service.upper()}_").lower()
        assert name.split("__", 1)[0] in fields, f"{container}: {key} is not a setting"


def test_only_documented_host_variables_are_interpolated() -> None:
    names = set(INTERPOLATION.findall((ROOT / "docker-compose.yml").read_text()))
    assert {name for name, _ in names} == {"AR_JWT_SECRET", "AR_POSTGRES_PASSWORD"}


async def test_dev_tokens_are_accepted_by_the_compose_services(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AR_JWT_SECRET", raising=False)
    dev_token(["--sub", "alice", "--scope", "ledger:read"])
    token = capsys.readouterr().out.strip()
    settings = settings_from(monkeypatch, "ledger", environment(compose, "ledger-api"))
    principal = await TokenVerifier(settings.auth).verify(token)
    assert (principal.subject, principal.scopes) == ("alice", frozenset({"ledger:read"}))


def test_notifications_send_through_the_smtp_sink(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from(monkeypatch, "notifications", environment(compose, "notifications-worker"))
    assert isinstance(settings, NotificationsSettings)
    assert (settings.smtp_host, settings.smtp_port) == ("smtp", 1025)
    assert compose["notifications-api"]["depends_on"]["smtp"] == {"condition": "service_healthy"}
    assert "127.0.0.1:8025:8025" in compose["smtp"]["ports"]


@pytest.mark.parametrize("service", SERVICES)
def test_start_order_waits_for_health_and_migrations(compose: dict[str, Any], service: str) -> None:
    api = compose[f"{service}-api"]["depends_on"]
    assert api["postgres"] == {"condition": "service_healthy"}
    assert api["kafka"] == {"condition": "service_healthy"}
    assert api[f"{service}-migrate"] == {"condition": "service_completed_successfully"}
    assert compose[f"{service}-worker"]["depends_on"] == {f"{service}-api": {"condition": "service_healthy"}}
    assert compose[f"{service}-migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("container", LONG_RUNNING)
def test_long_running_containers_have_healthchecks(compose: dict[str, Any], container: str) -> None:
    check = " ".join(compose[container]["healthcheck"]["test"])
    if container.endswith("-api"):
        assert "http://127.0.0.1:8000/health/ready" in check
    if container.endswith("-worker"):
        service = container.removesuffix("-worker")
        port = environment(compose, container)[f"{service.upper()}_WORKER_METRICS_PORT"]
        assert f"http://127.0.0.1:{port}/metrics" in check
        assert environment(compose, container)[f"{service.upper()}_HOST"] == "0.0.0.0"  # noqa: S104


def test_postgres_turns_healthy_only_after_the_init_scripts(compose: dict[str, Any]) -> None:
    postgres = compose["postgres"]
    # the entrypoint's temporary server (running initdb.d) has no TCP listener
    assert postgres["healthcheck"]["test"][:4] == ["CMD", "pg_isready", "-h", "127.0.0.1"]
    assert postgres["environment"]["POSTGRES_DB"] == "ar"
    assert "./deploy/compose/initdb:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]


def test_kafka_is_the_version_and_address_the_services_use(compose: dict[str, Any]) -> None:
    kafka = compose["kafka"]
    local_version = re.search(r"AR_KAFKA_VERSION:-([\d.]+)", (ROOT / "deploy/env.sh").read_text())
    assert local_version is not None
    assert kafka["image"] == f"apache/kafka:{local_version[1]}"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"


def test_images_are_built_from_the_repository_dockerfile(compose: dict[str, Any]) -> None:
    for container in APP_CONTAINERS:
        build = compose[container]["build"]
        if isinstance(build, str):  # the short form names the context only
            build = {"context": build}
        assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")).is_file(), container


def test_image_installs_the_lock_and_runs_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "uv sync --frozen --all-packages --no-dev" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1] not in {"root", "0"}
    assert not re.search(r"^HEALTHCHECK", dockerfile, flags=re.MULTILINE)  # compose defines them


def test_database_init_script_is_the_provisioning_sql() -> None:
    script = (ROOT / "deploy/compose/initdb/10-provision.sql").read_text()
    expected = "\n".join(s.strip() + ";" for s in provisioning_sql("ar")) + "\n"
    assert script == expected, "regenerate it: see this module's docstring"


def test_kafka_keeps_every_event_so_projections_can_be_rebuilt(compose: dict[str, Any]) -> None:
    """`ar-collections-rebuild` replays the topics from their first event: nothing may expire."""
    environment = compose["kafka"]["environment"]
    assert (environment["KAFKA_LOG_RETENTION_MS"], environment["KAFKA_LOG_RETENTION_BYTES"]) == ("-1", "-1")
    assert environment["KAFKA_LOG_CLEANUP_POLICY"] == "delete"
    local = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy/kafka/server.properties.tmpl").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert (local["log.retention.ms"], local["log.retention.bytes"], local["log.cleanup.policy"]) == (
        "-1",
        "-1",
        "delete",
    )

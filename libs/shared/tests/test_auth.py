"""Bearer JWT auth: 401 without or with a bad token, 403 without the scope, HS256, RS256 and JWKS."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI, Request
from pydantic import SecretStr, ValidationError

from ar_shared.auth import AuthSettings, Principal, TokenVerifier, mint_token, require_scopes
from ar_shared.auth.devtoken import main as dev_token
from ar_shared.auth.tokens import DEV_SECRET
from ar_shared.clock import ManualClock
from ar_shared.problems import ProblemError, Unauthorized, install_problem_handlers
from ar_shared.testing.clock import TEST_CLOCK


def guarded_app(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(settings)

    @app.post("/v1/things", dependencies=[Depends(require_scopes("ledger:write"))])
    async def write(request: Request) -> dict[str, str]:
        principal: Principal = request.state.principal  # what the audit log reads
        return {"subject": principal.subject}

    @app.get("/v1/things")
    async def read(
        principal: Annotated[Principal, Depends(require_scopes("ledger:read"))],
    ) -> dict[str, str | list[str]]:
        return {"subject": principal.subject, "scopes": sorted(principal.scopes)}

    return app


@asynccontextmanager
async def client_for(settings: AuthSettings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=guarded_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(AuthSettings()) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, {"Authorization": "Bearer "}]
)
async def test_no_bearer_token_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/v1/things", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "missing_token"
    assert response.json()["status"] == 401


@pytest.mark.parametrize(
    "token",
    [
        mint_token(AuthSettings(), "a", ["ledger:write"], ttl_seconds=-120),
        mint_token(AuthSettings(audience="someone-else"), "a", ["ledger:write"]),
        mint_token(AuthSettings(issuer="another-issuer"), "a", ["ledger:write"]),
        mint_token(
            AuthSettings(hs256_secret=SecretStr("another-secret-of-at-least-32-chars!")),
            "a",
            ["ledger:write"],
        ),
        jwt.encode({"sub": "a", "scope": "ledger:write"}, DEV_SECRET, algorithm="HS256"),
        jwt.encode(
            {"sub": "a", "scope": "admin", "aud": "ar-platform", "iss": "ar-platform-dev"}, "", "none"
        ),
        "not.a.jwt",
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "bad-signature", "no-claims", "alg-none", "garbage"],
)
async def test_bad_tokens_are_401_invalid_token(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post("/v1/things", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_expired_token_says_it_expired(client: httpx.AsyncClient) -> None:
    token = mint_token(AuthSettings(), "a", ["ledger:write"], ttl_seconds=-120)
    response = await client.post("/v1/things", headers=bearer(token))
    assert response.json()["detail"] == "the token has expired"


async def test_token_within_the_clock_leeway_is_accepted(client: httpx.AsyncClient) -> None:
    token = mint_token(AuthSettings(), "a", ["ledger:write"], ttl_seconds=-5)
    response = await client.post("/v1/things", headers=bearer(token))
    assert response.status_code == 200


async def test_missing_scope_is_403_insufficient_scope(client: httpx.AsyncClient) -> None:
    token = mint_token(AuthSettings(), "a", ["ledger:read"])
    response = await client.post("/v1/things", headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="ledger:write"'


@pytest.mark.parametrize("scopes", [["ledger:write"], ["ledger:read", "ledger:write"], ["admin"]])
async def test_the_scope_or_admin_lets_the_caller_in(client: httpx.AsyncClient, scopes: list[str]) -> None:
    response = await client.post("/v1/things", headers=bearer(mint_token(AuthSettings(), "erp", scopes)))
    assert response.status_code == 200
    assert response.json() == {"subject": "erp"}


async def test_scopes_may_come_as_an_scp_list(client: httpx.AsyncClient) -> None:
    claims = {"sub": "svc", "scp": ["ledger:read", "x"], "iss": "ar-platform-dev", "aud": "ar-platform"}
    token = jwt.encode({**claims, "exp": 2**40}, DEV_SECRET, algorithm="HS256")
    response = await client.get("/v1/things", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"subject": "svc", "scopes": ["ledger:read", "x"]}


def test_openapi_shows_the_bearer_scheme_on_guarded_routes() -> None:
    spec = guarded_app(AuthSettings()).openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "JWT from the platform's identity provider",
    }
    assert spec["paths"]["/v1/things"]["post"]["security"] == [{"HTTPBearer": []}]


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str
    public_jwk: dict[str, str]


def generate_key_pair(kid: str = "key-1") -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return KeyPair(private_pem, public_pem, {**jwk, "kid": kid, "use": "sig", "alg": "RS256"})


@pytest.fixture(scope="module")
def key_pair() -> KeyPair:
    return generate_key_pair()


async def test_rs256_tokens_verify_with_the_public_key(key_pair: KeyPair) -> None:
    settings = AuthSettings(algorithm="RS256", rs256_public_key=key_pair.public_pem)
    token = mint_token(settings, "idp-user", ["ledger:write"], private_key_pem=key_pair.private_pem)
    async with client_for(settings) as c:
        response = await c.post("/v1/things", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"subject": "idp-user"}


async def test_rs256_refuses_hs256_tokens_and_other_keys(key_pair: KeyPair) -> None:
    settings = AuthSettings(algorithm="RS256", rs256_public_key=key_pair.public_pem)
    verifier = TokenVerifier(settings)
    # a token whose header picks HS256: the verifier uses only the configured algorithm
    forged = jwt.encode(
        {"sub": "x", "scope": "admin", "aud": "ar-platform", "iss": "ar-platform-dev", "exp": 2**40},
        DEV_SECRET,
        algorithm="HS256",
    )
    other = mint_token(settings, "x", ["admin"], private_key_pem=generate_key_pair().private_pem)
    for token in (forged, other):
        with pytest.raises(Unauthorized) as raised:
            await verifier.verify(token)
        assert raised.value.code == "invalid_token"


def test_settings_refuse_rs256_without_a_key_and_short_secrets() -> None:
    with pytest.raises(ValidationError, match="rs256_public_key"):
        AuthSettings(algorithm="RS256")
    with pytest.raises(ValidationError, match="PEM"):
        AuthSettings(algorithm="RS256", rs256_public_key="not a key")
    with pytest.raises(ValidationError, match="at least 32"):
        AuthSettings(hs256_secret=SecretStr("short"))
    assert AuthSettings().is_default_secret()
    assert not AuthSettings(hs256_secret=SecretStr("s" * 32)).is_default_secret()


@pytest.fixture
def jwks_url(key_pair: KeyPair) -> Iterator[str]:
    body = json.dumps({"keys": [key_pair.public_jwk]}).encode()

    class JwksHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()
    thread.join()


async def test_rs256_tokens_verify_against_a_jwks_endpoint(key_pair: KeyPair, jwks_url: str) -> None:
    settings = AuthSettings(algorithm="RS256", jwks_url=jwks_url)
    verifier = TokenVerifier(settings)
    claims = {"sub": "idp-user", "scope": "credit:check", "iss": settings.issuer, "aud": settings.audience}
    token = jwt.encode(
        {**claims, "exp": 2**40}, key_pair.private_pem, algorithm="RS256", headers={"kid": "key-1"}
    )
    principal = await verifier.verify(token)
    assert principal.subject == "idp-user"
    assert principal.scopes == frozenset({"credit:check"})
    unknown_kid = jwt.encode(
        {**claims, "exp": 2**40}, key_pair.private_pem, algorithm="RS256", headers={"kid": "key-9"}
    )
    with pytest.raises(Unauthorized):
        await verifier.verify(unknown_kid)


async def test_unreachable_jwks_is_503_not_a_bad_token(key_pair: KeyPair) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    verifier = TokenVerifier(AuthSettings(algorithm="RS256", jwks_url=f"http://127.0.0.1:{port}/jwks"))
    token = jwt.encode({"sub": "x", "exp": 2**40}, key_pair.private_pem, algorithm="RS256")
    with pytest.raises(ProblemError) as raised:
        await verifier.verify(token)
    assert raised.value.status == 503
    assert raised.value.code == "auth_unavailable"


async def test_dev_token_command_mints_a_verifiable_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AR_JWT_SECRET", "AR_JWT_ISSUER", "AR_JWT_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    dev_token(["--sub", "alice", "--scope", "ledger:read", "--scope", "ledger:write", "--ttl", "600"])
    token = capsys.readouterr().out.strip()
    principal = await TokenVerifier(AuthSettings()).verify(token)
    assert principal.subject == "alice"
    assert principal.scopes == frozenset({"ledger:read", "ledger:write"})
    assert principal.claims["exp"] - principal.claims["iat"] == 600


async def test_dev_token_command_uses_the_secret_issuer_and_audience_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = AuthSettings(
        hs256_secret=SecretStr("a-staging-secret-that-is-long-enough"), issuer="staging", audience="ar-stg"
    )
    monkeypatch.setenv("AR_JWT_SECRET", settings.hs256_secret.get_secret_value())
    monkeypatch.setenv("AR_JWT_ISSUER", settings.issuer)
    monkeypatch.setenv("AR_JWT_AUDIENCE", settings.audience)
    dev_token(["--sub", "bob", "--scope", "admin"])
    token = capsys.readouterr().out.strip()
    assert (await TokenVerifier(settings).verify(token)).subject == "bob"
    with pytest.raises(Unauthorized):
        await TokenVerifier(AuthSettings()).verify(token)


def test_dev_token_command_refuses_a_short_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AR_JWT_SECRET", "short")
    with pytest.raises(SystemExit) as exited:
        dev_token(["--sub", "alice"])
    assert exited.value.code == 2
    assert "at least 32 characters" in capsys.readouterr().err


async def test_a_remembered_token_is_still_refused_once_it_expires() -> None:
    settings = AuthSettings(leeway_seconds=0)
    clock = ManualClock(TEST_CLOCK.now().replace(microsecond=0))
    verifier = TokenVerifier(settings, clock)
    token = mint_token(settings, "order-system", ["credit:check"], ttl_seconds=1, clock=clock)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # remembered: the signature is not checked again
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)


async def test_token_times_are_judged_by_the_verifiers_clock_not_the_wall_clock() -> None:
    settings = AuthSettings(leeway_seconds=30)
    clock = ManualClock(TEST_CLOCK.now())
    token = mint_token(settings, "erp", ["ledger:read"], ttl_seconds=3600, clock=clock)
    assert (await TokenVerifier(settings, clock).verify(token)).subject == "erp"
    a_day_later = ManualClock(clock.now() + timedelta(days=1))
    with pytest.raises(Unauthorized, match="expired"):
        await TokenVerifier(settings, a_day_later).verify(token)
    a_minute_earlier = ManualClock(clock.now() - timedelta(minutes=1))
    with pytest.raises(Unauthorized, match="not valid yet"):
        await TokenVerifier(settings, a_minute_earlier).verify(token)
    within_leeway = ManualClock(clock.now() + timedelta(seconds=3600 + 29))
    assert (await TokenVerifier(settings, within_leeway).verify(token)).subject == "erp"


async def test_remembered_tokens_are_bounded_and_claims_read_only() -> None:
    settings = AuthSettings()
    verifier = TokenVerifier(settings)
    verifier.CACHE_SIZE = 3
    tokens = [mint_token(settings, f"user-{n}", ["ledger:read"]) for n in range(5)]
    principals = [await verifier.verify(t) for t in tokens]
    assert [p.subject for p in principals] == [f"user-{n}" for n in range(5)]
    assert len(verifier._verified) == 3
    assert set(verifier._verified) == set(tokens[2:])  # the oldest went first
    with pytest.raises(TypeError):
        principals[0].claims["sub"] = "mallory"  # type: ignore[index]


async def test_a_bad_token_is_never_remembered() -> None:
    verifier = TokenVerifier(AuthSettings())
    forged = mint_token(AuthSettings(hs256_secret=SecretStr("x" * 40)), "mallory", ["admin"])
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await verifier.verify(forged)
    assert verifier._verified == {}

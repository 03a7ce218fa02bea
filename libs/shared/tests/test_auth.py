"""Bearer JWT auth: 401 without or with a bad token, 403 without the scope, HS256 and RS256."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from typing import Annotated

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from pydantic import SecretStr

from ar_shared.auth import AuthSettings, Principal, TokenVerifier, mint_token, require_scopes
from ar_shared.auth.devtoken import main as dev_token
from ar_shared.problems import install_problem_handlers


def guarded_app(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(settings)

    @app.post("/v1/things")
    async def write(
        principal: Annotated[Principal, Depends(require_scopes("ledger:write"))],
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=guarded_app(AuthSettings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "missing_token"


@pytest.mark.parametrize(
    "token",
    [
        mint_token(AuthSettings(), "a", ["ledger:write"], ttl_seconds=-120),
        mint_token(AuthSettings(audience="someone-else"), "a", ["ledger:write"]),
        mint_token(
            AuthSettings(hs256_secret=SecretStr("another-secret-of-at-least-32-chars!")),
            "a",
            ["ledger:write"],
        ),
        "not.a.jwt",
    ],
    ids=["expired", "wrong-audience", "wrong-signature", "garbage"],
)
async def test_bad_tokens_are_401(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post("/v1/things", headers=header(token))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_missing_scope_is_403(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/things", headers=header(mint_token(AuthSettings(), "a", ["ledger:read"]))
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert 'scope="ledger:write"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("scopes", [["ledger:write"], ["admin"]])
async def test_the_scope_or_admin_lets_the_caller_in(client: httpx.AsyncClient, scopes: list[str]) -> None:
    response = await client.post("/v1/things", headers=header(mint_token(AuthSettings(), "erp", scopes)))
    assert response.status_code == 200
    assert response.json() == {"subject": "erp"}


async def test_rs256_tokens_verify_with_the_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = AuthSettings(algorithm="RS256", rs256_public_key=public_pem)
    principal = await TokenVerifier(settings).verify(
        mint_token(settings, "idp-user", ["credit:check"], private_key_pem=private_pem)
    )
    assert principal.subject == "idp-user"
    assert principal.scopes == frozenset({"credit:check"})
    forged = mint_token(AuthSettings(), "idp-user", ["credit:check"])  # HS256, not accepted under RS256
    with pytest.raises(Exception, match="not valid"):
        await TokenVerifier(settings).verify(forged)


async def test_dev_token_command_mints_a_verifiable_token() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        dev_token(["--sub", "alice", "--scope", "ledger:read", "--scope", "ledger:write"])
    principal = await TokenVerifier(AuthSettings()).verify(out.getvalue().strip())
    assert principal.subject == "alice"
    assert principal.scopes == frozenset({"ledger:read", "ledger:write"})

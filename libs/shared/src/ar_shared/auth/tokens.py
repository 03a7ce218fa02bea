"""Bearer JWTs: verification (HS256 for development, RS256 by key or JWKS) and minting."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt
from pydantic import BaseModel, Field, SecretStr

from ar_shared.problems import Unauthorized

DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - refused in production


class AuthSettings(BaseModel):
    """How tokens are checked. Services embed it (e.g. ``LEDGER_AUTH__ALGORITHM``)."""

    algorithm: Literal["HS256", "RS256"] = "HS256"
    hs256_secret: SecretStr = Field(default=SecretStr(DEV_SECRET), min_length=32)
    rs256_public_key: str | None = Field(default=None, description="PEM public key for RS256")
    jwks_url: str | None = Field(default=None, description="JWKS endpoint for RS256 key rotation")
    issuer: str = "ar-platform-dev"
    audience: str = "ar-platform"
    leeway_seconds: int = Field(default=30, ge=0)

    def is_default_secret(self) -> bool:
        return self.hs256_secret.get_secret_value() == DEV_SECRET


@dataclass(frozen=True)
class Principal:
    """Who is calling, and what they may do."""

    subject: str
    scopes: frozenset[str]
    claims: Mapping[str, Any] = field(default_factory=dict)

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(
        detail,
        code="invalid_token",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def scopes_of(claims: Mapping[str, Any]) -> frozenset[str]:
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split())
    scp = claims.get("scp")
    if isinstance(scp, list):
        return frozenset(str(s) for s in scp)
    return frozenset()


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None

    async def _key(self, token: str) -> Any:
        s = self._settings
        if s.algorithm == "HS256":
            return s.hs256_secret.get_secret_value()
        if self._jwks is not None:
            # PyJWKClient fetches synchronously (and caches): keep it off the event loop
            signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            return signing_key.key
        if s.rs256_public_key:
            return s.rs256_public_key
        raise _invalid("RS256 is configured without a public key or JWKS URL")

    async def verify(self, token: str) -> Principal:
        s = self._settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=await self._key(token),
                algorithms=[s.algorithm],
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_seconds,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise _invalid("the token has expired") from None
        except (jwt.PyJWTError, ValueError) as exc:
            raise _invalid(f"the token is not valid: {exc}") from None
        return Principal(subject=str(claims["sub"]), scopes=scopes_of(claims), claims=claims)


def mint_token(
    settings: AuthSettings,
    subject: str,
    scopes: Iterable[str],
    ttl_seconds: int = 3600,
    private_key_pem: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "scope": " ".join(sorted(set(scopes))),
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        **(extra_claims or {}),
    }
    if settings.algorithm == "RS256":
        if private_key_pem is None:
            raise ValueError("RS256 tokens need a private key")
        return jwt.encode(claims, private_key_pem, algorithm="RS256")
    return jwt.encode(claims, settings.hs256_secret.get_secret_value(), algorithm="HS256")

"""Bearer JWTs: verification (HS256 for development, RS256 by key or JWKS) and minting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Self

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, Field, SecretStr, model_validator

from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.problems import ProblemError, Unauthorized

DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - refused in production by settings
ADMIN_SCOPE = "admin"


class AuthSettings(BaseModel):
    """How tokens are checked. Services embed it (e.g. ``LEDGER_AUTH__ALGORITHM``)."""

    algorithm: Literal["HS256", "RS256"] = "HS256"
    # 32 bytes is the HS256 key size; shorter secrets are brute-forceable offline from any token
    hs256_secret: SecretStr = Field(default=SecretStr(DEV_SECRET), min_length=32)
    rs256_public_key: str | None = Field(
        default=None, description="PEM public key for RS256", examples=["-----BEGIN PUBLIC KEY-----\n..."]
    )
    jwks_url: str | None = Field(
        default=None,
        description="JWKS endpoint for RS256 (keys rotate without a restart); wins over rs256_public_key",
        examples=["https://idp.example.com/.well-known/jwks.json"],
    )
    issuer: str = "ar-platform-dev"
    audience: str = "ar-platform"
    leeway_seconds: int = Field(default=30, ge=0, description="Clock skew allowed on exp/nbf/iat")

    @model_validator(mode="after")
    def _rs256_has_a_key(self) -> Self:
        # a verifier without a key would answer 401 to every caller: refuse it at start-up instead
        if self.algorithm == "RS256" and not (self.jwks_url or self.rs256_public_key):
            raise ValueError("RS256 needs rs256_public_key (PEM) or jwks_url")
        if self.rs256_public_key is not None and not self.jwks_url:
            _load_public_key(self.rs256_public_key)
        return self

    def is_default_secret(self) -> bool:
        return self.hs256_secret.get_secret_value() == DEV_SECRET


def _load_public_key(pem: str) -> RSAPublicKey:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise ValueError("rs256_public_key is not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("rs256_public_key is not an RSA key")
    return key


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, and what they may do."""

    subject: str
    scopes: frozenset[str]
    claims: Mapping[str, Any] = field(default_factory=dict)

    def has(self, scope: str) -> bool:
        """Whether the caller holds `scope`; `admin` holds every scope."""
        return scope in self.scopes or ADMIN_SCOPE in self.scopes


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(
        detail,
        code="invalid_token",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def scopes_of(claims: Mapping[str, Any]) -> frozenset[str]:
    """Scopes from the OAuth2 `scope` string, or the `scp` claim some identity providers send."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split())
    scp = claims.get("scp")
    if isinstance(scp, str):
        return frozenset(scp.split())
    if isinstance(scp, list):
        return frozenset(s for s in scp if isinstance(s, str))
    return frozenset()


class TokenVerifier:
    """Checks signature, expiry, issuer and audience; built once per app in its lifespan."""

    CACHE_SECONDS = 60.0
    CACHE_SIZE = 4096

    def __init__(self, settings: AuthSettings, clock: Clock = SYSTEM_CLOCK) -> None:
        self._settings = settings
        self._clock = clock
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300, timeout=10)
            if settings.algorithm == "RS256" and settings.jwks_url
            else None
        )
        self._public_key = (
            _load_public_key(settings.rs256_public_key)
            if settings.algorithm == "RS256" and settings.rs256_public_key and not settings.jwks_url
            else None
        )

    async def _key(self, token: str) -> RSAPublicKey | str | jwt.PyJWK:
        if self._jwks is not None:
            # PyJWKClient fetches synchronously (then caches): keep the fetch off the event loop
            return await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        if self._public_key is not None:
            return self._public_key
        return self._settings.hs256_secret.get_secret_value()

    async def verify(self, token: str) -> Principal:
        """The caller the token names; `Unauthorized` (401 invalid_token) for any bad token.

        A verified token is remembered until it expires, for at most `CACHE_SECONDS`: systems
        such as the order system send the same token with every request, and checking its
        signature again each time is a good part of the credit check's cost.
        """
        now = self._clock.now().timestamp()
        cached = self._verified.get(token)
        if cached is not None:
            principal, good_until = cached
            if now < good_until:
                return principal
            del self._verified[token]
        principal = await self._verify(token, now)
        exp = principal.claims.get("exp")
        good_until = min(float(exp) if isinstance(exp, int | float) else now, now + self.CACHE_SECONDS)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # the oldest entry
        self._verified[token] = (principal, good_until)
        return principal

    async def _verify(self, token: str, now: float) -> Principal:
        s = self._settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=await self._key(token),
                algorithms=[s.algorithm],  # never the token's own `alg`: no algorithm confusion
                audience=s.audience,
                issuer=s.issuer,
                # the times are checked below against the injected clock, not PyJWT's time.time()
                options={
                    "require": ["exp", "sub", "iss", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
            _check_times(claims, now, s.leeway_seconds)
        except jwt.PyJWKClientConnectionError:
            # the identity provider is unreachable: the token may be fine, so this is not a 401
            raise ProblemError(
                "the signing keys of the identity provider cannot be fetched; retry later",
                status=503,
                code="auth_unavailable",
                title="Authentication unavailable",
            ) from None
        except (jwt.PyJWTError, ValueError) as exc:
            raise _invalid(f"the token is not valid: {exc}") from None
        # read-only: the principal is shared by every request that sends the same token
        return Principal(
            subject=str(claims["sub"]), scopes=scopes_of(claims), claims=MappingProxyType(claims)
        )


def _check_times(claims: Mapping[str, Any], now: float, leeway: int) -> None:
    def number(name: str) -> float | None:
        value = claims.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(f"the token's `{name}` is not a number")
        return float(value)

    exp, nbf = number("exp"), number("nbf")
    if exp is not None and exp <= now - leeway:
        raise _invalid("the token has expired")
    if nbf is not None and nbf > now + leeway:
        raise _invalid("the token is not valid yet")


def mint_token(
    settings: AuthSettings,
    subject: str,
    scopes: Iterable[str],
    ttl_seconds: int = 3600,
    private_key_pem: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> str:
    """A token the verifier built from the same settings accepts (RS256 needs the private key)."""
    now = int(clock.now().timestamp())
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

"""The demo's only way into the platform: the four services' public REST APIs, with dev tokens."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from ar_shared.auth import AuthSettings
from ar_shared.auth.tokens import mint_token

SERVICES = ("ledger", "credit", "collections", "notifications")
ATTEMPTS = 3
DEFAULT_PORTS = {"ledger": 8001, "credit": 8002, "collections": 8003, "notifications": 8004}


class ApiError(RuntimeError):
    """A request the demo expected to succeed did not: the story cannot go on."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url} answered {status}: {body[:600]}")
        self.status = status
        try:
            self.code = str(json.loads(body).get("code"))
        except (ValueError, AttributeError):
            self.code = ""


def urls_from_env(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The services' base URLs from the same variables `deploy/env.sh` reads (`make up`'s ports)."""
    host = env.get("AR_HOST", "127.0.0.1")
    return {s: f"http://{host}:{env.get(f'AR_{s.upper()}_PORT', DEFAULT_PORTS[s])}" for s in SERVICES}


def auth_from_env(env: Mapping[str, str] = os.environ) -> AuthSettings:
    """What `ar-dev-token` signs with: the development secret unless `AR_JWT_SECRET` is set."""
    overrides: dict[str, Any] = {}
    if env.get("AR_JWT_SECRET"):
        overrides["hs256_secret"] = SecretStr(env["AR_JWT_SECRET"])
    if env.get("AR_JWT_ISSUER"):
        overrides["issuer"] = env["AR_JWT_ISSUER"]
    if env.get("AR_JWT_AUDIENCE"):
        overrides["audience"] = env["AR_JWT_AUDIENCE"]
    return AuthSettings(**overrides)


@dataclass
class Api:
    """One HTTP client per service; each call names who makes it (subject and scopes).

    Every changing POST carries an `Idempotency-Key` made from the run id and a counter, so the
    keys are unique per run and the same seed sends the same sequence of keys.
    """

    urls: dict[str, str]
    auth: AuthSettings
    run: str
    concurrency: int = 8
    _clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    _tokens: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    _keys: itertools.count[int] = field(default_factory=itertools.count)
    requests: int = 0

    async def __aenter__(self) -> Api:
        limits = httpx.Limits(max_connections=self.concurrency * 2)
        for service, url in self.urls.items():
            self._clients[service] = httpx.AsyncClient(base_url=url, timeout=60, limits=limits)
        self.gate = asyncio.Semaphore(self.concurrency)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _token(self, subject: str, scopes: tuple[str, ...]) -> str:
        key = (subject, scopes)
        if key not in self._tokens:
            self._tokens[key] = mint_token(self.auth, subject, list(scopes), ttl_seconds=4 * 3600)
        return self._tokens[key]

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | tuple[tuple[str, str], ...] | None = None,
        subject: str = "demo-admin",
        scopes: tuple[str, ...] = ("admin",),
        ok: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token(subject, scopes)}"}
        if method in ("POST",) and json is not None:
            headers["Idempotency-Key"] = f"demo-{self.run}-{next(self._keys)}"
        async with self.gate:
            for attempt in range(ATTEMPTS):
                try:
                    response = await self._clients[service].request(
                        method, path, json=json, params=params, headers=headers
                    )
                    break
                except httpx.TransportError:
                    # e.g. a kept-alive connection the server closed as it was reused: every
                    # request may go again (a POST carries its Idempotency-Key, PUTs set state)
                    if attempt == ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))
        self.requests += 1
        if response.status_code not in ok:
            raise ApiError(method, f"{service}{path}", response.status_code, response.text)
        return response

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return (await self.send(service, "GET", path, **kwargs)).json()

    async def post(self, service: str, path: str, body: Any, **kwargs: Any) -> Any:
        return (await self.send(service, "POST", path, json=body, **kwargs)).json()

    async def put(self, service: str, path: str, body: Any, **kwargs: Any) -> Any:
        return (await self.send(service, "PUT", path, json=body, **kwargs)).json()

    async def pages(
        self, service: str, path: str, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Any]:
        """Every item of a cursor-paginated list."""
        items: list[Any] = []
        query = {**(params or {}), "limit": 200}
        while True:
            page = await self.get(service, path, params=query, **kwargs)
            items.extend(page["items"])
            if not page.get("next_cursor"):
                return items
            query["cursor"] = page["next_cursor"]

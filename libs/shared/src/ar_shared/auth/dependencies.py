"""FastAPI dependencies that authenticate the caller and check route scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ar_shared.auth.tokens import Principal, TokenVerifier
from ar_shared.problems import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="JWT from the platform's identity provider")


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The verified caller; cached on the request so every dependency sees the same one."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "send an `Authorization: Bearer <token>` header",
            code="missing_token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency answering 401 without a valid token and 403 without every listed scope."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        missing = [s for s in scopes if not principal.has(s)]
        if missing:
            needed = " ".join(scopes)
            raise Forbidden(
                f"this action needs the scope(s): {needed}",
                code="insufficient_scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
            )
        return principal

    dependency.__name__ = f"require_{'_'.join(s.replace(':', '_') for s in scopes) or 'token'}"
    return dependency

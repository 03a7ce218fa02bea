"""FastAPI dependencies that authenticate the caller and check route scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ar_shared.auth.tokens import Principal, TokenVerifier
from ar_shared.problems import Forbidden, Unauthorized

# auto_error=False: a missing header must become our problem document, not FastAPI's default 403;
# the scheme object is still what makes OpenAPI show the bearer security scheme
bearer_scheme = HTTPBearer(auto_error=False, description="JWT from the platform's identity provider")


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The verified caller, also kept on `request.state.principal` for the audit log."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        # verified once per request: by the edge guard (`/v1` routes, before the body is read)
        # or by the first dependency that asked
        return cached
    if credentials is None:
        raise missing_token()
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


def missing_token() -> Unauthorized:
    return Unauthorized(
        "send an `Authorization: Bearer <token>` header",
        code="missing_token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency answering 401 without a valid token and 403 without every listed scope.

    Use as `Depends(require_scopes("ledger:write"))` or `Annotated[Principal, Depends(...)]`;
    the `admin` scope satisfies any scope.
    """

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not all(principal.has(s) for s in scopes):
            needed = " ".join(scopes)
            raise Forbidden(
                f"this action needs the scope(s): {needed}",
                code="insufficient_scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
            )
        return principal

    # a readable name in tracebacks and logs instead of a dozen functions called `dependency`
    dependency.__name__ = f"require_{'_'.join(s.replace(':', '_') for s in scopes) or 'token'}"
    dependency.required_scopes = scopes  # type: ignore[attr-defined]  # OpenAPI documents its 403
    return dependency

"""OAuth2 bearer JWT authentication with per-route scopes."""

from ar_shared.auth.dependencies import authenticate, bearer_scheme, require_scopes
from ar_shared.auth.tokens import AuthSettings, Principal, TokenVerifier, mint_token, scopes_of

__all__ = [
    "AuthSettings",
    "Principal",
    "TokenVerifier",
    "authenticate",
    "bearer_scheme",
    "mint_token",
    "require_scopes",
    "scopes_of",
]

"""OAuth2 bearer JWT authentication with per-route scopes."""

from ar_shared.auth.dependencies import authenticate, require_scopes
from ar_shared.auth.tokens import AuthSettings, Principal, TokenVerifier, mint_token

__all__ = ["AuthSettings", "Principal", "TokenVerifier", "authenticate", "mint_token", "require_scopes"]

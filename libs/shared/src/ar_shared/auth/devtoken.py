"""Mints development tokens: `ar-dev-token --sub alice --scope ledger:read --scope ledger:write`."""

from __future__ import annotations

import argparse
import os
import sys

from pydantic import SecretStr, ValidationError

from ar_shared.auth.tokens import DEV_SECRET, AuthSettings, mint_token


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("the lifetime must be a positive number of seconds")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="ar-dev-token",
        description=(
            "Print an HS256 bearer token signed with $AR_JWT_SECRET (or the development default), "
            "with issuer and audience from $AR_JWT_ISSUER and $AR_JWT_AUDIENCE when set."
        ),
    )
    parser.add_argument("--sub", default="developer", help="subject: the user or system id")
    parser.add_argument("--scope", action="append", default=[], help="a scope; repeat for each scope")
    parser.add_argument("--ttl", type=_positive, default=3600, help="lifetime in seconds (default 3600)")
    args = parser.parse_args(argv)
    # the same variables docker-compose hands to the services, so the token matches what they accept
    try:
        settings = AuthSettings(
            hs256_secret=SecretStr(os.environ.get("AR_JWT_SECRET") or DEV_SECRET),
            issuer=os.environ.get("AR_JWT_ISSUER") or "ar-platform-dev",
            audience=os.environ.get("AR_JWT_AUDIENCE") or "ar-platform",
        )
    except ValidationError:
        parser.error("AR_JWT_SECRET must be at least 32 characters long")
    sys.stdout.write(mint_token(settings, args.sub, args.scope, ttl_seconds=args.ttl) + "\n")

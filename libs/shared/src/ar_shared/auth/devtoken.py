"""Mints development tokens: `ar-dev-token --sub alice --scope ledger:read --scope ledger:write`."""

from __future__ import annotations

import argparse
import os
import sys

from pydantic import SecretStr

from ar_shared.auth.tokens import DEV_SECRET, AuthSettings, mint_token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sub", default="developer", help="subject (user or system id)")
    parser.add_argument("--scope", action="append", default=[], help="repeat for each scope")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    settings = AuthSettings(
        hs256_secret=SecretStr(os.environ.get("AR_JWT_SECRET", DEV_SECRET)),
        issuer=os.environ.get("AR_JWT_ISSUER", "ar-platform-dev"),
        audience=os.environ.get("AR_JWT_AUDIENCE", "ar-platform"),
    )
    sys.stdout.write(mint_token(settings, args.sub, args.scope, ttl_seconds=args.ttl) + "\n")

"""The reason-code check of credit memos, write-offs and refunds, against the configured lists."""

from __future__ import annotations

from collections.abc import Collection

from ar_shared.problems import FieldError, Unprocessable


def require_known(code: str, allowed: Collection[str], document: str, field: str = "reason_code") -> None:
    """422 `unknown_reason_code` on `field` for a code not configured for this kind of document."""
    if code not in allowed:
        raise Unprocessable(
            f"{code!r} is not a {document} reason code",
            code="unknown_reason_code",
            errors=[
                FieldError(
                    field=field,
                    message=f"one of {', '.join(allowed)} (GET /v1/reason-codes)",
                    code="unknown_reason_code",
                )
            ],
        )

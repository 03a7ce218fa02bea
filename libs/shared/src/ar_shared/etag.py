"""Optimistic concurrency: weak ETags from a row version, checked through If-Match."""

from __future__ import annotations

from ar_shared.problems import ProblemError


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names, or None when absent (`*` means any)."""
    if header is None or header.strip() == "*":
        return None
    raw = header.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise ProblemError("If-Match must be an ETag returned by this API", code="invalid_if_match")
    return int(raw)

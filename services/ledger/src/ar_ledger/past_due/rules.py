"""When the sweep speaks (pure): first overdue invoice, or the oldest one crossing a bucket edge."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Change(StrEnum):
    ANNOUNCE = "announce"  # emit AccountPastDue and remember the bucket
    REMEMBER = "remember"  # the account improved: remember silently, so a later crossing speaks again
    FORGET = "forget"  # nothing overdue any more
    NOTHING = "nothing"


@dataclass(frozen=True)
class Decision:
    change: Change
    bucket_index: int | None


def decide(previous_bucket: int | None, current_bucket: int | None) -> Decision:
    """`previous_bucket`: what was last announced (None: never, or cured since);
    `current_bucket`: the oldest overdue item's bucket today (None: nothing overdue)."""
    if current_bucket is None:
        return Decision(Change.FORGET if previous_bucket is not None else Change.NOTHING, None)
    if previous_bucket is None or current_bucket > previous_bucket:
        return Decision(Change.ANNOUNCE, current_bucket)
    if current_bucket < previous_bucket:
        return Decision(Change.REMEMBER, current_bucket)
    return Decision(Change.NOTHING, current_bucket)

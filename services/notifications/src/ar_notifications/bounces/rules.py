"""What a bounce report does to a delivery: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ar_shared.problems import Conflict

BounceKind = Literal["hard", "soft", "complaint"]


@dataclass(frozen=True)
class BounceEffect:
    bounced: bool
    """The delivery ends `bounced`: the address is suppressed and NotificationFailed is emitted."""
    complaint: bool
    """The recipient called the message spam: the address is suppressed, the delivery stays sent."""
    last_error: str | None
    """The delivery's last error afterwards."""


def bounce_effect(
    channel: str, status: str, last_error: str | None, kind: BounceKind, diagnostic: str | None
) -> BounceEffect:
    """Only a sent e-mail can bounce. A hard bounce ends the delivery; a complaint suppresses the
    address; a soft bounce is only noted (the receiving server may still deliver). A report that
    was applied already changes nothing, so a bounce processor may send it again."""
    if channel != "email":
        raise Conflict(f"only e-mails bounce; this delivery is a {channel}", code="not_bounceable")
    if kind == "hard" and status == "bounced":
        return BounceEffect(bounced=False, complaint=False, last_error=last_error)
    if status != "sent":
        raise Conflict(f"only a sent message can bounce; this delivery is {status}", code="not_bounceable")
    if kind == "hard":
        return BounceEffect(bounced=True, complaint=False, last_error=diagnostic or "hard bounce reported")
    if kind == "complaint":
        return BounceEffect(bounced=False, complaint=True, last_error=last_error)
    # the status stays sent: the prefix says why a sent message carries an error
    noted = f"soft bounce: {diagnostic}" if diagnostic else "soft bounce reported"
    return BounceEffect(bounced=False, complaint=False, last_error=noted)

"""Judging promises to pay and payment plans from the cash applied to the items they cover.

Pure rules, no I/O: the service hands in the applications (business date and amount, reversed or
unapplied ones already left out) and the business date; what comes back is the status.

A promise is judged as soon as it is paid in full (kept); otherwise it waits until its deadline
(promised date + tolerance days) has passed, so it is partially kept or broken on the first
business date after the deadline. Cash counts when it was applied by the deadline. A promise
judged kept whose cash is taken back (reversal, unapply) is open again while its deadline has
not passed, and judged again after it.

A credit memo applied to the covered items by the deadline lowers what the customer still owes,
not what they promised: the promise is kept when the cash reaches the promised amount or what the
items still owe after the credits (the open balance they had when it was recorded less the
credits), whichever is less. Items credited in full leave nothing to pay: the promise is kept
without cash. A credit is no payment: partially kept still needs cash, and `received` counts cash
only (the promise kept rate by amount is cash received over cash promised).

Two live commitments (promises, payment plans) may cover the same item only when a reversal
reopened an older, kept promise after a newer promise or plan was made over its items (recording
refuses any other overlap). Cash on the shared items is then counted once, for the older
commitment first (up to what it is owed: `claimed`), the rest for the newer one: `unclaimed`
leaves out what older commitments claim. Older is by when each was made (created_at, then id),
whatever its kind: a reopened promise is older than the plan agreed while it stood kept. A
promise's cash is what is applied from its recording to its deadline, up to the promised amount
(a broken one holds none); a plan's from its agreement to its completion (none after), up to its
total (a breached one holds none: its cash came before anything made after it was judged).

A plan's cash pays its instalments in due-date order (the down payment first). An instalment is
kept when it was fully paid by its due date, late when it was paid after it but within the
tolerance, due while it is past its due date, unpaid, within the tolerance, and missed when it
was not paid by due date + tolerance; a missed instalment breaches the plan. A plan whose every
instalment is paid in time is completed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PromiseStatus = Literal["open", "kept", "partially_kept", "broken"]
InstalmentStatus = Literal["pending", "due", "kept", "late", "missed"]
PlanStatus = Literal["active", "completed", "breached"]
JUDGED: frozenset[str] = frozenset({"kept", "partially_kept", "broken"})
PLAN_FINAL: frozenset[str] = frozenset({"completed", "breached"})


@dataclass(frozen=True, slots=True)
class Applied:
    """Cash applied to a covered item: on which business date, how much (minor units)."""

    on: date
    minor: int


@dataclass(frozen=True, slots=True)
class PromiseJudgement:
    status: PromiseStatus
    received_minor: int  # cash applied to the covered items by the deadline
    credited_minor: int = 0  # credit memos applied to them by the deadline
    due_minor: int = 0  # the cash that keeps it: the promised amount, or less after credits

    @property
    def missing_minor(self) -> int:
        """What the cash lacks to keep the promise (0 once kept)."""
        return max(self.due_minor - self.received_minor, 0)


def deadline(promised_date: date, tolerance_days: int) -> date:
    """The last business date on which a payment still keeps the promise."""
    return promised_date + timedelta(days=tolerance_days)


def judge_promise(
    promised_minor: int,
    promised_date: date,
    tolerance_days: int,
    applied: Sequence[Applied],
    today: date,
    *,
    credited: Sequence[Applied] = (),
    covered_minor: int | None = None,
) -> PromiseJudgement:
    """`applied`: the cash on the covered items; `credited`: the credit memos applied to them;
    `covered_minor`: their open balance when the promise was recorded (None: credits ignored)."""
    last_day = deadline(promised_date, tolerance_days)
    received = sum(a.minor for a in applied if a.on <= last_day)
    credit = sum(a.minor for a in credited if a.on <= last_day)
    due = promised_minor
    if covered_minor is not None:
        due = max(min(promised_minor, covered_minor - credit), 0)
    judged = PromiseJudgement("open", received, credit, due)
    if received >= due:
        return PromiseJudgement("kept", received, credit, due)
    if today <= last_day:
        return judged
    return PromiseJudgement("partially_kept" if received > 0 else "broken", received, credit, due)


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise or a plan as cash counting sees it: the business dates from which and up to which
    cash on its items is its own, and the most it takes (minor units)."""

    since: date
    last_day: date
    owed_minor: int


def claimed(older: Commitment, applied: Sequence[Applied], since: date) -> int:
    """What an older commitment claims of the cash applied, on the items it shares with a newer
    one, from `since` (the newer one's start): its cash up to what it is owed, less what it had
    before the newer one began (that cash was never the newer one's)."""
    own = [a for a in applied if older.since <= a.on <= older.last_day]
    takes = min(sum(a.minor for a in own), older.owed_minor)
    before = sum(a.minor for a in own if a.on < since)
    return max(takes - before, 0)


def unclaimed(applied: Sequence[Applied], claimed_minor: int) -> list[Applied]:
    """The cash left once `claimed_minor` of it (the earliest first) counts for older commitments."""
    left: list[Applied] = []
    for a in sorted(applied, key=lambda a: a.on):
        taken = min(claimed_minor, a.minor)
        claimed_minor -= taken
        if a.minor > taken:
            left.append(Applied(a.on, a.minor - taken))
    return left


def escalates(broken_count: int, every: int) -> bool:
    """The account escalates at its `every`th broken promise, and at each `every` more."""
    return every > 0 and broken_count > 0 and broken_count % every == 0


@dataclass(frozen=True, slots=True)
class Instalment:
    due_date: date
    minor: int


@dataclass(frozen=True, slots=True)
class InstalmentJudgement:
    status: InstalmentStatus
    paid_minor: int
    paid_on: date | None  # the business date it was paid in full


@dataclass(frozen=True, slots=True)
class PlanJudgement:
    status: PlanStatus
    instalments: tuple[InstalmentJudgement, ...]
    received_minor: int


def judge_plan(
    instalments: Sequence[Instalment], tolerance_days: int, applied: Sequence[Applied], today: date
) -> PlanJudgement:
    """Each instalment's status and the plan's (instalments in due-date order)."""
    cash = sorted(applied, key=lambda a: a.on)
    received = sum(a.minor for a in cash)
    judged: list[InstalmentJudgement] = []
    owed_through = 0  # what the instalments up to this one add up to
    for instalment in instalments:
        before = owed_through
        owed_through += instalment.minor
        paid = min(max(received - before, 0), instalment.minor)
        paid_on = _reached(cash, owed_through)
        last_day = instalment.due_date + timedelta(days=tolerance_days)
        if paid_on is not None and paid_on <= last_day:
            status: InstalmentStatus = "kept" if paid_on <= instalment.due_date else "late"
        elif paid_on is not None or today > last_day:
            # paid only after the tolerance is missed all the same, whenever it is judged
            status = "missed"
        elif today <= instalment.due_date:
            status = "pending"
        else:
            status = "due"
        judged.append(InstalmentJudgement(status, paid, paid_on))
    if any(j.status == "missed" for j in judged):
        plan: PlanStatus = "breached"
    elif all(j.status in ("kept", "late") for j in judged):
        plan = "completed"
    else:
        plan = "active"
    return PlanJudgement(plan, tuple(judged), received)


def _reached(cash: Sequence[Applied], target: int) -> date | None:
    """The business date the cumulative cash first reached `target` (None: not yet)."""
    total = 0
    for a in cash:
        total += a.minor
        if total >= target:
            return a.on
    return None


def instalment_errors(
    instalments: Sequence[Instalment], covered_minor: int, today: date
) -> list[tuple[int | None, str, str]]:
    """What is wrong with a plan's instalments: (index or None for all, code, message)."""
    errors: list[tuple[int | None, str, str]] = []
    for n, instalment in enumerate(instalments):
        if instalment.due_date < today:
            errors.append(
                (n, "instalment_in_the_past", f"due {instalment.due_date}, the business date is {today}")
            )
        if n and instalment.due_date <= instalments[n - 1].due_date:
            errors.append((n, "instalments_not_in_date_order", "each instalment is due after the one before"))
    total = sum(i.minor for i in instalments)
    if total != covered_minor:
        errors.append(
            (
                None,
                "instalments_do_not_add_up",
                f"the instalments add up to {total}, the items to {covered_minor} (minor units)",
            )
        )
    return errors

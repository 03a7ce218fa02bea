"""The account view: balances, aging, open items with reason codes, holds, the last contacts,
open tasks, the SLA, promises, plans, open disputes, pending recommendations and open
escalations of one account, as of its entity's business date."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountViewRepository
from ar_collections.accounts.schemas import (
    AccountSummary,
    AccountView,
    AgingLine,
    Balance,
    CreditHold,
    CreditStanding,
    LastPayment,
    OpenItem,
)
from ar_collections.activities.repository import ActivityRepository
from ar_collections.activities.schemas import Activity
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.contact_policy import service as contact_policy
from ar_collections.contact_policy.repository import DoNotContactRepository
from ar_collections.disputes import standing as disputes
from ar_collections.domain import aging, sla
from ar_collections.dunning import pauses as dunning
from ar_collections.escalations.schemas import Escalation
from ar_collections.escalations.service import EscalationRepository
from ar_collections.models.task import CONTACT_TASK_KINDS
from ar_collections.plans import service as plans
from ar_collections.portfolios.service import describe, require_account
from ar_collections.promises import service as promises
from ar_collections.recommendations.repository import RecommendationRepository
from ar_collections.recommendations.schemas import Recommendation
from ar_collections.tasks.schemas import Task
from ar_collections.worklist.repository import WorklistRepository
from ar_collections.worklist.schemas import Sla
from ar_collections.worklist.service import sla_rule
from ar_shared.money import Money, MoneyTotal

RECENT_ACTIVITIES = 5


def _money(minor: int, currency: str) -> MoneyTotal:
    return MoneyTotal.from_money(Money(minor, currency))


async def account_view(
    session: AsyncSession,
    customer_id: uuid.UUID,
    calendars: BusinessCalendars,
    edges: Sequence[int],
    items_limit: int,
) -> AccountView:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    repo = AccountViewRepository(session)
    rows = await repo.open_items(customer_id)

    labels = aging.bucket_labels(edges)
    open_by: dict[str, int] = defaultdict(int)
    overdue_by: dict[str, int] = defaultdict(int)
    buckets: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(labels, 0))
    items: list[OpenItem] = []
    oldest_days = 0
    oldest_due = None
    for row in rows:
        item = row.OpenItem
        days = aging.days_past_due(today, item.due_date)
        label = aging.bucket(days, edges)
        open_by[item.currency] += item.open_minor
        buckets[item.currency][label] += item.open_minor
        if aging.is_overdue(today, item.due_date):
            overdue_by[item.currency] += item.open_minor
            oldest_days = max(oldest_days, days)
            oldest_due = item.due_date if oldest_due is None else min(oldest_due, item.due_date)
        if len(items) < items_limit:
            items.append(
                OpenItem(
                    invoice_id=item.invoice_id,
                    invoice_number=item.invoice_number,
                    issue_date=item.issue_date,
                    due_date=item.due_date,
                    amount=_money(item.amount_minor, item.currency),
                    open_balance=_money(item.open_minor, item.currency),
                    days_past_due=days,
                    bucket=label,
                    po_number=item.po_number,
                    reason_code=row.code,
                    reason_note=row.note,
                )
            )
    cash, credits = await repo.unapplied(customer_id)
    currencies = sorted(set(open_by) | set(cash) | set(credits))
    balances = [
        Balance(
            currency=c,
            open_balance=_money(open_by[c], c),
            overdue=_money(overdue_by[c], c),
            current=_money(open_by[c] - overdue_by[c], c),
            unapplied_cash=_money(cash.get(c, 0), c),
            unapplied_credits=_money(credits.get(c, 0), c),
            net=_money(open_by[c] - cash.get(c, 0) - credits.get(c, 0), c),
        )
        for c in currencies
    ]
    payment = await repo.last_payment(customer_id)
    profile = await repo.credit(customer_id)
    do_not_contact = await DoNotContactRepository(session).current(customer_id)
    barred = contact_policy.in_force(do_not_contact, today)
    tasks = await repo.open_tasks(customer_id)
    statuses: list[sla.SlaStatus | None] = [
        sla.task_status(t.id, t.kind, t.sla_due_on, today)
        for t in tasks
        if t.sla_due_on is not None and t.due_on <= today and not (barred and t.kind in CONTACT_TASK_KINDS)
    ]
    if not barred:
        worklist = WorklistRepository(session)
        rules = [sla_rule(r) for r in await worklist.sla_rules()]
        contacts = (await worklist.last_contacts([customer_id])).get(customer_id, {}) if rules else {}
        facts = sla.SlaFacts(
            account.business_entity,
            profile.risk_class if profile else None,
            account.portfolio_id,
            oldest_due,
            contacts,
        )
        statuses += [sla.rule_status(rule, facts, today) for rule in rules]
    urgent = sla.most_urgent(statuses)
    activities = await ActivityRepository(session).for_account(
        customer_id, limit=RECENT_ACTIVITIES, before=None
    )
    return AccountView(
        account=AccountSummary.model_validate(account, from_attributes=True),
        business_date=today,
        assignment=await describe(session, account),
        credit=CreditStanding(
            risk_class=profile.risk_class if profile else None,
            score=profile.score if profile else None,
            credit_limit=_money(profile.credit_limit_minor, profile.credit_limit_currency)
            if profile and profile.credit_limit_minor is not None and profile.credit_limit_currency
            else None,
            next_review_on=profile.next_review_on if profile else None,
        ),
        balances=balances,
        aging=[
            AgingLine(currency=c, buckets={k: str(Money(v, c)) for k, v in buckets[c].items()})
            for c in sorted(buckets)
        ],
        oldest_days_past_due=oldest_days,
        bucket=aging.bucket(oldest_days, edges),
        open_items=items,
        open_item_count=len(rows),
        last_payment=LastPayment(
            payment_id=payment.payment_id,
            received_on=payment.received_on,
            amount=_money(payment.amount_minor, payment.currency),
            method=payment.method,
        )
        if payment
        else None,
        credit_holds=[CreditHold.model_validate(h) for h in await repo.holds(customer_id)],
        do_not_contact=contact_policy.shown(do_not_contact, today) if do_not_contact else None,
        recent_activities=[Activity.model_validate(a) for a in activities],
        open_tasks=[Task.model_validate(t) for t in tasks],
        sla=Sla.model_validate(urgent, from_attributes=True) if urgent else None,
        dunning=await dunning.standing(session, customer_id),
        promises=await promises.standing(session, customer_id),
        payment_plans=await plans.active_plans(session, customer_id),
        letters=await dunning.letters_sent(session, customer_id),
        open_disputes=await disputes.open_cases(session, customer_id, today),
        pending_recommendations=[
            Recommendation.of(r)
            for r in await RecommendationRepository(session).pending_of_account(customer_id)
        ],
        open_escalations=[
            Escalation.model_validate(e)
            for e in await EscalationRepository(session).open_of_account(customer_id)
        ],
    )

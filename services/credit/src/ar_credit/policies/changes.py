"""Reading and changing credit policies: audited, announced (CreditPolicyChanged), and every customer
the policy governs is judged against the new one in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.exposure.picture import CreditRules
from ar_credit.models import CreditPolicy, plumbing
from ar_credit.policies.repository import PolicyRepository
from ar_credit.policies.schemas import CreditPolicy as CreditPolicyOut
from ar_credit.policies.schemas import CreditPolicyChange, CreditPolicySet
from ar_credit.policies.service import DEFAULT_RISK_CLASS, evaluate
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.credit import CreditPolicyChanged
from ar_shared.money import Money, MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import NotFound, PreconditionFailed

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)


def percent(basis_points: int) -> str:
    return f"{Decimal(basis_points) / 100:.2f}"


def out(policy: CreditPolicy, limits: dict[str, int]) -> CreditPolicyOut:
    return CreditPolicyOut(
        risk_class=policy.risk_class,
        max_days_past_due=policy.max_days_past_due,
        max_overdue_amounts=[MoneyAmount.from_money(Money(m, c)) for c, m in sorted(limits.items())],
        limit_tolerance_percent=percent(policy.over_limit_tolerance_bp),
        auto_hold=policy.auto_hold,
        version=policy.version,
        updated_by=policy.updated_by,
        updated_at=policy.updated_at,
    )


async def list_policies(session: AsyncSession) -> list[CreditPolicyOut]:
    repo = PolicyRepository(session)
    policies = await repo.all()
    limits = await repo.overdue_limits([p.risk_class for p in policies])
    return [out(p, limits[p.risk_class]) for p in policies]


async def get_policy(session: AsyncSession, risk_class: str) -> CreditPolicyOut:
    repo = PolicyRepository(session)
    policy = await repo.policy(risk_class)
    if policy is None:
        raise NotFound(f"no credit policy for risk class {risk_class}", code="credit_policy_not_found")
    return out(policy, (await repo.overdue_limits([risk_class]))[risk_class])


async def set_policy(
    session: AsyncSession,
    actor: Actor,
    risk_class: str,
    data: CreditPolicySet,
    rules: CreditRules,
    if_match_version: int | None = None,
) -> CreditPolicyChange:
    """Changes the policy (unless nothing changes), then judges its customers against it."""
    repo = PolicyRepository(session)
    policy = await repo.policy_for_update(risk_class)
    if policy is None:
        raise NotFound(f"no credit policy for risk class {risk_class}", code="credit_policy_not_found")
    if if_match_version is not None and if_match_version != policy.version:
        raise PreconditionFailed(
            f"the {risk_class} policy is at version {policy.version}, not {if_match_version}",
            code="etag_mismatch",
        )
    current = (await repo.overdue_limits([risk_class]))[risk_class]
    limits = {m.currency: m.to_money().minor for m in data.max_overdue_amounts}
    tolerance_bp = int(Decimal(data.limit_tolerance_percent) * 100)
    unchanged = (
        policy.max_days_past_due == data.max_days_past_due
        and policy.over_limit_tolerance_bp == tolerance_bp
        and policy.auto_hold == data.auto_hold
        and current == limits
    )
    if unchanged:
        return CreditPolicyChange(**out(policy, current).model_dump(), customers_reevaluated=0)
    before = out(policy, current).model_dump(mode="json")
    policy.max_days_past_due, policy.over_limit_tolerance_bp = data.max_days_past_due, tolerance_bp
    policy.auto_hold, policy.version = data.auto_hold, policy.version + 1
    policy.updated_by, policy.updated_at = actor.subject, session_clock(session).now()
    await repo.replace_overdue_limits(risk_class, limits)
    after = out(policy, limits)
    await audit.record(
        session, actor=actor, action="credit_policy.set", entity_type="credit_policy", entity_id=risk_class,
        before=before, after=after.model_dump(mode="json"),
    )  # fmt: skip
    await outbox.add(
        session,
        CreditPolicyChanged(
            risk_class=risk_class, max_days_past_due=after.max_days_past_due,
            max_overdue_amounts=after.max_overdue_amounts,
            limit_tolerance_percent=after.limit_tolerance_percent, auto_hold=after.auto_hold,
            policy_version=after.version, changed_by=actor.subject,
        ),
    )  # fmt: skip
    # in this transaction: the policy and the holds it implies change together or not at all
    governed = await repo.customers_governed(risk_class, without_profile=risk_class == DEFAULT_RISK_CLASS)
    for customer_id in governed:
        await evaluate(session, customer_id, rules)
    return CreditPolicyChange(**after.model_dump(), customers_reevaluated=len(governed))

"""The people and rules a collections team sets up before the book arrives: collectors, teams,
portfolios and assignment rules, an SLA, the credit policies, dunning strategies, segments and a
champion/challenger experiment."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from demo.book import Book, Entity
from demo.client import Api

STANDARD = [
    {"days": -3, "action": "email_reminder", "template_key": "pre_due_reminder"},
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
    {"days": 10, "action": "call_task", "sla_days": 3},
    {"days": 20, "action": "email_reminder", "template_key": "second_reminder"},
    {"days": 30, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 45, "action": "final_notice", "template_key": "final_notice"},
    {"days": 60, "action": "recommend_credit_hold"},
    {"days": 75, "action": "escalate"},
]
EARLY_CALL = [
    {"days": -5, "action": "email_reminder", "template_key": "pre_due_reminder"},
    {"days": 2, "action": "call_task", "sla_days": 2},
    {"days": 7, "action": "email_reminder", "template_key": "first_reminder"},
    {"days": 15, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 30, "action": "final_notice", "template_key": "final_notice"},
    {"days": 45, "action": "recommend_credit_hold"},
    {"days": 60, "action": "escalate"},
]
TEMPLATE_KEYS = ("pre_due_reminder", "first_reminder", "second_reminder", "demand_letter", "final_notice")


@dataclass
class Desk:
    """One entity's team: its manager, an early-stage and a late-stage collector."""

    entity: Entity
    manager: str
    early: str
    late: str
    portfolios: dict[str, str] = field(default_factory=dict)  # collector → portfolio id
    segment_id: str = ""


@dataclass
class Organisation:
    desks: list[Desk]
    strategies: dict[str, str]  # arm → strategy name
    experiment_id: str = ""

    @property
    def collectors(self) -> list[str]:
        return [c for d in self.desks for c in (d.early, d.late)]


def _priority(run: str, offset: int) -> int:
    # segments and rules are global: priorities of their own per run keep them from clashing
    return int(run, 16) % 90_000 * 10 + 10_000 + offset


async def set_up(api: Api, book: Book) -> Organisation:
    run = book.run
    names = (("maria", "anna", "ben"), ("mike", "carla", "dan"))
    desks = [
        Desk(e, f"{m}.{run}", f"{a}.{run}", f"{b}.{run}")
        for e, (m, a, b) in zip(book.entities, names, strict=True)
    ]
    strategies = {"standard": f"standard-{run}", "early-call": f"early-call-{run}"}
    for name, steps in ((strategies["standard"], STANDARD), (strategies["early-call"], EARLY_CALL)):
        await api.post("collections", "/v1/dunning-strategies", {"name": name, "steps": steps})
    for index, desk in enumerate(desks):
        await _desk(api, desk, run, index * 10, strategies["standard"])
    await _credit_policies(api, book)
    organisation = Organisation(desks, strategies)
    first = desks[0]
    experiment = await api.post(
        "collections",
        "/v1/experiments",
        {
            "name": f"Early call {run}",
            "hypothesis": "Calling at 2 days past due collects more within 30 days than a third e-mail",
            "segment_id": first.segment_id,
            "currency": first.entity.currency,
            "window_days": 30,
            "champion": "standard",
            "arms": [
                {"name": "standard", "strategy": strategies["standard"], "share_percent": "50"},
                {"name": "early-call", "strategy": strategies["early-call"], "share_percent": "50"},
            ],
        },
        subject=first.manager,
        scopes=("collections:manage",),
    )
    organisation.experiment_id = experiment["id"]
    return organisation


async def _desk(api: Api, desk: Desk, run: str, offset: int, strategy: str) -> None:
    entity = desk.entity.code
    manager = {"display_name": desk.manager.split(".")[0].title(), "role": "manager"}
    await api.put("collections", f"/v1/collectors/{desk.manager}", manager)
    team = await api.post(
        "collections", "/v1/teams", {"name": f"{entity} collections", "manager": desk.manager}
    )
    await api.put("collections", f"/v1/collectors/{desk.manager}", {**manager, "team_id": team["id"]})
    for collector in (desk.early, desk.late):
        await api.put(
            "collections",
            f"/v1/collectors/{collector}",
            {"display_name": collector.split(".")[0].title(), "role": "collector", "team_id": team["id"]},
        )
    for collector, stage in ((desk.early, "early-stage"), (desk.late, "late-stage")):
        portfolio = await api.post(
            "collections",
            "/v1/portfolios",
            {
                "name": f"{entity} {stage}",
                "collector": collector,
                "backup": desk.late if collector == desk.early else desk.early,
            },
        )
        desk.portfolios[collector] = portfolio["id"]
    rules = [("very_high", desk.late), ("high", desk.late), (None, desk.early)]
    for n, (risk_class, collector) in enumerate(rules):
        await api.post(
            "collections",
            "/v1/assignment-rules",
            {
                "name": f"{entity} {risk_class or 'all'}",
                "portfolio_id": desk.portfolios[collector],
                "priority": _priority(run, offset + n),
                "business_entity": entity,
                "risk_class": risk_class,
            },
        )
    await api.post(
        "collections",
        "/v1/sla-rules",
        {
            "code": f"call7-{entity}",
            "name": "Call within 7 days of going past due",
            "within_days": 7,
            "action_kind": "call",
            "action_direction": "outbound",
            "business_entity": entity,
        },
    )
    segment = await api.post(
        "collections",
        "/v1/strategy-segments",
        {
            "name": f"{entity} all",
            "strategy": strategy,
            "priority": _priority(run, offset),
            "business_entity": entity,
        },
    )
    desk.segment_id = segment["id"]


async def _credit_policies(api: Api, book: Book) -> None:
    """Holds once an account is 45 days past due or owes 15,000 overdue (risk classes high and
    very high: the platform's policies are per risk class, so they hold for every entity)."""
    overdue = [{"amount": str(Decimal(15000)), "currency": e.currency} for e in book.entities]
    for risk_class, days in (("high", 45), ("very_high", 30)):
        await api.put(
            "credit",
            f"/v1/credit-policies/{risk_class}",
            {
                "max_days_past_due": days,
                "max_overdue_amounts": overdue,
                "limit_tolerance_percent": "10",
                "auto_hold": True,
            },
        )

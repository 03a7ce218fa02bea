"""The collections API: `uvicorn ar_collections.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_collections.accounts.endpoints import router as accounts_router
from ar_collections.activities.endpoints import router as activities_router
from ar_collections.calendars.endpoints import router as calendars_router
from ar_collections.charges.endpoints import router as charges_router
from ar_collections.config import CollectionsSettings, get_settings
from ar_collections.contact_policy.endpoints import router as do_not_contact_router
from ar_collections.disputes.endpoints import router as disputes_router
from ar_collections.documents.endpoints import router as documents_router
from ar_collections.dunning.endpoints import router as dunning_router
from ar_collections.escalations.endpoints import router as escalations_router
from ar_collections.experiments.endpoints import router as experiments_router
from ar_collections.kpis.endpoints import router as kpis_router
from ar_collections.models import plumbing
from ar_collections.people.endpoints import router as people_router
from ar_collections.plans.endpoints import router as plans_router
from ar_collections.portfolio_aging.endpoints import router as aging_router
from ar_collections.portfolios.endpoints import router as portfolios_router
from ar_collections.promises.endpoints import router as promises_router
from ar_collections.reasons.endpoints import router as reasons_router
from ar_collections.recommendations.endpoints import router as recommendations_router
from ar_collections.red_flags.endpoints import router as red_flags_router
from ar_collections.scorecards.endpoints import router as scorecards_router
from ar_collections.targets.endpoints import router as targets_router
from ar_collections.tasks.endpoints import router as tasks_router
from ar_collections.worklist.endpoints import router as worklist_router
from ar_shared.app import create_service_app
from ar_shared.clock import SYSTEM_CLOCK, Clock

DESCRIPTION = """
The collector's workflow: the worklist, accounts (projected from the ledger and the credit
service), contact history and tasks, promises to pay and payment plans, disputes and
deductions, write-off and suspension recommendations, escalations, reason codes,
do-not-contact, people and portfolios, dunning strategies and fees, the daily strategy run,
champion / challenger experiments, KPIs, customer scorecards and red flags, and collection targets.

All routes need a bearer token: `collections:work` for collectors, who see only the accounts of
the portfolios they own (or cover while the owner is absent; another account answers 404), and
`collections:manage` for managers, who see every account and set up people, portfolios, rules
and weights. Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem
documents. "Today" for an account is its business entity's business date.
"""

TAGS = [
    {"name": "worklist", "description": "The accounts and tasks to work today, in priority order"},
    {"name": "accounts", "description": "The account view, balances, aging, open items"},
    {"name": "activities", "description": "Calls, e-mails, letters, notes and visits: the contact history"},
    {"name": "promises to pay", "description": "Promises to pay, judged kept, partially kept or broken"},
    {"name": "payment plans", "description": "Instalment plans over open items, monitored from payments"},
    {"name": "tasks", "description": "Follow-ups, calls, letters and reviews due on a business date"},
    {"name": "reason codes", "description": "Why an open item is not paid yet"},
    {"name": "do-not-contact", "description": "Accounts nobody may contact or dun"},
    {"name": "dunning", "description": "Dunning strategies, segments, pauses and the daily strategy run"},
    {"name": "experiments", "description": "Champion / challenger tests of dunning strategies"},
    {"name": "kpis", "description": "DSO, ADD, CEI and aging shares per collector, team, portfolio, entity"},
    {"name": "targets", "description": "Amounts to collect per collector, team and portfolio, and standings"},
    {"name": "disputes", "description": "Disputes and deductions, their lifecycle and root causes"},
    {"name": "recommendations", "description": "Write-off and suspension recommendations a manager decides"},
    {"name": "escalations", "description": "Escalations to a manager or another department, the queue"},
    {"name": "portfolios", "description": "Portfolios, assignment rules, reassignment"},
    {"name": "people", "description": "Collectors, managers and teams"},
    {"name": "business dates", "description": "The business date collections has taken in per entity"},
]


def create_app(settings: CollectionsSettings | None = None, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        clock=clock,
        title="AR Collections",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[
            worklist_router,
            accounts_router,
            activities_router,
            promises_router,
            plans_router,
            tasks_router,
            reasons_router,
            do_not_contact_router,
            dunning_router,
            experiments_router,
            targets_router,
            kpis_router,
            aging_router,
            scorecards_router,
            charges_router,
            disputes_router,
            documents_router,
            recommendations_router,
            escalations_router,
            red_flags_router,
            portfolios_router,
            people_router,
            calendars_router,
        ],
        openapi_tags=TAGS,
    )

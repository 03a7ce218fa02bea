"""SQLAlchemy models of the collections schema."""

from ar_collections.models.account import Account
from ar_collections.models.activity import Activity, OutcomeCode
from ar_collections.models.base import Base, metadata, plumbing
from ar_collections.models.disputes import (
    DisputeCase,
    DisputeHistory,
    DisputeItem,
    Escalation,
    Recommendation,
)
from ar_collections.models.dunning import (
    DunningPause,
    DunningState,
    DunningStepFired,
    DunningStrategy,
    StrategyRun,
    StrategySegment,
)
from ar_collections.models.people import (
    AssignmentHistory,
    AssignmentRule,
    Collector,
    Portfolio,
    PortfolioHistory,
    Team,
)
from ar_collections.models.projection import (
    CreditHold,
    CreditMemo,
    CreditProfile,
    EntityCalendar,
    OpenItem,
    Payment,
)
from ar_collections.models.reasons import ItemReason, ItemReasonHistory, ReasonCode
from ar_collections.models.task import Task
from ar_collections.models.worklist import DoNotContact, SlaRule, WorklistWeight

__all__ = [
    "Account",
    "Activity",
    "AssignmentHistory",
    "AssignmentRule",
    "Base",
    "Collector",
    "CreditHold",
    "CreditMemo",
    "CreditProfile",
    "DisputeCase",
    "DisputeHistory",
    "DisputeItem",
    "DoNotContact",
    "DunningPause",
    "DunningState",
    "DunningStepFired",
    "DunningStrategy",
    "EntityCalendar",
    "Escalation",
    "ItemReason",
    "ItemReasonHistory",
    "OpenItem",
    "OutcomeCode",
    "Payment",
    "Portfolio",
    "PortfolioHistory",
    "ReasonCode",
    "Recommendation",
    "SlaRule",
    "StrategyRun",
    "StrategySegment",
    "Task",
    "Team",
    "WorklistWeight",
    "metadata",
    "plumbing",
]

"""SQLAlchemy models of the collections schema."""

from ar_collections.models.account import Account
from ar_collections.models.activity import Activity, OutcomeCode
from ar_collections.models.base import Base, metadata, plumbing
from ar_collections.models.charges import DunningCharge, DunningFee, LateInterestRate, LateInterestTerms
from ar_collections.models.disputes import (
    DisputeCase,
    DisputeHistory,
    DisputeItem,
    Escalation,
    Recommendation,
)
from ar_collections.models.documents import Document
from ar_collections.models.dunning import (
    DunningPause,
    DunningState,
    DunningStepFired,
    DunningStrategy,
    StrategyRun,
    StrategySegment,
)
from ar_collections.models.experiments import Experiment, ExperimentAccount, ExperimentArm
from ar_collections.models.people import (
    AssignmentHistory,
    AssignmentRule,
    Collector,
    Portfolio,
    PortfolioHistory,
    Team,
)
from ar_collections.models.projection import (
    ITEM_IS_OPEN,
    CreditHold,
    CreditMemo,
    CreditProfile,
    EntityCalendar,
    ItemMovement,
    OpenItem,
    Payment,
)
from ar_collections.models.promises import (
    PaymentApplication,
    PaymentPlan,
    PlanInstalment,
    PlanItem,
    PromiseItem,
    PromiseToPay,
)
from ar_collections.models.reasons import ItemReason, ItemReasonHistory, ReasonCode
from ar_collections.models.red_flags import RedFlag, RedFlagJob
from ar_collections.models.targets import CollectionTarget
from ar_collections.models.task import Task
from ar_collections.models.worklist import DoNotContact, SlaRule, WorklistWeight

__all__ = [
    "ITEM_IS_OPEN",
    "Account",
    "Activity",
    "AssignmentHistory",
    "AssignmentRule",
    "Base",
    "CollectionTarget",
    "Collector",
    "CreditHold",
    "CreditMemo",
    "CreditProfile",
    "DisputeCase",
    "DisputeHistory",
    "DisputeItem",
    "DoNotContact",
    "Document",
    "DunningCharge",
    "DunningFee",
    "DunningPause",
    "DunningState",
    "DunningStepFired",
    "DunningStrategy",
    "EntityCalendar",
    "Escalation",
    "Experiment",
    "ExperimentAccount",
    "ExperimentArm",
    "ItemMovement",
    "ItemReason",
    "ItemReasonHistory",
    "LateInterestRate",
    "LateInterestTerms",
    "OpenItem",
    "OutcomeCode",
    "Payment",
    "PaymentApplication",
    "PaymentPlan",
    "PlanInstalment",
    "PlanItem",
    "Portfolio",
    "PortfolioHistory",
    "PromiseItem",
    "PromiseToPay",
    "ReasonCode",
    "Recommendation",
    "RedFlag",
    "RedFlagJob",
    "SlaRule",
    "StrategyRun",
    "StrategySegment",
    "Task",
    "Team",
    "WorklistWeight",
    "metadata",
    "plumbing",
]

"""SQL for experiments: arms, the accounts' entries, and the per-account facts of the outcome report."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text, tuple_
from sqlalchemy.dialects.postgresql import insert

from ar_collections.models import Experiment, ExperimentAccount, ExperimentArm
from ar_shared.repository import Repository


@dataclass(frozen=True, slots=True)
class MeasuredAccount:
    """One account whose window has ended: what happened within it."""

    customer_id: uuid.UUID
    arm: str
    entered_on: date
    window_end: date
    cash_minor: int  # received in the experiment's currency within the window (reversals excluded)
    oldest_overdue_at_entry: date | None  # due date; None: nothing was overdue on entering
    all_settled: bool  # every item overdue on entering was settled by the window's end
    oldest_overdue_at_end: date | None
    promises_judged: int  # recorded within the window, deadline by its end, judged
    promises_kept: int
    # the account's CEI over its window, in the experiment's currency (ar_shared.kpis.cei)
    beginning_ar_minor: int  # the day before entering
    credit_sales_minor: int  # invoices issued within the window, not void by its end
    ending_ar_minor: int  # at the window's end
    ending_current_ar_minor: int  # of it, not past due at the window's end


# Items are open on a day when issued by then and not settled by then (a partial payment leaves an
# item open, so an item's age bucket is judged by its due date alone, as aging does).
OUTCOME_FACTS = text(
    """
    WITH entered AS (
        SELECT e.customer_id, e.arm, e.entered_on, e.entered_on + :window AS window_end
        FROM collections.experiment_accounts e
        WHERE e.experiment_id = :experiment_id AND e.entered_on + :window <= :as_of
    ),
    overdue AS (
        SELECT en.customer_id,
               min(i.due_date) FILTER (WHERE i.due_date < en.entered_on
                   AND (i.settled_on IS NULL OR i.settled_on >= en.entered_on)) AS oldest_at_entry,
               bool_and(i.settled_on IS NOT NULL AND i.settled_on <= en.window_end)
                   FILTER (WHERE i.due_date < en.entered_on
                   AND (i.settled_on IS NULL OR i.settled_on >= en.entered_on)) AS all_settled,
               min(i.due_date) FILTER (WHERE i.due_date < en.window_end
                   AND (i.settled_on IS NULL OR i.settled_on > en.window_end)) AS oldest_at_end
        FROM entered en
        JOIN collections.open_items i
          ON i.customer_id = en.customer_id AND NOT i.voided AND i.issue_date <= en.window_end
        GROUP BY en.customer_id
    ),
    promised AS (
        -- promises whose deadline falls within the window: each has been judged by its end (a kept
        -- one may be judged earlier, a broken one only after its deadline: later ones would count
        -- the kept and not yet the broken)
        SELECT en.customer_id, count(*) AS judged, count(*) FILTER (WHERE t.status = 'kept') AS kept
        FROM entered en
        JOIN collections.promises_to_pay t
          ON t.customer_id = en.customer_id AND t.recorded_on >= en.entered_on
         AND t.promised_date + t.tolerance_days <= en.window_end
         AND t.status IN ('kept', 'partially_kept', 'broken')
        GROUP BY en.customer_id
    ),
    ar AS (
        SELECT en.customer_id,
               coalesce(sum(m.delta_minor) FILTER (WHERE m.effective_date < en.entered_on), 0) AS beginning,
               coalesce(sum(m.delta_minor) FILTER (WHERE m.effective_date <= en.window_end), 0) AS ending,
               coalesce(sum(m.delta_minor) FILTER (WHERE m.effective_date <= en.window_end
                   AND i.due_date >= en.window_end), 0) AS ending_current
        FROM entered en
        JOIN collections.open_items i ON i.customer_id = en.customer_id AND i.currency = :currency
        JOIN collections.item_movements m ON m.invoice_id = i.invoice_id
        GROUP BY en.customer_id
    ),
    sales AS (
        -- credit sales as the KPI report counts them: invoices (not fees), not void by the end
        SELECT en.customer_id, sum(i.amount_minor) AS sales
        FROM entered en
        JOIN collections.open_items i
          ON i.customer_id = en.customer_id AND i.currency = :currency AND i.document_kind = 'invoice'
         AND i.issue_date >= en.entered_on AND i.issue_date <= en.window_end
        WHERE NOT EXISTS (
            SELECT 1 FROM collections.item_movements v
            WHERE v.invoice_id = i.invoice_id AND v.kind = 'voided' AND v.effective_date <= en.window_end
        )
        GROUP BY en.customer_id
    ),
    cash AS (
        SELECT en.customer_id, coalesce(sum(p.amount_minor), 0) AS cash_minor
        FROM entered en
        JOIN collections.payments p
          ON p.customer_id = en.customer_id AND p.currency = :currency
         AND p.received_on >= en.entered_on AND p.received_on <= en.window_end
         AND p.reversed_on IS NULL
        GROUP BY en.customer_id
    )
    SELECT en.customer_id, en.arm, en.entered_on, en.window_end,
           coalesce(c.cash_minor, 0) AS cash_minor,
           o.oldest_at_entry, o.all_settled, o.oldest_at_end,
           coalesce(pr.judged, 0) AS promises_judged, coalesce(pr.kept, 0) AS promises_kept,
           coalesce(ar.beginning, 0) AS beginning_ar, coalesce(sa.sales, 0) AS credit_sales,
           coalesce(ar.ending, 0) AS ending_ar, coalesce(ar.ending_current, 0) AS ending_current_ar
    FROM entered en
    LEFT JOIN overdue o ON o.customer_id = en.customer_id
    LEFT JOIN cash c ON c.customer_id = en.customer_id
    LEFT JOIN promised pr ON pr.customer_id = en.customer_id
    LEFT JOIN ar ON ar.customer_id = en.customer_id
    LEFT JOIN sales sa ON sa.customer_id = en.customer_id
    ORDER BY en.customer_id
    """
)


class ExperimentRepository(Repository[Experiment]):
    model = Experiment

    async def add_arms(self, arms: Sequence[ExperimentArm]) -> None:
        self.session.add_all(arms)
        await self.session.flush()

    async def arms(self, experiment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ExperimentArm]]:
        rows = await self.session.scalars(
            select(ExperimentArm)
            .where(ExperimentArm.experiment_id.in_(experiment_ids))
            .order_by(ExperimentArm.experiment_id, ExperimentArm.position)
        )
        found: dict[uuid.UUID, list[ExperimentArm]] = {i: [] for i in experiment_ids}
        for arm in rows:
            found[arm.experiment_id].append(arm)
        return found

    async def running_on(self, segment_id: uuid.UUID) -> Experiment | None:
        return await self.session.scalar(
            select(Experiment).where(Experiment.segment_id == segment_id, Experiment.status == "running")
        )

    async def running(self) -> Sequence[Experiment]:
        return (await self.session.scalars(select(Experiment).where(Experiment.status == "running"))).all()

    async def newest_first(
        self, *, limit: int, before: tuple[datetime, uuid.UUID] | None
    ) -> Sequence[Experiment]:
        query = select(Experiment).order_by(Experiment.created_at.desc(), Experiment.id.desc()).limit(limit)
        if before is not None:
            query = query.where(tuple_(Experiment.created_at, Experiment.id) < tuple_(*before))
        return (await self.session.scalars(query)).all()

    async def enter(self, rows: Sequence[dict[str, object]]) -> None:
        """Records accounts entering their arms; one already in keeps its first entry."""
        if rows:
            await self.session.execute(insert(ExperimentAccount).values(list(rows)).on_conflict_do_nothing())

    async def entered_per_arm(self, experiment_id: uuid.UUID) -> dict[str, int]:
        rows = await self.session.execute(
            text(
                "SELECT arm, count(*) FROM collections.experiment_accounts "
                "WHERE experiment_id = :e GROUP BY arm"
            ).bindparams(e=experiment_id)
        )
        return {arm: int(n) for arm, n in rows}

    async def measured(
        self, experiment_id: uuid.UUID, *, as_of: date, window_days: int, currency: str
    ) -> list[MeasuredAccount]:
        rows = await self.session.execute(
            OUTCOME_FACTS.bindparams(
                experiment_id=experiment_id, as_of=as_of, window=window_days, currency=currency
            )
        )
        return [
            MeasuredAccount(
                r.customer_id,
                r.arm,
                r.entered_on,
                r.window_end,
                int(r.cash_minor),
                r.oldest_at_entry,
                bool(r.all_settled),
                r.oldest_at_end,
                int(r.promises_judged),
                int(r.promises_kept),
                int(r.beginning_ar),
                int(r.credit_sales),
                int(r.ending_ar),
                int(r.ending_current_ar),
            )
            for r in rows
        ]

"""The outcome report as a table (CSV / XLSX): one row per arm."""

from __future__ import annotations

from decimal import Decimal

from ar_collections.experiments.schemas import Outcomes, RateOut, TestOut
from ar_collections.exports import Cell, Table

HEADER = (
    "arm", "strategy", "champion", "accounts entered", "accounts measured", "currency",
    "cash collected", "cash mean", "cash median", "cash mean low (95 %)", "cash mean high (95 %)",
    "cure rate", "cure low (95 %)", "cure high (95 %)", "roll rate", "roll low (95 %)", "roll high (95 %)",
    "promises judged", "promise kept rate", "promise low (95 %)", "promise high (95 %)",
    "CEI accounts", "CEI %", "CEI mean per account", "CEI mean low (95 %)", "CEI mean high (95 %)",
    "cash p (Mann-Whitney)", "cash mean p (Welch)", "cure p", "roll p", "promise p", "CEI p (Welch)",
    "verdict",
)  # fmt: skip


def _decimal(amount: str | None) -> Decimal | None:
    return None if amount is None else Decimal(amount)


def _ratio(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.4f}")


def _rate(rate: RateOut) -> list[Cell]:
    interval = rate.interval
    return [
        _ratio(rate.rate),
        _ratio(interval.low if interval else None),
        _ratio(interval.high if interval else None),
    ]


def _p(test: TestOut | None) -> Decimal | None:
    return None if test is None or test.p_value is None else Decimal(f"{test.p_value:.6g}")


def outcomes_table(report: Outcomes) -> Table:
    rows: list[list[Cell]] = []
    for arm in report.arms:
        cash, tests = arm.cash_collected, arm.against_champion
        low, high = cash.interval if cash.interval else (None, None)
        rows.append(
            [
                arm.arm,
                arm.strategy,
                "yes" if arm.champion else "no",
                arm.accounts_entered,
                arm.accounts_measured,
                report.currency,
                _decimal(cash.total),
                _decimal(cash.mean),
                _decimal(cash.median),
                _decimal(low),
                _decimal(high),
                *_rate(arm.cure_rate),
                *_rate(arm.roll_rate),
                arm.promise_kept_rate.accounts,
                *_rate(arm.promise_kept_rate),
                arm.cei.accounts,
                arm.cei.cei_percent,
                _ratio(arm.cei.mean),
                _ratio(arm.cei.interval.low if arm.cei.interval else None),
                _ratio(arm.cei.interval.high if arm.cei.interval else None),
                _p(tests.get("cash_collected")),
                _p(tests.get("cash_collected_mean")),
                _p(tests.get("cure_rate")),
                _p(tests.get("roll_rate")),
                _p(tests.get("promise_kept_rate")),
                _p(tests.get("cei")),
                arm.verdict,
            ]
        )
    return Table(title="experiment outcomes", header=HEADER, rows=list(rows))

"""`make demo` at a tiny scale against the whole platform as `make up` runs it (four services as
supervised processes, a database and topics of their own): the summary it prints agrees with
itself and with the services (collections' aging equals the ledger's open balance, every message
dunning asked for is in the delivery log and reached the SMTP server), and the exports exist."""

from __future__ import annotations

import socket
from decimal import Decimal
from pathlib import Path

import pytest

from ar_shared.testing.platform import running_platform
from ar_shared.testing.stack import Stack
from demo.client import SERVICES, Api
from demo.mailbox import mailbox
from demo.simulate import DemoSettings, run_demo

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_tiny_demo_prints_a_summary_that_agrees_with_the_platform(
    stack: Stack, tmp_path: Path, unique: str
) -> None:
    smtp = free_port()
    run = unique[:6]
    settings = DemoSettings(run=run, seed=11, scale=0.05, days=10, output=tmp_path / "out")
    async with running_platform(
        stack, tmp_path / "platform", unique, env={"NOTIFICATIONS_SMTP_PORT": str(smtp)}
    ) as p:
        with mailbox("127.0.0.1", smtp) as box:
            async with Api({s: p.url(s) for s in SERVICES}, p.auth, run) as api:
                result = await run_demo(api, settings, say=lambda _: None)
    summary = result.summary
    assert summary["business_days"] == 10
    assert summary["customers"] == 10
    for entity, aging in summary["aging"].items():
        assert aging["ledger_total"], f"{entity} has nothing open"
        assert aging["collections_total"] == aging["ledger_total"]
        [last] = aging["last"]
        assert Decimal(last["total"]) == Decimal(next(iter(aging["ledger_total"].values())))
    messages = summary["messages"]
    assert messages["requested"] > 0
    assert messages["accounts_at_cap"] == 0
    assert messages["delivery_log"] == messages["requested"]
    assert messages["by_status"] == {"sent": messages["requested"]}
    assert box.started
    assert box.received >= messages["requested"]  # and hold notices to the sales reps
    assert set(summary["worklists"]) == {f"anna.{run}", f"dan.{run}"}
    assert {line["group"] for line in summary["kpis"]} <= {
        f"{n}.{run}" for n in ("anna", "ben", "carla", "dan")
    }
    assert [arm["arm"] for arm in summary["experiment"]["arms"]] == ["standard", "early-call"]
    assert summary["activity"]["payments"] > 0
    assert summary["activity"]["calls"] > 0
    assert "equals the ledger's open balance" in result.text
    names = {f.name for f in result.files}
    assert {f"aging-DE-{run}.csv", f"aging-DE-{run}.xlsx", "aging-by-collector.xlsx", "summary.json"} <= names
    assert all(f.stat().st_size > 0 for f in result.files)
    assert (tmp_path / "out" / "aging-by-collector.xlsx").read_bytes()[:2] == b"PK"

"""The demo on a platform of its own: `make demo`'s simulation (`demo.simulate.run_demo`) against
the four services as `make up` runs them (`ar_shared.testing.platform`: real processes, a database
and topics of their own, dropped afterwards), at a chosen scale and number of business days; prints
the demo's phase timings (among them how long the demo waited each day for the workers to take the
new business date, and how long collections and credit were each seen behind).

uv run python bench/demo_bench.py [--scale 0.25] [--days 20] [--seed 7] [--output results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from harness import write_results

from ar_shared.testing.platform import running_platform
from ar_shared.testing.stack import local_stack
from demo.client import SERVICES, Api
from demo.mailbox import mailbox
from demo.simulate import DemoSettings, run_demo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def bench_demo(scale: float, days: int, seed: int) -> dict[str, Any]:
    unique = uuid.uuid4().hex[:12]
    smtp = free_port()
    with local_stack() as stack, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        settings = DemoSettings(run=unique[:6], seed=seed, scale=scale, days=days, output=folder / "out")
        async with running_platform(
            stack, folder / "platform", unique, env={"NOTIFICATIONS_SMTP_PORT": str(smtp)}
        ) as p:
            with mailbox("127.0.0.1", smtp):
                async with Api({s: p.url(s) for s in SERVICES}, p.auth, settings.run) as api:
                    started = time.monotonic()
                    result = await run_demo(api, settings, say=lambda _: None)
                    seconds = time.monotonic() - started
    return {
        "scale": scale,
        "days": days,
        "seed": seed,
        "customers": result.summary["customers"],
        "seconds": round(seconds, 1),
        "timings_seconds": {k.strip(): round(v, 2) for k, v in result.timings.items()},
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results = {"demo": await bench_demo(args.scale, args.days, args.seed)}
    print("demo", json.dumps(results["demo"]), flush=True)
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())

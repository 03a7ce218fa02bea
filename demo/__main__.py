"""`python -m demo`: runs the demo against the platform on the ports of `deploy/env.sh`."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from pathlib import Path

import httpx

from demo.client import Api, auth_from_env, urls_from_env
from demo.mailbox import mailbox
from demo.simulate import DemoSettings, run_demo


def parse(argv: list[str] | None = None) -> DemoSettings:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("DEMO_SCALE") or 1.0),
        help="volume: 1.0 is 200 customers in two entities (env DEMO_SCALE)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=int(os.environ.get("DEMO_DAYS") or 90),
        help="business days simulated (env DEMO_DAYS)",
    )
    parser.add_argument(
        "--seed", type=int, default=int(os.environ.get("DEMO_SEED") or 7), help="env DEMO_SEED"
    )
    parser.add_argument(
        "--run",
        default=os.environ.get("DEMO_RUN") or secrets.token_hex(3),
        help="hex id naming this run's entities, customers and references (default: random)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=os.environ.get("DEMO_OUT") or None,
        help="folder for the exports (default .local/demo/<run>)",
    )
    args = parser.parse_args(argv)
    try:
        int(args.run, 16)
    except ValueError:
        parser.error("--run must be hexadecimal")
    return DemoSettings(run=args.run, seed=args.seed, scale=args.scale, days=args.days, output=args.out)


async def platform_down(urls: dict[str, str]) -> list[str]:
    """The services that do not answer `/health/ready` (the demo needs all four)."""
    down = []
    async with httpx.AsyncClient(timeout=5) as client:
        for service, url in urls.items():
            try:
                ready = (await client.get(f"{url}/health/ready")).status_code == 200
            except httpx.TransportError:
                ready = False
            if not ready:
                down.append(f"{service} ({url})")
    return down


async def main(settings: DemoSettings) -> None:
    started = time.monotonic()
    down = await platform_down(urls_from_env())
    if down:
        sys.exit(f"not ready: {', '.join(down)}; start the platform with `make up` first")
    smtp_host = os.environ.get("NOTIFICATIONS_SMTP_HOST", "127.0.0.1")
    smtp_port = int(os.environ.get("NOTIFICATIONS_SMTP_PORT", "1025"))
    with mailbox(smtp_host, smtp_port) as box:
        async with Api(urls_from_env(), auth_from_env(), settings.run) as api:
            result = await run_demo(api, settings)
    print()
    print(result.text)
    if box.started:
        print(f"the demo's SMTP sink on {smtp_host}:{smtp_port} received {box.received} e-mails")
    print(f"\nexports in {settings.folder}/: {', '.join(p.name for p in result.files)}")
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    try:
        asyncio.run(main(parse()))
    except KeyboardInterrupt:
        sys.exit(130)

"""The reports as files: aging (ledger per customer, collections per collector), the worklists,
the experiment's outcomes and the dispute root causes, in CSV and XLSX, and the summary."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from demo.book import Book
from demo.client import Api
from demo.organisation import Organisation



async def write_exports(api: Api, book: Book, organisation: Organisation, first: date, last: date,
                        summary: dict[str, Any], text: str, folder: Path) -> list[Path]:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    manager = {"subject": organisation.desks[0].manager, "scopes": ("collections:manage",)}
    wanted: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = []
    for fmt in ("csv", "xlsx"):
        for entity in book.entities:
            wanted.append((f"aging-{entity.code}.{fmt}", "ledger", "/v1/reports/aging",
                           {"as_of": last.isoformat(), "business_entity": entity.code, "format": fmt}, {}))  # fmt: skip
        wanted.append((f"aging-by-collector.{fmt}", "collections", "/v1/aging/export",
                       {"as_of": last.isoformat(), "group_by": "collector", "format": fmt}, manager))  # fmt: skip
        for collector in organisation.collectors:
            wanted.append((f"worklist-{collector}.{fmt}", "collections", "/v1/worklist/export",
                           {"collector": collector, "format": fmt}, manager))  # fmt: skip
        wanted.append((f"experiment-outcomes.{fmt}", "collections",
                       f"/v1/experiments/{organisation.experiment_id}/outcomes/export",
                       {"as_of": last.isoformat(), "format": fmt}, manager))  # fmt: skip
        wanted.append((f"dispute-root-causes.{fmt}", "collections", "/v1/reports/dispute-root-causes",
                       {"opened_from": first.isoformat(), "opened_to": last.isoformat(), "format": fmt}, manager))  # fmt: skip
    written = []
    for name, service, path, params, who in wanted:
        response = await api.send(service, "GET", path, params=params, **who)
        target = folder / name
        target.write_bytes(response.content)
        written.append(target)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    (folder / "summary.txt").write_text(text + "\n")
    return [*written, folder / "summary.json", folder / "summary.txt"]

"""The reports as files: aging (ledger per customer, collections per collector), the worklists,
the experiment's outcomes and the dispute root causes, in CSV and XLSX, and the summary."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from demo.book import Book
from demo.client import Api
from demo.organisation import Organisation


@dataclass(frozen=True)
class Report:
    file: str
    service: str
    path: str
    params: dict[str, str]
    as_manager: bool = True


def reports(book: Book, organisation: Organisation, first: date, last: date) -> list[Report]:
    day = last.isoformat()
    wanted: list[Report] = []
    for fmt in ("csv", "xlsx"):
        for entity in book.entities:
            params = {"as_of": day, "business_entity": entity.code, "format": fmt}
            wanted.append(Report(f"aging-{entity.code}.{fmt}", "ledger", "/v1/reports/aging", params, False))
        by_collector = {"as_of": day, "group_by": "collector", "format": fmt}
        wanted.append(Report(f"aging-by-collector.{fmt}", "collections", "/v1/aging/export", by_collector))
        for collector in organisation.collectors:
            params = {"collector": collector, "format": fmt}
            wanted.append(Report(f"worklist-{collector}.{fmt}", "collections", "/v1/worklist/export", params))
        outcomes = f"/v1/experiments/{organisation.experiment_id}/outcomes/export"
        wanted.append(
            Report(f"experiment-outcomes.{fmt}", "collections", outcomes, {"as_of": day, "format": fmt})
        )
        causes = {"opened_from": first.isoformat(), "opened_to": day, "format": fmt}
        wanted.append(
            Report(f"dispute-root-causes.{fmt}", "collections", "/v1/reports/dispute-root-causes", causes)
        )
    return wanted


def save(folder: Path, contents: dict[str, bytes], summary: dict[str, Any], text: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        **contents,
        "summary.json": json.dumps(summary, indent=2, default=str).encode(),
        "summary.txt": (text + "\n").encode(),
    }
    for name, content in contents.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in contents]


async def write_exports(
    api: Api,
    book: Book,
    organisation: Organisation,
    first: date,
    last: date,
    summary: dict[str, Any],
    text: str,
    folder: Path,
) -> list[Path]:
    manager = organisation.desks[0].manager
    contents: dict[str, bytes] = {}
    for report in reports(book, organisation, first, last):
        who: dict[str, Any] = (
            {"subject": manager, "scopes": ("collections:manage",)} if report.as_manager else {}
        )
        response = await api.send(report.service, "GET", report.path, params=report.params, **who)
        contents[report.file] = response.content
    return await asyncio.to_thread(save, folder, contents, summary, text)

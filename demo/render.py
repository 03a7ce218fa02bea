"""The summary as the text `make demo` prints."""

from __future__ import annotations

from typing import Any


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        c.rjust(w) if n else c.ljust(w) for n, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[n])) for r in [header, *rows]) for n in range(len(header))]
    return [_row(header, widths), *(_row(r, widths) for r in rows)]


def render(s: dict[str, Any]) -> str:
    out = [
        f"Demo run {s['run']}: {s['customers']} customers in {', '.join(s['entities'])}, "
        f"{s['business_days']} business days from {s['first_day']} to {s['last_day']}",
        "",
    ]
    out.append("== Aging (ledger), first day → last day")
    for entity, a in s["aging"].items():
        labels = a["labels"]
        rows = []
        for first, last in zip(a["first"], a["last"], strict=False):
            rows.append(
                [
                    f"{entity} {first['currency']} {s['first_day']}",
                    *(first["buckets"][b] for b in labels),
                    first["total"],
                ]
            )
            rows.append(
                [
                    f"{entity} {last['currency']} {s['last_day']}",
                    *(last["buckets"][b] for b in labels),
                    last["total"],
                ]
            )
        for delta in a["deltas"]:
            rows.append(
                [
                    f"{entity} {delta['currency']} change",
                    *(delta["buckets"][b]["amount"] for b in labels),
                    delta["total"]["amount"],
                ]
            )
        out += _table(["", *labels, "total"], rows)
        agree = "equals" if a["ledger_total"] == a["collections_total"] else "DIFFERS FROM"
        totals = f"{a['collections_total']} {agree} the ledger's open balance {a['ledger_total']}"
        out.append(f"  collections' aging {totals}")
    out += ["", "== Aging by collector (collections, last day)"]
    out += _table(
        ["collector", "currency", "total"],
        [[x["name"] or x["group"], x["currency"], x["total"]] for x in s["aging_by_collector"]],
    )
    for collector, items in s["worklists"].items():
        out += ["", f"== Top of {collector}'s worklist"]
        out += _table(
            ["customer", "overdue", "days", "score", "SLA"],
            [
                [
                    i["name"],
                    " ".join(f"{m['amount']} {m['currency']}" for m in i["overdue"]),
                    str(i["oldest_days_past_due"]),
                    i["score"],
                    (i["sla"] or {}).get("due_on", "-")
                    + (" breached" if (i["sla"] or {}).get("breached") else ""),
                ]
                for i in items
            ],
        )
    h, b = s["holds"], s["blocked_orders"]
    out += [
        "",
        f"== Credit: {h['active']} active holds {h['by_source']} {h['by_reason']}; "
        f"orders {s['orders']}; {b['count']} blocked orders waiting",
    ]
    for order in b["top"]:
        out.append(
            f"  {order['order_reference']}: {order['amount']['amount']} {order['amount']['currency']} "
            f"{order['decision']} {order['reason_codes']}"
        )
    m = s["messages"]
    floor = (
        f" (at least: {m['accounts_at_cap']} accounts list only their latest 20)"
        if m["accounts_at_cap"]
        else ""
    )
    out += [
        "",
        f"== Messages: dunning asked for {m['requested']}{floor}; the delivery log holds {m['delivery_log']} "
        f"{m['by_template']} {m['by_status']}",
    ]
    p, d, act = s["promises"], s["disputes"], s["activity"]
    out += [
        f"== Collectors: {act['calls']} calls, {p['made']} promises "
        f"({p['customers_meant_to_keep']} meant to be kept) {p['by_status']}; disputes {d}",
        f"== Cash: {act['payments']} payments ({act['short_payments']} short) {act['cash']}; "
        f"{act['invoices_issued_in_simulation']} invoices issued during the simulation",
    ]
    out += ["", "== KPIs per collector"]
    out += _table(
        ["collector", "cur", "DSO", "best DSO", "ADD", "CEI %", "% current", "% over 90"],
        [
            [
                k["name"] or k["group"],
                k["currency"],
                *(
                    k[f] or "-"
                    for f in (
                        "dso",
                        "best_possible_dso",
                        "average_days_delinquent",
                        "cei_percent",
                        "percent_current",
                        "percent_over_90",
                    )
                ),
            ]
            for k in s["kpis"]
        ],
    )
    e = s["experiment"]
    out += ["", f"== Experiment (window {e['window_days']} days, as of {e['as_of']})"]
    for arm in e["arms"]:
        out.append(
            f"  {arm['arm']} ({arm['strategy']}): {arm['accounts_entered']} entered, "
            f"{arm['accounts_measured']} measured, cash {arm['cash_collected']['total']}, "
            f"cure {arm['cure_rate']['rate']}, roll {arm['roll_rate']['rate']}; {arm.get('verdict') or ''}"
        )
    out.append(f"\n{s['requests']} API requests; {s['waited_for_workers_seconds']} s waiting for the workers")
    out += [f"  {phase}: {seconds} s" for phase, seconds in s.get("timings_seconds", {}).items()]
    return "\n".join(out)

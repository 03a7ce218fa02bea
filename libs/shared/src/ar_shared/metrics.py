"""Prometheus metrics shared by every service (one registry per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "ar_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "ar_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OUTBOX_PUBLISHED = Counter("ar_outbox_published_total", "Outbox events published to Kafka", ["schema"])
OUTBOX_BACKLOG = Gauge("ar_outbox_backlog", "Outbox events not yet published", ["schema"])
OUTBOX_OLDEST_AGE = Gauge(
    "ar_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox event not yet published (0 when none waits)",
    ["schema"],
)
EVENTS_CONSUMED = Counter(
    "ar_events_consumed_total", "Events handled by consumers", ["group", "event_type", "outcome"]
)
EVENTS_DEAD_LETTERED = Counter(
    "ar_events_dead_lettered_total", "Events sent to a dead-letter topic", ["group", "topic"]
)

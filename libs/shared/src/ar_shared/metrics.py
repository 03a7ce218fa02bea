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
CONSUMER_BATCH_EVENTS = Histogram(
    "ar_consumer_batch_events",
    "Events one consumer transaction applied (a partition's fetched batch, or a part of it)",
    ["group"],
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2500, 5000),
)
CONSUMER_BATCH_SECONDS = Histogram(
    "ar_consumer_batch_duration_seconds",
    "How long one consumer transaction took, inbox to commit",
    ["group"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CONSUMER_BATCHES_SPLIT = Counter(
    "ar_consumer_batches_split_total",
    "Consumer batches that failed and were applied in parts to isolate the failing event",
    ["group"],
)

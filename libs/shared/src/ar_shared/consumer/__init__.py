"""Consumers: event handlers run from Kafka in batches, with an inbox and dead letters."""

from ar_shared.consumer.handlers import (
    AfterBatch,
    BatchContext,
    BatchHandler,
    BeforeBatch,
    Delivered,
    EventHandlers,
    Handler,
    HandlerContext,
    HandlerFailed,
    PoisonMessage,
)
from ar_shared.consumer.runner import ConsumerRunner, ConsumerSettings

__all__ = [
    "AfterBatch",
    "BatchContext",
    "BatchHandler",
    "BeforeBatch",
    "ConsumerRunner",
    "ConsumerSettings",
    "Delivered",
    "EventHandlers",
    "Handler",
    "HandlerContext",
    "HandlerFailed",
    "PoisonMessage",
]

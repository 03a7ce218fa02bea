"""Fixtures for the plumbing tests: throwaway service schemas and a Kafka producer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from ar_shared.relay import build_producer
from ar_shared.testing.schemas import ServiceSchema, drop_schema, make_schema
from ar_shared.testing.stack import Stack


@pytest.fixture
async def producer_schema(admin_engine: AsyncEngine) -> AsyncIterator[ServiceSchema]:
    schema = await make_schema(admin_engine, "producer")
    yield schema
    await drop_schema(admin_engine, schema)


@pytest.fixture
async def consumer_schema(admin_engine: AsyncEngine) -> AsyncIterator[ServiceSchema]:
    schema = await make_schema(admin_engine, "consumer")
    yield schema
    await drop_schema(admin_engine, schema)


@pytest.fixture
async def kafka_producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    yield producer
    await producer.stop()

"""The audit hash chain covers each record's canonical JSON: the bulk writer's faster encoding
gives the very bytes `json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)` gives."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData

from ar_shared import context
from ar_shared.audit.log import GENESIS, AuditLog, canonical_json, hashed_fields, record_hash
from ar_shared.plumbing import add_plumbing_tables

# what an audit record holds: JSON values as `model_dump(mode="json")` gives them (decimals as
# strings, unicode, nested objects and lists, nulls), and what `default=str` turns into strings
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.uuids()
    | st.dates()
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=25,
)
instants = st.datetimes(timezones=st.just(UTC))
# no deadline: on a shared machine the neighbours, not the code, decide how long an example takes
unhurried = settings(deadline=None)


def dumps(value: Any) -> bytes:
    """The canonical form as the chain was first written, and as `verify` recomputes it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


@dataclass(frozen=True)
class Caller:
    subject: str
    scopes: frozenset[str]


@unhurried
@given(json_values)
def test_canonical_json_is_the_bytes_json_dumps_gives(value: Any) -> None:
    assert canonical_json(value) == dumps(value)


@unhurried
@given(
    subject=st.text(),
    scopes=st.frozensets(st.text(max_size=20), max_size=4),
    action=st.text(max_size=30),
    entity_type=st.text(max_size=20),
    entities=st.lists(st.tuples(st.text(max_size=40), json_values), min_size=1, max_size=5),
    now=instants,
    correlation_id=st.none() | st.text(max_size=40),
    request_id=st.none() | st.text(max_size=40),
)
def test_a_batch_of_new_chains_hashes_each_record_as_verify_recomputes_it(
    subject: str,
    scopes: frozenset[str],
    action: str,
    entity_type: str,
    entities: list[tuple[str, Any]],
    now: datetime,
    correlation_id: str | None,
    request_id: str | None,
) -> None:
    audit = AuditLog(add_plumbing_tables(MetaData(schema="audit_hash_test")))
    with context.bind(correlation_id=correlation_id, request_id=request_id):
        records = audit.created_records(
            actor=Caller(subject, scopes), action=action, entity_type=entity_type, entities=entities, now=now
        )
    assert len(records) == len(entities)
    for record, (entity_id, after) in zip(records, entities, strict=True):
        row = dict(zip(AuditLog.COLUMNS, record, strict=True)) | {"after": after}
        assert row["entity_id"] == entity_id
        assert row["prev_hash"] == GENESIS
        assert row["hash"] == record_hash(GENESIS, hashed_fields(row))
        assert row["hash"] == hashlib.sha256(GENESIS + dumps(hashed_fields(row))).digest()

"""Finds route inputs not built from `ar_shared.inputs`: a new route cannot forget them unnoticed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from ar_shared.inputs import GUARDS

# core-schema types whose values reach SQL, spreadsheets or date arithmetic as they came: each
# needs one of the guards above it. Numbers, UUIDs, booleans, literals and enums are safe as parsed.
_NEEDS_A_GUARD = {"str", "date", "datetime", "any"}


def _fields(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    # headers are left out: the HTTP server refuses control characters in them
    for location, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("body", dependant.body_params),
    ):
        for field in fields:
            yield f"{location} {field.alias}", field
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _unguarded(
    node: Any, where: str, definitions: dict[str, Any], seen: set[tuple[str, str]]
) -> Iterator[str]:
    """Places inside a pydantic core schema where a str, date, datetime or Any has no guard."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from _unguarded(item, where, definitions, seen)
        return
    if not isinstance(node, Mapping):
        return
    function = node.get("function")
    if isinstance(function, Mapping) and function.get("function") in GUARDS:
        return  # everything below is checked by the guard
    kind = node.get("type")
    if kind == "definitions":
        definitions.update({d["ref"]: d for d in node["definitions"]})
    elif kind == "definition-ref":
        ref = node["schema_ref"]
        if (ref, where) not in seen:  # recursive models end here
            seen.add((ref, where))
            yield from _unguarded(definitions[ref], where, definitions, seen)
        return
    elif "ref" in node:
        definitions.setdefault(node["ref"], node)
    if kind in _NEEDS_A_GUARD:
        yield f"{where} ({kind})"
        return
    fields = node.get("fields")
    if isinstance(fields, Mapping):  # model-fields, typed-dict
        for name, field in fields.items():
            yield from _unguarded(field["schema"], f"{where}.{name}", definitions, seen)
    elif isinstance(fields, list):  # dataclass-args
        for field in fields:
            yield from _unguarded(field["schema"], f"{where}.{field['name']}", definitions, seen)
    if kind == "dict":
        yield from _unguarded(node.get("keys_schema", {"type": "any"}), f"{where}.<key>", definitions, seen)
        yield from _unguarded(node.get("values_schema", {"type": "any"}), f"{where}.*", definitions, seen)
    choices = node.get("choices")
    if isinstance(choices, Mapping):  # tagged-union
        choices = list(choices.values())
    for child in (choices, *(node.get(key) for key in _CHILDREN)):
        if child is not None:
            yield from _unguarded(child, where, definitions, seen)


_CHILDREN = ("schema", "items_schema", "steps", "lax_schema", "strict_schema", "json_schema", "python_schema")


def unguarded_inputs(app: FastAPI) -> list[str]:
    """Every path, query or body input of `app` whose text or dates skip `ar_shared.inputs`."""
    found: list[str] = []
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        route = context.original_route
        for where, field in _fields(route.dependant):
            label = f"{','.join(sorted(route.methods or ()))} {context.path}: {where}"
            schema = field._type_adapter.core_schema
            found += _unguarded(schema, label, {}, set())
    return found

"""Generates the AsyncAPI 3 document and the readable event catalogue from the payload models.

python -m ar_shared.events.asyncapi docs/asyncapi.yaml --markdown docs/events.md  (or `make asyncapi`)
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from typing import Any

import yaml

from ar_shared import events  # noqa: F401 - fills the registry
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.registry import EVENT_TYPES

PRODUCERS = ("ledger", "credit", "collections", "notifications")
REF = "#/components/schemas/{model}"
REGENERATE = (
    "`make asyncapi` (`python -m ar_shared.events.asyncapi docs/asyncapi.yaml --markdown docs/events.md`)"
)


def _models_by_topic() -> dict[str, list[type[EventPayload]]]:
    by_topic: dict[str, list[type[EventPayload]]] = {f"{p}.events": [] for p in PRODUCERS}
    for model in EVENT_TYPES.values():
        by_topic[model.topic()].append(model)
    return by_topic


def _hoist(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    return schema


def build_document() -> dict[str, Any]:
    components: dict[str, Any] = {}
    envelope = _hoist(CloudEvent.model_json_schema(ref_template=REF), components)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, models in _models_by_topic().items():
        channel_messages = {}
        for model in models:
            name = model.event_name
            components[name] = _hoist(model.model_json_schema(ref_template=REF), components)
            payload = copy.deepcopy(envelope)
            payload["title"] = f"{name} (CloudEvents 1.0)"
            payload["properties"]["type"] = {"const": model.event_type(), "type": "string"}
            payload["properties"]["source"] = {"const": f"/ar/{model.producer}", "type": "string"}
            payload["properties"]["data"] = {"$ref": REF.format(model=name)}
            messages[name] = {
                "name": name,
                "title": name,
                "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name,
                "contentType": "application/cloudevents+json",
                "bindings": {
                    "kafka": {
                        "bindingVersion": "0.5.0",
                        "key": {"type": "string", "format": "uuid", "description": model.subject_field},
                    }
                },
                "payload": payload,
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[topic] = {
            "address": topic,
            "description": f"Events of the {topic.split('.')[0]} service, keyed by customer id.",
            "messages": channel_messages,
        }
        operations[f"publish{topic.split('.')[0].capitalize()}Events"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"The {topic.split('.')[0]} service publishes through its outbox relay.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "AR collections platform events",
            "version": "1.0.0",
            "description": (
                "Domain events shared over Kafka. Structured-mode CloudEvents 1.0 JSON in the message "
                "value; the message key is the customer id, so one customer's events stay ordered. "
                "Delivery is at least once; consumers de-duplicate by event `id`."
            ),
        },
        "servers": {"local": {"host": "127.0.0.1:59092", "protocol": "kafka", "description": "make up"}},
        "channels": channels,
        "operations": operations,
        "components": {"schemas": dict(sorted(components.items())), "messages": messages},
    }


def render_yaml() -> str:
    # round-trip through JSON so the YAML holds plain types only, in a stable order
    return yaml.safe_dump(
        json.loads(json.dumps(build_document())), sort_keys=False, allow_unicode=True, width=100
    )


def _field_type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = str(spec["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in spec:
        return " or ".join(_field_type(s) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_field_type(spec.get('items', {}))}"
    if "enum" in spec:
        return " / ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    fmt = spec.get("format")
    return f"{spec.get('type', 'object')}{f' ({fmt})' if fmt else ''}"


def _field_table(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in schema.get("properties", {}).items():
        desc = spec.get("description", "").replace("|", "\\|")
        lines.append(f"| `{field}` | {_field_type(spec)} | {'yes' if field in required else 'no'} | {desc} |")
    return [*lines, ""]


def render_markdown() -> str:
    lines = [
        "# Event catalogue",
        "",
        f"Generated from `ar_shared.events` by {REGENERATE}; do not edit by hand.",
        "Every event travels as a structured CloudEvents 1.0 JSON value (`id`, `type`, `source`,",
        "`subject`, `time`, `data`, plus `correlationid`, `causationid`, `traceparent`). The Kafka key",
        "and `subject` are the customer id. The machine-readable form is [asyncapi.yaml](asyncapi.yaml).",
        "",
    ]
    shared: dict[str, dict[str, Any]] = {}
    for topic, models in _models_by_topic().items():
        lines += [f"## `{topic}`", ""]
        for model in models:
            schema = model.model_json_schema()
            shared.update(schema.get("$defs", {}))
            lines += [
                f"### {model.event_name}",
                "",
                f"`{model.event_type()}` — {(model.__doc__ or '').strip()}",
                "",
                f"Key and `subject`: `{model.subject_field}`.",
                "",
                *_field_table(schema),
            ]
    lines += ["## Shared types", ""]
    for name, schema in sorted(shared.items()):
        lines += [f"### {name}", ""]
        if "description" in schema:
            lines += [schema["description"], ""]
        lines += _field_table(schema)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the AsyncAPI document (and the Markdown catalogue).")
    parser.add_argument("output", nargs="?", help="path of the AsyncAPI YAML file (default: stdout)")
    parser.add_argument("--markdown", help="path of the Markdown event catalogue")
    args = parser.parse_args()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(render_yaml())
    else:
        sys.stdout.write(render_yaml())
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write(render_markdown())


if __name__ == "__main__":
    main()

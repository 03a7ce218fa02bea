"""The process templates are rendered in: `python -I -m ar_notifications.templates.sandbox_worker`.

Jinja2's sandbox keeps a template away from the system, not from the CPU or memory: a template
can loop 10^10 times or build a string of gigabytes. So rendering happens here, in a process of
its own with a memory ceiling (RLIMIT_AS), which the service kills when it overruns its deadline
(`rendering.py`). This module imports Jinja2 and the standard library only: the process starts
fast and holds no secret, connection or settings of the service.

Protocol: one JSON object per line on stdin (a job), one per line on stdout (its outcome);
`{"ready": true}` first, once the process is set up.
"""

from __future__ import annotations

import json
import resource
import sys
from functools import lru_cache
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

PARTS = ("subject", "body_text", "body_html")


def _environment(html: bool, strict: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=BaseLoader(),
        # a trial render (a template being saved, with sample data) must not stop at a variable
        # the sample lacks: it is there to measure what the template costs
        undefined=StrictUndefined if strict else Undefined,
        autoescape=html,
        keep_trailing_newline=not html,
    )


ENVIRONMENTS = {
    (html, strict): _environment(html, strict) for html in (False, True) for strict in (False, True)
}


@lru_cache(maxsize=256)
def compiled(source: str, html: bool, strict: bool) -> Template:
    return ENVIRONMENTS[html, strict].from_string(source)


def render(job: dict[str, Any]) -> dict[str, Any]:
    """The outcome of one job: `ok` (the three parts), `syntax` (errors per part), `error` (the
    template failed on this data), `too_large` (the part that crossed the output cap)."""
    strict: bool = job["strict"]
    templates: dict[str, Template] = {}
    syntax = []
    for part in PARTS:
        try:
            templates[part] = compiled(job["parts"][part], part == "body_html", strict)
        except TemplateSyntaxError as exc:
            line = f" (line {exc.lineno})" if exc.lineno else ""
            syntax.append({"field": part, "message": f"{exc.message or exc}{line}"})
    if syntax:
        return {"syntax": syntax}
    budget: int = job["max_chars"]
    rendered: dict[str, str] = {}
    for part, template in templates.items():
        pieces = []
        try:
            # piece by piece, so a template that writes too much stops at the cap
            for piece in template.generate(job["context"]):
                budget -= len(piece)
                if budget < 0:
                    return {"too_large": part}
                pieces.append(piece)
        except MemoryError:
            raise
        except Exception as exc:  # the sandbox's refusals and the template's own errors alike
            if strict:
                return {"error": str(exc) or type(exc).__name__}
        rendered[part] = "".join(pieces)
    rendered["subject"] = rendered["subject"].strip()
    return {"ok": rendered}


def main() -> None:
    memory_bytes = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    for line in stdin:
        try:
            answer = json.dumps(render(json.loads(line))).encode()
        except MemoryError:
            answer = b'{"memory": true}'
        stdout.write(answer + b"\n")
        stdout.flush()
        if answer == b'{"memory": true}':
            return  # a process that ran out of memory is not trusted with the next job


if __name__ == "__main__":
    main()

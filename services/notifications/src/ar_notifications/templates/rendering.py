"""Renders templates in Jinja2's sandbox, in worker processes, within a deadline and an output cap.

A template is written by a manager and rendered with data from events: either may be hostile or
just huge. The sandbox (`sandbox_worker.py`) keeps the template away from the system; the worker
processes keep its CPU and memory away from the service: the event loop only waits (in a thread)
for a pipe, a render that overruns its deadline has its process killed, a part that grows past
the output cap is stopped where it crosses it, and a process that runs out of memory exits.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import queue
import select
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from ar_notifications.templates import sandbox_worker
from ar_shared.problems import FieldError, ProblemError, Unprocessable

PROCESSES = 2  # renders at once per service process; more wait for a free one
MEMORY_BYTES = 512 * 1024 * 1024  # address space of one worker process, Python included
STARTUP_SECONDS = 30.0  # a process starting on a busy machine does not count against a deadline
WAIT_FOR_PROCESS_SECONDS = 30.0


@dataclass(frozen=True)
class RenderLimits:
    timeout_seconds: float
    max_chars: int  # subject, text and HTML together


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


class RenderLimitExceeded(Unprocessable):
    code, title = "template_render_limit", "Template exceeds the rendering limits"


class _Worker:
    """One worker process and its pipes; used by one thread at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-I", "-m", sandbox_worker.__name__, str(MEMORY_BYTES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={},  # nothing of the service's environment (secrets, URLs) reaches templates
        )
        self._stdin: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        self._stdout: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        if self._read(STARTUP_SECONDS) != {"ready": True}:
            self.stop()
            raise ProblemError("the template renderer did not start", status=503, code="renderer_unavailable")

    def exchange(self, job: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """The worker's answer, or None when it overran `timeout`; the worker is stopped when it
        overran, ended, or ran out of memory."""
        try:
            self._stdin.write(json.dumps(job).encode() + b"\n")
            self._stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"ended": True}
        answer = self._read(timeout)
        if answer is not None and ("memory" in answer or "ended" in answer):
            self.stop()
        return answer

    def _read(self, timeout: float) -> dict[str, Any] | None:
        ready, _, _ = select.select([self._stdout], [], [], timeout)
        if not ready:
            self.stop()
            return None
        line = self._stdout.readline()
        if not line:
            return {"ended": True}
        answer: dict[str, Any] = json.loads(line)
        return answer

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self._stdin.close()
        self._stdout.close()


class TemplateRenderer:
    """A small pool of worker processes, started on first use and replaced when one is stopped.

    Process-wide (one per API or worker process, `RENDERER`): event consumers have no app state
    to hold it, and the processes serve any limits. Threads, not asyncio primitives, guard the
    pool, so any event loop may use it; they are its own, so renders waiting for a process never
    hold up the threads the event loop lends to others (DNS lookups among them).
    """

    def __init__(self, processes: int = PROCESSES) -> None:
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(processes):
            self._idle.put(None)  # a slot whose process starts when it is first needed
        self._threads = ThreadPoolExecutor(processes, thread_name_prefix="template-render")
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    async def render(
        self, subject: str, body_text: str, body_html: str, context: dict[str, Any], limits: RenderLimits
    ) -> Rendered:
        """The message; a problem (422) when the template does not compile, fails on this data,
        or exceeds the limits."""
        answer = await self._run(subject, body_text, body_html, context, limits, strict=True)
        return Rendered(**answer["ok"])

    async def check(
        self, subject: str, body_text: str, body_html: str, sample: dict[str, Any], limits: RenderLimits
    ) -> None:
        """Refuses a template that does not compile, or that exceeds the limits with sample data."""
        await self._run(subject, body_text, body_html, sample, limits, strict=False)

    async def _run(
        self, subject: str, body_text: str, body_html: str, context: dict[str, Any], limits: RenderLimits,
        *, strict: bool,
    ) -> dict[str, Any]:  # fmt: skip
        job = {
            "parts": {"subject": subject, "body_text": body_text, "body_html": body_html},
            "context": context,
            "strict": strict,
            "max_chars": limits.max_chars,
        }
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(self._threads, self._exchange, job, limits.timeout_seconds)
        if answer is None:
            raise RenderLimitExceeded(f"rendering took longer than {limits.timeout_seconds:g} s")
        if "syntax" in answer:
            errors = [FieldError(code="template_syntax", **e) for e in answer["syntax"]]
            raise Unprocessable("the template does not compile", code="template_syntax_error", errors=errors)
        if "error" in answer:
            raise Unprocessable(
                f"the template cannot be rendered: {answer['error']}", code="template_render_error"
            )
        if "too_large" in answer:
            detail = f"the rendered message would exceed {limits.max_chars} characters"
            field = FieldError(field=answer["too_large"], message=detail, code="template_output_too_large")
            raise RenderLimitExceeded(detail, errors=[field])
        if "memory" in answer:
            raise RenderLimitExceeded(f"rendering needed more than {MEMORY_BYTES // 2**20} MiB of memory")
        if "ended" in answer:
            raise RenderLimitExceeded("the process rendering the template ended while rendering it")
        return answer

    def _exchange(self, job: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        try:
            worker = self._idle.get(timeout=WAIT_FOR_PROCESS_SECONDS)
        except queue.Empty:
            raise ProblemError(
                "every template renderer is busy; retry later", status=503, code="renderer_busy"
            ) from None
        try:
            if worker is None or not worker.alive:
                worker = self._start()
            answer = worker.exchange(job, timeout)
            if not worker.alive:
                self._forget(worker)
                worker = None
            return answer
        finally:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._all.add(worker)
        return worker

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)

    def close(self) -> None:
        """Stops every worker process (at exit; they would also exit when their stdin closes)."""
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            if worker.alive:
                worker.stop()


RENDERER = TemplateRenderer()
atexit.register(RENDERER.close)

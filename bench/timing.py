"""Report the time and the CPU Django spent on each request in a Server-Timing header.

Wall time alone mixes a request's own work with waiting (for the database, for the other
processes on the cores); the CPU time is what the request cost the worker, so it says how
many requests a second the cores can serve at all. gunicorn's sync workers serve one
request at a time in one thread, so the worker's CPU between the start and the end of a
request is that request's.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    """Outermost middleware: `app;dur=<wall ms>, cpu;dur=<worker CPU ms>`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        wall = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
        response["Server-Timing"] = f"app;dur={wall:.3f}, cpu;dur={cpu:.3f}"
        return response


def parse(header: str | None) -> dict[str, float]:
    """Return {metric: ms} from a Server-Timing header; metrics without dur are left out."""
    found: dict[str, float] = {}
    for metric in (header or "").split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "dur" and name:
                with contextlib.suppress(ValueError):
                    found[name] = float(value.strip().strip('"'))
    return found

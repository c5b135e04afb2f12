"""Load for `make bench`: therapists and supervisors using OpenIPT, plus the bare view.

Environment: BENCH_PLAN (the plan bench/prepare.py wrote), BENCH_PHASE ("latency": each
user pauses 0.5-1.5 s between requests; "saturate": no pause; "bare": the bare view only,
no pause), BENCH_TIMINGS (where to write the recorded times), BENCH_GRACE (seconds at the
start that are not recorded: sign-ins and ramp-up).

Every user was signed in once through the real login form (bench/signin.py) and sends that
session cookie; the API tasks use the therapist's bearer token. The server's own time and
the worker's CPU for each request come from the Server-Timing header that bench/timing.py
adds; the client's time is locust's. The bare view asks only for courses the user may see
(bench/prepare.py chose them by the product's rule), so each request is an allowed,
audited clinical read.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task

from bench.timing import parse

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
PHASE = os.environ.get("BENCH_PHASE", "latency")
GRACE = float(os.environ.get("BENCH_GRACE", "5"))
THERAPISTS = itertools.count()
SUPERVISORS = itertools.count()
PHQ9_ITEMS = [str(n) for n in range(1, 10)]

recorded: dict[str, dict[str, Any]] = defaultdict(
    lambda: {"client": [], "server": [], "cpu": [], "failures": 0}
)
window = {"start": 0.0, "stop": float("inf")}


def think_time():
    return between(0.5, 1.5) if PHASE == "latency" else constant(0)


@events.test_start.add_listener
def _start(**_: Any) -> None:
    window["start"] = time.monotonic() + GRACE


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, exception: Any, **_: Any) -> None:
    now = time.monotonic()
    if now < window["start"] or now > window["stop"]:
        return  # ramp-up, or requests cut off when the phase stops
    entry = recorded[name]
    if exception is not None:
        entry["failures"] += 1
        return
    entry["client"].append(response_time)
    timing = parse(response.headers.get("Server-Timing") if response is not None else None)
    if "app" in timing:
        entry["server"].append(timing["app"])
    if "cpu" in timing:
        entry["cpu"].append(timing["cpu"])


@events.test_stopping.add_listener
def _stopping(**_: Any) -> None:
    window["stop"] = time.monotonic()


@events.test_stop.add_listener
def _stop(**_: Any) -> None:
    window["stop"] = min(window["stop"], time.monotonic())
    out = os.environ.get("BENCH_TIMINGS")
    if out:
        seconds = max(window["stop"] - window["start"], 1e-9)
        Path(out).write_text(json.dumps({"window_s": seconds, "pages": recorded}))


class SignedInUser(FastHttpUser):
    """A user whose session cookie came from a real sign-in (bench/signin.py)."""

    abstract = True
    wait_time = think_time()
    cookie = ""
    bare_courses: list[int] = []

    def get_page(self, path: str, name: str) -> None:
        headers = {"Cookie": self.cookie}
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")

    @task(1)
    def bare_view(self) -> None:
        if self.bare_courses:
            self.get_page(f"/bench/bare/{random.choice(self.bare_courses)}/", "bare view")


class TherapistUser(SignedInUser):
    """A therapist: caseload, course pages, sessions and questionnaires (API)."""

    weight = 4

    def on_start(self) -> None:
        therapists = PLAN["therapists"]
        self.me = therapists[next(THERAPISTS) % len(therapists)]
        self.room = {pk: left for pk, left in self.me["open"]}
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}
        self.cookie = f"sessionid={self.me['session']}"
        self.bare_courses = self.me["bare"]

    @task(3)
    def caseload(self) -> None:
        self.get_page("/courses/", "caseload")

    @task(4)
    def course_page(self) -> None:
        courses = self.me["courses"] or [pk for pk, _ in self.me["open"]]
        pk = random.choice(courses)
        self.get_page(f"/courses/{pk}/", "course page")
        # What the browser fetches next: the score chart drawn into the page (htmx).
        self.get_page(f"/courses/{pk}/measures/chart/", "course chart")

    @task(1)
    def session_save(self) -> None:
        if not self.room:
            return
        pk = random.choice(list(self.room))
        attended = self.room[pk] > 0
        body = {"date": PLAN["today"], "attendance": "attended" if attended else "cancelled"}
        self._post(f"/api/v1/courses/{pk}/sessions", body, "session save")
        if attended:
            self.room[pk] -= 1

    @task(1)
    def questionnaire_submit(self) -> None:
        if not self.room:
            return
        pk = random.choice(list(self.room))
        answers = {item: random.choice((0, 1, 1, 2, 2, 3)) for item in PHQ9_ITEMS}
        answers["9"] = 0
        body = {"instrument": "phq9", "answers": answers}
        self._post(f"/api/v1/courses/{pk}/assessments", body, "questionnaire submit")

    def _post(self, path: str, body: dict[str, Any], name: str) -> None:
        with self.client.post(
            path, json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{path} answered {response.status_code}: {response.text}")


class SupervisorUser(SignedInUser):
    """A supervisor: the supervision dashboard and the service outcomes."""

    weight = 1

    def on_start(self) -> None:
        sessions = PLAN["supervisor_sessions"]
        me = next(SUPERVISORS) % len(sessions)
        self.cookie = f"sessionid={sessions[me]}"
        self.bare_courses = PLAN["supervisor_bare"][me]

    @task(2)
    def supervision(self) -> None:
        self.get_page("/insights/", "supervision dashboard")

    @task(1)
    def service_outcomes(self) -> None:
        self.get_page("/insights/outcomes/", "service outcomes")


class BareUser(SignedInUser):
    """The ceiling of a clinical read: only the bare view, signed in like everyone else."""

    weight = 1

    def on_start(self) -> None:
        # A therapist who has courses: with no pause, a user with nothing to ask would spin.
        therapists = [t for t in PLAN["therapists"] if t["bare"]]
        me = therapists[next(THERAPISTS) % len(therapists)]
        self.cookie = f"sessionid={me['session']}"
        self.bare_courses = me["bare"]

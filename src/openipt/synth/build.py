"""Write one planned course: the course row with its summary, sessions, scores and alerts.

The clinical records around it (focus, goals, tasks, inventory, ending) are in `records`.
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
from dataclasses import dataclass, field

from openipt.assessments.models import Administration, Alert
from openipt.assessments.series import ScoreRow
from openipt.courses.models import Course, Session
from openipt.synth import records
from openipt.synth.config import ALERT_ACTIONS
from openipt.synth.plan import Context, CoursePlan, ScorePlan, pick
from openipt.synth.rows import SUMMARY, SYNTHETIC_NOTE
from openipt.synth.summary import (
    ActiveCourse,
    CourseView,
    Rules,
    compact,
    score_rows,
    summarise,
)
from openipt.synth.writer import Table, Writer

# One technique recorded per middle-phase session, in turn (ids from protocol/techniques.yaml).
MIDDLE_TECHNIQUES = ("exploration", "clarification", "communication_analysis", "role_play")
TECHNIQUES = tuple(json.dumps([technique]) for technique in MIDDLE_TECHNIQUES)
EMPTY_LIST = "[]"
# Risk alerts raised this many days before the anchor date in active courses may still be open.
OPEN_ALERT_DAYS = 21


@dataclass
class Counts:
    """What a run wrote, for the progress bar and the report."""

    courses: int = 0
    administrations: int = 0
    item_answers: int = 0
    alerts: int = 0
    open_alerts: int = 0

    @property
    def assessment_rows(self) -> int:
        return self.administrations + self.item_answers


@dataclass
class CourseBuilder:
    """Turns plans into rows on the writer's tables and keeps what the curves need."""

    ctx: Context
    writer: Writer
    tables: dict[str, Table]
    rules: Rules
    counts: Counts = field(default_factory=Counts)
    active: list[ActiveCourse] = field(default_factory=list)
    stamps: dict[tuple[datetime.date, int], str | None] = field(default_factory=dict)

    def at(self, day: datetime.date, hour: int) -> str | None:
        """Return local `hour` o'clock on `day` as stored column text (cached per day)."""
        key = (day, hour)
        text = self.stamps.get(key)
        if text is None:
            text = self.stamps[key] = self.writer.stamp(self.ctx.utc(day, hour * 60))
        return text

    def add(
        self,
        rng: random.Random,
        plan: CoursePlan,
        client_id: int,
        therapist_id: int,
        follows_id: int | None = None,
        *,
        area: str | None = None,
    ) -> tuple[int, records.Details]:
        """Write the course and everything in it; return its id and the decided details."""
        writer = self.writer
        course_id = writer.ids(Course, 1)[0]
        session_ids = list(writer.ids(Session, len(plan.sessions)))
        admin_ids = list(writer.ids(Administration, len(plan.scores)))
        self._sessions(plan, course_id, therapist_id, session_ids)
        open_alerts = self._scores(rng, plan, course_id, therapist_id, session_ids, admin_ids)
        active = plan.status == "active"  # only active courses can be off track
        series = (
            {code: score_rows(course_id, plan, code, admin_ids) for code in self.ctx.instruments}
            if active
            else {}
        )
        summary = summarise(plan, open_alerts, self.rules, series)
        details = records.add_records(self, rng, plan, course_id, therapist_id, session_ids, area)
        created = self.at(plan.started_on, 9)
        last_change = plan.ended_on or (summary["last_session_on"] or plan.started_on)
        summary["last_session_on"] = _day(summary["last_session_on"])
        summary["latest_score_at"] = writer.stamp(summary["latest_score_at"])
        values = [summary[name] for name in SUMMARY]
        self.tables["course"].rows.append((
            course_id, client_id, therapist_id, follows_id, plan.format, plan.status,
            plan.planned, plan.frequency, _day(details.contract_on), plan.maintenance_months,
            plan.started_on.isoformat(), _day(plan.ended_on), details.end_decision, "",
            _day(details.symptom_onset), EMPTY_LIST, details.referrer, details.area, created,
            self.at(last_change, 18), *values,
        ))  # fmt: skip
        self._remember(plan, course_id, summary, series)
        self.counts.courses += 1
        return course_id, details

    def _sessions(
        self, plan: CoursePlan, course_id: int, therapist_id: int, ids: list[int]
    ) -> None:
        rows = self.tables["session"].rows
        for pk, s in zip(ids, plan.sessions, strict=True):
            techniques = (
                TECHNIQUES[s.number % len(TECHNIQUES)]
                if s.phase == "middle" and s.attendance == "attended"
                else EMPTY_LIST
            )
            rows.append((
                pk, course_id, s.number, s.day.isoformat(), s.attendance, s.modality, s.phase,
                s.engagement, techniques, EMPTY_LIST, therapist_id,
                self.at(s.day, 18), "", "", "",
            ))  # fmt: skip

    def _scores(
        self,
        rng: random.Random,
        plan: CoursePlan,
        course_id: int,
        therapist_id: int,
        session_ids: list[int],
        admin_ids: list[int],
    ) -> int:
        """Write administrations, their item answers and the alerts they raise."""
        admins, items = self.tables["administration"].rows, self.tables["item"].rows
        stamp, open_alerts = self.writer.stamp, 0
        recent = datetime.datetime.combine(
            self.ctx.today - datetime.timedelta(days=OPEN_ALERT_DAYS), datetime.time(), datetime.UTC
        )
        for pk, score in zip(admin_ids, plan.scores, strict=True):
            p = score.pattern
            at = stamp(score.at)
            admins.append((
                pk, course_id, session_ids[score.session], score.instrument,
                self.ctx.bank.banks[score.instrument].version, p.total, p.band, "clinician",
                at, therapist_id, p.risk_items, p.flags, at,
            ))  # fmt: skip
            items.extend(zip(*p.columns, itertools.repeat(pk, p.size), strict=True))
            self.counts.item_answers += p.size
            for item, value in p.alerts:
                is_open = (
                    plan.status == "active"
                    and score.at >= recent
                    and rng.random() < self.ctx.config.open_alert_rate
                )
                open_alerts += self._alert(
                    rng, score, pk, course_id, therapist_id, item, value, is_open
                )
        self.counts.administrations += len(admin_ids)
        return open_alerts

    def _alert(
        self,
        rng: random.Random,
        score: ScorePlan,
        admin_id: int,
        course_id: int,
        therapist_id: int,
        item: str,
        value: int,
        is_open: bool,
    ) -> int:
        stamp = self.writer.stamp
        version = self.ctx.bank.banks[score.instrument].version
        pk = self.writer.ids(Alert, 1)[0]
        if is_open:
            closing: tuple[object, ...] = ("open", "", "", None, None)
        else:
            resolved = score.at + datetime.timedelta(minutes=rng.randint(5, 3 * 24 * 60))
            now = datetime.datetime.combine(self.ctx.today, datetime.time(), datetime.UTC)
            resolved = min(resolved, max(now, score.at))
            action = pick(rng, ALERT_ACTIONS)
            closing = ("resolved", action, SYNTHETIC_NOTE, therapist_id, stamp(resolved))
        self.tables["alert"].rows.append((
            pk, course_id, admin_id, score.instrument, version, item, value, stamp(score.at),
            therapist_id, *closing,
        ))  # fmt: skip
        self.counts.alerts += 1
        self.counts.open_alerts += int(is_open)
        return int(is_open)

    def _remember(
        self, plan: CoursePlan, course_id: int, summary: dict, series: dict[str, list[ScoreRow]]
    ) -> None:
        """Keep what the expected-change curves need, settled at the end of the run."""
        if plan.status == "active":
            view = CourseView(plan.status, plan.format, plan.planned)
            current = max((s.number for s in plan.attended), default=0)
            self.active.append(ActiveCourse(course_id, view, current, compact(series)))


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None

"""Plan one synthetic course: its sessions, attendance, ending and questionnaire scores.

Formats, phases, session counts and frequencies come from `openipt.protocol`; when a score is
due comes from `openipt.measures.schedule`; the answers come from the scored answer bank.
The plan is plain data; `rows` turns it into table rows and `summary` into summary columns.
"""

from __future__ import annotations

import datetime
import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from openipt.courses.ending import sessions_for_months
from openipt.measures.schedule import MeasureSchedule, is_due
from openipt.protocol.formats import Format, get_format, session_slot
from openipt.synth.answers import AnswerBank, Pattern, draw_risk
from openipt.synth.config import TRAJECTORY_MIX, SynthConfig

INTERVAL_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 30}
# Modality of an appointment (60 % in person) and days added to the interval: product choices.
MODALITY = ("in_person",) * 6 + ("video",) * 3 + ("telephone",)
JITTER = (-1, 0, 0, 0, 1, 2)
SECONDS_30 = tuple(datetime.timedelta(seconds=30 * n) for n in range(8))
STEP = {days: datetime.timedelta(days=days) for days in range(1, 40)}
UTC = datetime.UTC


@dataclass
class SessionPlan:
    number: int
    day: datetime.date
    attendance: str
    phase: str
    engagement: bool
    modality: str


@dataclass
class ScorePlan:
    instrument: str
    session: int  # index into CoursePlan.sessions
    number: int
    at: datetime.datetime  # UTC
    pattern: Pattern


@dataclass
class CoursePlan:
    format: str
    frequency: str
    started_on: datetime.date
    trajectory: str
    planned: int | None = None  # the contract, once agreed
    contract_session: int | None = None  # index of the session it was agreed in
    status: str = "active"
    ended_on: datetime.date | None = None
    completed: bool = False  # attended every contracted session
    sessions: list[SessionPlan] = field(default_factory=list)
    scores: list[ScorePlan] = field(default_factory=list)
    maintenance_months: int | None = None

    @functools.cached_property
    def attended(self) -> list[SessionPlan]:
        """The attended sessions (read once the sessions are laid out)."""
        return [s for s in self.sessions if s.attendance == "attended"]

    @functools.cached_property
    def by_instrument(self) -> dict[str, list[ScorePlan]]:
        """The scores per instrument in time order (read once the scores are given)."""
        found: dict[str, list[ScorePlan]] = {}
        for score in self.scores:
            found.setdefault(score.instrument, []).append(score)
        return found

    def series(self, code: str) -> list[ScorePlan]:
        return self.by_instrument.get(code, [])


@dataclass(frozen=True)
class Context:
    """What every course of a run shares."""

    config: SynthConfig
    today: datetime.date
    zone: ZoneInfo
    schedule: MeasureSchedule
    instruments: tuple[str, ...]
    bank: AnswerBank
    offsets: dict[datetime.date, datetime.timedelta] = field(default_factory=dict)

    def utc(self, day: datetime.date, minute: int) -> datetime.datetime:
        """Return local wall-clock `minute` of `day` as an aware UTC datetime (cached offset)."""
        offset = self.offsets.get(day)
        if offset is None:
            noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=self.zone)
            offset = self.offsets[day] = noon.utcoffset() or datetime.timedelta()
        hour, minute = divmod(minute, 60)
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - offset


def pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in mix], [weight for _, weight in mix])[0]


def plan_course(
    ctx: Context,
    rng: random.Random,
    fmt_code: str,
    started_on: datetime.date,
    *,
    keep_active: bool = False,
    baseline: dict[str, int] | None = None,
) -> CoursePlan:
    """Return the plan of one course opened on `started_on` (never past the anchor date)."""
    fmt = get_format(fmt_code)
    cfg = ctx.config
    frequency = fmt.default_frequency.value
    if fmt_code == "ipc" and rng.random() < 0.2:
        frequency = "fortnightly"
    plan = CoursePlan(fmt_code, frequency, started_on, pick(rng, TRAJECTORY_MIX))
    if fmt.phase_model == "maintenance":
        low, high = fmt.duration_months.min, fmt.duration_months.max  # type: ignore[union-attr]
        plan.maintenance_months = rng.randint(low, high)
        planned = sessions_for_months(frequency, plan.maintenance_months)
        plan.trajectory = "maintenance"
    else:
        planned = rng.randint(fmt.typical_sessions.min, fmt.typical_sessions.max)
    roll = rng.random()
    if keep_active or roll >= cfg.single_session_rate + cfg.dropout_rate:
        target = planned
    elif roll < cfg.single_session_rate:
        target = 1
    else:
        target = rng.randint(2, max(2, planned - 2))
    contract_at = 1 if fmt_code in ("ipc", "brief", "maintenance") else 2
    _sessions(ctx, rng, plan, fmt, planned, target, contract_at)
    if keep_active:
        plan.status, plan.ended_on = "active", None
    _scores(ctx, rng, plan, fmt, baseline or {})
    return plan


def _sessions(
    ctx: Context,
    rng: random.Random,
    plan: CoursePlan,
    fmt: Format,
    planned: int,
    target: int,
    contract_at: int,
) -> None:
    """Lay out appointments until `target` are attended or the anchor date is reached."""
    cfg, interval = ctx.config, INTERVAL_DAYS[plan.frequency]
    day, attended = plan.started_on, 0
    while attended < target:
        if day > ctx.today:
            return  # the rest lies in the future: the course is still active
        number = attended + 1
        contract = plan.planned if plan.planned is not None else fmt.default_sessions
        phase, engagement = _slot(fmt.code, contract, number)
        roll = rng.random()
        if attended and roll < cfg.cancelled_rate + cfg.dna_rate:
            kind = "cancelled" if roll < cfg.cancelled_rate else "did_not_attend"
        else:
            kind, attended = "attended", number
        modality = MODALITY[int(rng.random() * len(MODALITY))]
        plan.sessions.append(SessionPlan(number, day, kind, phase, engagement, modality))
        if kind == "attended" and number == contract_at and plan.planned is None:
            plan.planned, plan.contract_session = planned, len(plan.sessions) - 1
        day = day + STEP[interval + JITTER[int(rng.random() * len(JITTER))]]
    last = plan.attended[-1].day
    plan.completed = plan.planned is not None and attended >= plan.planned
    closed = last + datetime.timedelta(days=rng.randint(0, 7) if plan.completed else 35)
    if closed <= ctx.today:
        plan.status = "ended" if plan.completed else "discontinued"
        plan.ended_on = closed


@functools.lru_cache(maxsize=8192)
def _slot(format_code: str, planned: int, number: int) -> tuple[str, bool]:
    """Return the phase and engagement flag of a session (the protocol's rule, cached)."""
    slot = session_slot(get_format(format_code), planned, number)
    return slot.phase.value, slot.engagement


def _scores(
    ctx: Context, rng: random.Random, plan: CoursePlan, fmt: Format, baseline: dict[str, int]
) -> None:
    """Give the due questionnaires at attended sessions, following the course's trajectory."""
    cfg = ctx.config
    skip_gad7 = rng.random() < cfg.gad7_missing_rate
    codes = [code for code in ctx.instruments if not (code == "gad7" and skip_gad7)]
    horizon = max((plan.planned or 0), len(plan.attended), 2)
    curves = {
        code: _curve(rng, plan.trajectory, ctx.bank.banks[code].max_total, baseline.get(code))
        for code in codes
    }
    planned = plan.planned or fmt.default_sessions
    banks = ctx.bank.banks
    for index, session in enumerate(plan.sessions):
        if session.attendance != "attended" or not is_due(ctx.schedule, session.number, planned):
            continue
        missed = cfg.missed_measure_rate
        if session.number > 1 and missed and rng.random() < missed:
            continue
        at = ctx.utc(session.day, rng.randint(8 * 60, 18 * 60))
        progress = (session.number - 1) / (horizon - 1)
        for offset, code in enumerate(codes):
            total = curves[code](progress, rng)
            bank = banks[code]
            risk = draw_risk(rng, total, cfg.item9_rate, cfg.item9_split) if bank.risk_item else 0
            pattern = bank.pick(total, risk, rng)
            stamp = at + SECONDS_30[offset]
            plan.scores.append(ScorePlan(code, index, session.number, stamp, pattern))


def _curve(
    rng: random.Random, trajectory: str, top: int, baseline: int | None
) -> Callable[[float, random.Random], int]:
    """Return total(progress 0..1, rng) for one instrument of one course."""
    scale = top / 27  # the PHQ-9 range; the GAD-7 follows at its own scale
    if baseline is not None:
        start = min(top, max(0, baseline))
    else:
        start = min(top, max(2, round(rng.gauss(15, 5) * scale + rng.gauss(0, 1.5))))
    if trajectory == "responder":
        end = start * rng.uniform(0.1, 0.45)
    elif trajectory == "partial":
        end = start * rng.uniform(0.55, 0.8)
    elif trajectory == "deteriorator":
        end = min(start + rng.uniform(6, 10) * scale, top - 3 * scale)
    else:  # non_responder, maintenance: about where they started
        end = start * rng.uniform(0.85, 1.1)
    bend = 3.0 if trajectory == "responder" else 0.0
    noise = 1.5 * scale

    def total(progress: float, rng: random.Random) -> int:
        if progress <= 0:
            return start
        shape = (1 - math.exp(-bend * progress)) / (1 - math.exp(-bend)) if bend else progress
        value = start + (end - start) * shape + rng.gauss(0, noise)
        return min(top, max(0, round(value)))

    return total

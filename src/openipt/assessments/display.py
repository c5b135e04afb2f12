"""What the pages, the letter and the API show of a course's measures, built in one place.

The course measures page, the course-page panel and the end-of-treatment letter all take the
same `CourseMeasures`, so the letter's chart is byte for byte the page's chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.utils.safestring import SafeString, mark_safe

from openipt.assessments import conf, tracking
from openipt.assessments.models import AdministrationAmendment, Alert
from openipt.assessments.series import ScoreRow
from openipt.assessments.summary import (
    CourseData,
    MeasureStatus,
    load,
    measure_status,
    talking_therapies_for,
)
from openipt.charts import Band, EventMark, ScorePoint, score_chart
from openipt.courses.models import Course
from openipt.measures import Instrument, get_instrument
from openipt.measures.outcomes import instrument_outcome

EVENT_MODELS = ("LifeEvent", "Event", "TimelineEvent")
CLASS_LABELS = {
    "response": "Response (fall of 50 % or more)",
    "remission": "Remission (PHQ-9 below 5)",
    "reliable_improvement": "Reliable improvement",
    "reliable_deterioration": "Reliable deterioration",
    "mid_met": "Minimal important difference reached",
    "caseness": "At caseness at the start",
    "recovery": "Recovery",
    "reliable_recovery": "Reliable recovery",
    "finished": "Finished a course (2 or more sessions, course ended)",
}


def short_name(instrument: Instrument) -> str:
    """Return "PHQ-9" from "PHQ-9 (Patient Health Questionnaire-9)"."""
    return instrument.name.split(" (")[0]


@dataclass(frozen=True)
class Row:
    """One score as the data table beside a chart shows it."""

    id: int
    session_number: int | None
    date: datetime.date
    total: int
    band_label: str
    percentage: int | None


@dataclass
class InstrumentView:
    """One instrument's scores in a course: table, chart and outcome."""

    instrument: Instrument
    rows: list[Row]
    outcome: dict[str, Any]
    chart: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def code(self) -> str:
        return self.instrument.code

    @property
    def name(self) -> str:
        return short_name(self.instrument)

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def latest(self) -> Row:
        return self.rows[-1]

    @property
    def classes(self) -> list[tuple[str, bool]]:
        """Return the change classes that can be judged, as (label, yes/no)."""
        keys = ("response", "remission", "reliable_improvement", "reliable_deterioration")
        return [(CLASS_LABELS[k], self.outcome[k]) for k in keys if self.outcome[k] is not None]


@dataclass
class CourseMeasures:
    """Everything shown about a course's measures."""

    course: Course
    instruments: list[InstrumentView]
    status: MeasureStatus
    course_classes: dict[str, bool | None]
    reasons: list[tracking.Reason]
    open_alerts: list[Alert]
    alert_history: list[Alert]
    # Corrected questionnaires: (amendment, questionnaire name, what it said before).
    amendments: list[tuple[Any, str, list[tuple[str, Any]]]] = field(default_factory=list)

    @property
    def due_names(self) -> str:
        """Return the questionnaires due next session, as "PHQ-9 and GAD-7"."""
        names = [short_name(get_instrument(code)) for code in self.status.instruments_due]
        return " and ".join(names)

    @property
    def missed_names(self) -> list[tuple[str, tuple[int, ...]]]:
        """Return each questionnaire not taken at sessions that were due it, by short name."""
        return [(short_name(get_instrument(code)), s) for code, s in self.status.missed_by]

    @property
    def course_class_rows(self) -> list[tuple[str, bool]]:
        order = ("caseness", "finished", "recovery", "reliable_recovery")
        return [
            (CLASS_LABELS[k], v) for k in order if (v := self.course_classes.get(k)) is not None
        ]


def course_measures(course: Course, *, x: str = "session", charts: bool = True) -> CourseMeasures:
    """Load and shape a course's measures; a fixed number of queries however many scores."""
    data = load(course)
    settings = conf.outcome_settings()
    views = [_instrument_view(code, rows, settings) for code, rows in _ordered(data)]
    if charts and views:
        events = life_events(course)
        for view in views:
            view.chart = chart(view, events, x=x)
    alerts = list(
        Alert.objects.filter(course=course)
        .select_related("resolved_by", "raised_by")
        .order_by("-raised_at", "-id")
    )
    for alert in alerts:
        alert.text = alert_text(alert)  # type: ignore[attr-defined]
    current = max((s.number for s in data.sessions), default=0)
    return CourseMeasures(
        course=course,
        instruments=views,
        status=measure_status(course, data),
        course_classes=talking_therapies_for(course, data, settings),
        reasons=tracking.reasons(course, data.series, current, settings),
        open_alerts=[a for a in alerts if a.is_open],
        alert_history=[a for a in alerts if not a.is_open],
        amendments=corrections_of(course),
    )


def corrections_of(course: Course) -> list[tuple[Any, str, list[tuple[str, Any]]]]:
    """Return the course's corrected questionnaires, newest correction first."""
    from openipt.assessments.corrections import previous_rows  # it imports the services

    found = (
        AdministrationAmendment.objects.filter(administration__course=course)
        .select_related("administration", "changed_by")
        .order_by("-changed_at", "-id")
    )
    return [
        (a, short_name(get_instrument(a.administration.instrument)), previous_rows(a))
        for a in found
    ]


def panel_chart(course: Course) -> SafeString | None:
    """Return the chart the course page shows (the first instrument's), or None without scores.

    The page fetches it after it has loaded (`assessments:panel_chart`): drawing costs tens of
    milliseconds, the rest of the page a few.
    """
    ordered = _ordered(load(course))
    if not ordered:
        return None
    code, rows = ordered[0]
    view = _instrument_view(code, rows, conf.outcome_settings())
    return chart(view, life_events(course))


def _ordered(data: CourseData) -> list[tuple[str, list[ScoreRow]]]:
    """Return the course's instruments: the scheduled ones first, then the rest by code."""
    series = data.series
    wanted = conf.scheduled_instruments()
    order = [c for c in wanted if c in series] + sorted(c for c in series if c not in wanted)
    return [(code, series[code]) for code in order]


def _instrument_view(code: str, scores: list[ScoreRow], settings: Any) -> InstrumentView:
    instrument = get_instrument(code)
    rows = []
    for score in scores:
        band = instrument.band_for(score.total)
        multiplier = instrument.percentage_multiplier
        rows.append(
            Row(
                id=score.id,
                session_number=score.session_number,
                date=score.day,
                total=score.total,
                band_label=band.label if band else "",
                percentage=score.total * multiplier.value if multiplier else None,
            )
        )
    paired = scores[-1].total if len(scores) > 1 else None
    outcome = instrument_outcome(instrument, scores[0].total, paired, settings)
    outcome.update(latest=scores[-1].total, scores=len(scores), name=short_name(instrument))
    return InstrumentView(instrument, rows, outcome)


def chart(view: InstrumentView, events: list[EventMark], *, x: str = "session") -> SafeString:
    """Return the instrument's score chart as inline SVG (kept by the charts package)."""
    instrument = view.instrument
    points = [
        ScorePoint(session_number=r.session_number, date=r.date, total=r.total) for r in view.rows
    ]
    bands = [Band(lower=b.min, upper=b.max, label=b.label) for b in instrument.bands]
    svg = score_chart(
        points,
        bands,
        title=f"{view.name} scores",
        y_max=instrument.total.max,
        higher_is_better=instrument.direction == "higher_is_better",
        events=events,
        x="date" if x == "date" else "session",
    )
    return mark_safe(svg)  # noqa: S308 - our own SVG; text in it is escaped by ElementTree


def alert_text(alert: Alert) -> str:
    """Describe an alert in words: questionnaire, item, and the answer given."""
    if alert.instrument == "facilitator_flag":  # openipt.groups: a concern, not an answer
        return "A group facilitator's concern about this member's safety"
    try:
        instrument = get_instrument(alert.instrument, alert.version)
    except KeyError:
        return f"{alert.instrument} item {alert.item} answered {alert.value}"
    item = instrument.item(alert.item)
    option = next((o for o in item.options if o.value == alert.value), None) if item else None
    answer = f"“{option.label}” ({alert.value})" if option else str(alert.value)
    return f"{short_name(instrument)} item {alert.item} answered {answer}"


def life_events(course: Course) -> list[EventMark]:
    """Return the course's life events from the interpersonal app, if it is installed."""
    for name in EVENT_MODELS:
        try:
            model = apps.get_model("interpersonal", name)
        except LookupError:
            continue
        try:
            events = list(model.objects.filter(course=course).order_by("date"))
        except (FieldError, ValueError, TypeError):
            return []
        return [
            EventMark(date=event.date, label=_event_label(event))
            for event in events
            if isinstance(getattr(event, "date", None), datetime.date)
        ]
    return []


def _event_label(event: Any) -> str:
    for attribute in ("label", "title", "description", "summary"):
        value = getattr(event, attribute, "")
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0]
    display = getattr(event, "get_kind_display", None)
    return str(display()) if callable(display) else "Life event"

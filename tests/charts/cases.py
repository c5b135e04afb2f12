"""Example inputs shared by the chart tests: a typical course, edge cases and empty ones."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from openipt.charts import (
    Band,
    CirclePerson,
    EventMark,
    MoodEntry,
    ScorePoint,
    TimelineEvent,
    closeness_circle,
    mood_chart,
    score_chart,
    timeline,
)

START = datetime.date(2025, 3, 3)

PHQ9_BANDS = (
    Band(0, 4, "Minimal"),
    Band(5, 9, "Mild"),
    Band(10, 14, "Moderate"),
    Band(15, 19, "Moderately severe"),
    Band(20, 27, "Severe"),
)
# WHO-5 raw score: higher is better; under 13 is poor wellbeing, 7 or under suggests depression.
WHO5_BANDS = (Band(0, 7, "Very poor"), Band(8, 12, "Poor"), Band(13, 25, "Adequate"))


def week(n: int) -> datetime.date:
    return START + datetime.timedelta(days=7 * n)


PHQ9_COURSE = tuple(
    ScorePoint(i + 1, week(i), total)
    for i, total in enumerate([19, 18, 16, 15, 12, 11, 9, 8, 7, 6, 6, 5])
)
LIFE_EVENTS = (
    EventMark(week(2) + datetime.timedelta(days=3), "Started new job"),
    EventMark(week(6), "Argument with sister", session_number=6.5),
)

PEOPLE = tuple(
    CirclePerson(label, ring, conflict=conflict, support=support, lost=lost)
    for label, ring, conflict, support, lost in [
        ("Sam (partner)", 1, "overt", "confiding", False),
        ("Mum", 1, "none", "practical", False),
        ("Dad", 2, "covert", None, False),
        ("Priya", 1, "none", "confiding", False),
        ("Work manager", 3, "overt", None, False),
        ("Jo", 2, "none", "practical", False),
        ("Uncle Bill", 4, "none", None, True),
        ("Neighbour", 4, "none", None, False),
        ("Alex", 2, "none", "none", False),
        ("Grandma Rose", 1, "none", "confiding", True),
        ("Therapist group", 3, "none", None, False),
        ("Ben", 3, "covert", "practical", False),
        ("Kate", 4, "none", None, False),
        ("Old school friend Mohammed", 2, "none", None, False),
        ("Coach", 3, "none", "practical", False),
    ]
)

EVENTS = (
    TimelineEvent(datetime.date(2024, 1, 10), "loss", "Mother died"),
    TimelineEvent(datetime.date(2024, 3, 2), "move", "Moved in with partner"),
    TimelineEvent(datetime.date(2024, 4, 20), "work", "Lost job after restructure"),
    TimelineEvent(datetime.date(2024, 6, 1), "relationship", "Arguments with partner began"),
    TimelineEvent(datetime.date(2024, 8, 15), "health", "Back injury"),
    TimelineEvent(datetime.date(2024, 10, 1), "work", "Started part-time work"),
)
TIMELINE_SCORES = tuple(
    ScorePoint(i + 1, datetime.date(2024, 9, 1) + datetime.timedelta(days=14 * i), total)
    for i, total in enumerate([21, 19, 17, 14, 12, 9])
)

MOODS = tuple(
    MoodEntry(START + datetime.timedelta(days=i), mood, contacts)
    for i, (mood, contacts) in enumerate(
        zip(
            [3, 4, 3, 5, 5, 6, 4, 5, 6, 7, 6, 7, 7, 8],
            [0, 1, 0, 2, 1, 3, 0, 1, 2, 4, 2, 3, 1, 5],
            strict=True,
        )
    )
)

CASES: dict[str, Callable[[], str]] = {
    "score_sessions": lambda: score_chart(
        PHQ9_COURSE, PHQ9_BANDS, title="PHQ-9 depression", y_max=27, events=LIFE_EVENTS
    ),
    "score_dates": lambda: score_chart(
        (ScorePoint(None, START - datetime.timedelta(days=10), 21), *PHQ9_COURSE[:6]),
        PHQ9_BANDS,
        title="PHQ-9 depression",
        y_max=27,
        x="date",
        events=(EventMark(START - datetime.timedelta(days=30), "Mother died"),),
    ),
    "score_higher_is_better": lambda: score_chart(
        [ScorePoint(n, week(n), total) for n, total in [(1, 6), (4, 11), (8, 17)]],
        WHO5_BANDS,
        title="WHO-5 wellbeing",
        y_max=25,
        higher_is_better=True,
    ),
    "score_empty": lambda: score_chart((), PHQ9_BANDS, title="PHQ-9 depression", y_max=27),
    "circle_full": lambda: closeness_circle(PEOPLE, title="Closeness circle"),
    "circle_small": lambda: closeness_circle(
        PEOPLE[:4], centre_label="Maria", title="Closeness circle"
    ),
    "circle_empty": lambda: closeness_circle((), title="Closeness circle"),
    "timeline_full": lambda: timeline(
        EVENTS,
        onset=datetime.date(2024, 5, 10),
        scores=TIMELINE_SCORES,
        title="Interpersonal inventory timeline",
    ),
    "timeline_events_only": lambda: timeline(EVENTS[:3], onset=None, title="Timeline"),
    "timeline_empty": lambda: timeline((), onset=None, title="Timeline"),
    "mood_fortnight": lambda: mood_chart(MOODS, title="Mood diary"),
    "mood_empty": lambda: mood_chart((), title="Mood diary"),
}

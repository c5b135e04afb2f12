"""Text in charts is always plain text: people's words never become mathematics or markup.

A label such as "$50 and $20" once drew garbled text, and an odd dollar raised an error that
the circle, timeline, letter and outcomes pages turned into a 500 (matplotlib reads `$...$`
as mathematics). Every chart, and the pages that draw them, get the same hostile corpus.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client as WebClient
from django.urls import reverse

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
from openipt.insights.charts import count_chart, rate_chart
from openipt.interpersonal import services as inventory
from tests.factories import (
    add_session,
    make_client,
    make_course,
    make_user,
    phq9_answers,
    score_session,
)

DAY = datetime.date(2026, 1, 5)
PLAIN = "$50 and $20"
LABELS = [
    PLAIN,
    "$\\frac{$",
    "$x^$",
    "$$",
    "$\\undefined$",
    "a_b^{c} \\alpha",
    "<b>bold</b> & <i>",
    "line\u2028separator",
    "\u202eevil\u202c",
    "😀 emoji",
    "%(name)s {0} %s",
    "x" * 300,
]


def _week(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=7 * n)


def _charts(label: str) -> dict[str, str]:
    bands = (Band(0, 9, label), Band(10, 27, "High"))
    scores = [ScorePoint(1, DAY, 16), ScorePoint(2, _week(1), 12), ScorePoint(3, _week(2), 9)]
    return {
        "circle": closeness_circle(
            [CirclePerson(label=label, ring=1), CirclePerson(label=label, ring=3, lost=True)],
            title=label,
            centre_label=label,
        ),
        "timeline": timeline(
            [TimelineEvent(DAY, "conflict", label), TimelineEvent(_week(3), "loss", label)],
            onset=_week(1),
            scores=scores,
            title=label,
        ),
        "score": score_chart(
            scores,
            bands,
            title=label,
            y_max=27,
            events=[EventMark(_week(1), label, 2)],
        ),
        "score_by_date": score_chart(
            scores, bands, title=label, y_max=27, events=[EventMark(_week(1), label)], x="date"
        ),
        "mood": mood_chart([MoodEntry(DAY, 5, 2), MoodEntry(_week(1), 6, 3)], title=label),
        "count": count_chart([label, "b"], [3, 4], title=label, subtitle=label, across=True),
        "rate": rate_chart(
            [label, "b"], [(label, [0.5, 0.25])], title=label, subtitle=label, across=False
        ),
    }


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter() if node.tag.endswith("text")]


@pytest.mark.parametrize("label", LABELS, ids=range(len(LABELS)))
def test_it_draws_every_chart_with_any_label_as_valid_svg(label):
    for name, svg in _charts(label).items():
        assert _texts(svg), name  # parses as XML and has text


def test_it_draws_dollars_as_the_words_they_are():
    for name, svg in _charts(PLAIN).items():
        drawn = _texts(svg)
        assert any(PLAIN in text for text in drawn), f"{name} drew {PLAIN!r} as mathematics"
        assert not re.search(r"<path[^>]*id=\"[^\"]*DejaVuSans-Oblique", svg), name


@pytest.mark.django_db
def test_it_serves_the_chart_pages_and_the_letter_with_hostile_labels():
    therapist = make_user(username="t", role="therapist", display_name="$Tom$ \\frac{$")
    client = make_client(therapist=therapist, name="$Cara$ the $50 client")
    course = make_course(client=client, via="service")
    for label in LABELS:
        person = inventory.add_person(therapist, course, label=label[:60], ring=2)
        inventory.add_event(therapist, course, date=DAY, kind="conflict", description=label)
    inventory.set_symptom_onset(therapist, course, DAY)
    session = add_session(course=course, number=1, date=DAY)
    score_session(session=session, instrument="phq9", answers=phq9_answers(total=16))
    web = WebClient()
    web.force_login(therapist, backend="django.contrib.auth.backends.ModelBackend")
    pages = [
        reverse("interpersonal:circle", args=[course.pk]),
        reverse("interpersonal:timeline", args=[course.pk]),
        reverse("interpersonal:inventory", args=[course.pk]),
        reverse("assessments:course", args=[course.pk]),
        reverse("courses:letter", args=[course.pk]),
        reverse("courses:letter_pdf", args=[course.pk]),
    ]
    for url in pages:
        response = web.get(url)
        assert response.status_code == 200, url
    assert person.label in web.get(pages[0]).content.decode()

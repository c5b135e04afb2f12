"""The initial phase's psychiatric and interpersonal history [S2], [S134]."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from openipt.courses.history import record_history

pytestmark = pytest.mark.django_db


def test_it_records_the_history_and_shows_it_on_the_course_page(cast, course, login):
    web = login(cast.therapist)
    url = reverse("courses:history", args=[course.pk])
    assert "Take a thorough psychiatric history" in web.get(url).content.decode()
    saved = web.post(
        url,
        {
            "psychiatric_history": "One episode at 24, treated with sertraline; no mania.",
            "interpersonal_history": "Close to her father until his death in 2019.",
            "recorded_on": course.started_on.isoformat(),
        },
    )
    assert saved.status_code == 302
    page = web.get(course.get_absolute_url()).content.decode()
    assert "no mania" in page and "until his death in 2019" in page


def test_it_needs_one_part_and_the_courses_therapist(cast, course):
    with pytest.raises(ValidationError):
        record_history(cast.therapist, course)
    with pytest.raises(PermissionDenied):
        record_history(cast.supervisor, course, psychiatric_history="x")

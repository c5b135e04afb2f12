"""An event years before the onset is listed beside the timeline, not drawn into it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openipt.interpersonal import services as inventory

pytestmark = pytest.mark.django_db


def test_it_lists_an_event_years_before_the_onset_and_draws_the_rest(cast, course, login):
    onset = course.started_on - dt.timedelta(days=60)
    inventory.set_symptom_onset(cast.therapist, course, onset)
    inventory.add_event(
        cast.therapist, course, date=dt.date(2009, 3, 12), kind="death", description="Father died"
    )
    inventory.add_event(
        cast.therapist,
        course,
        date=onset - dt.timedelta(days=20),
        kind="conflict",
        description="Row with partner",
    )
    page = login(cast.therapist).get(reverse("interpersonal:timeline", args=[course.pk]))
    html = page.content.decode()
    listed = html[html.index('class="ip-far-events"') :]
    assert "12 Mar 2009: Father died" in listed
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Row with partner" in svg and "Father died" not in svg

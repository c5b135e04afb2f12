"""The course-page panel and the letter section, rendered from the template tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from openipt.interpersonal import services

pytestmark = pytest.mark.django_db


def render(tag: str, course) -> str:
    return Template("{% load interpersonal_tags %}{% " + tag + " course %}").render(
        Context({"course": course})
    )


@pytest.fixture
def filled(cast, course):
    mum = services.add_person(cast.therapist, course, label="Mum", ring=1, status="deceased")
    services.add_person(cast.therapist, course, label="<b>Ben</b>", ring=2, conflict="overt")
    services.add_event(
        cast.therapist, course, date=dt.date(2024, 9, 1), kind="death", person_id=mum.pk
    )
    return course


def test_it_summarises_the_inventory_on_the_course_page(cast, filled):
    html = render("inventory_panel", filled)
    assert "2 people in the inventory" in html
    assert "1 life event" in html
    assert "symptom onset</a>" not in html and "1 Oct 2024" in html
    assert "Grief" in html and "Stronger fit" in html
    assert "<svg" not in html  # drawn when opened: interpersonal:panel_charts
    assert f'hx-get="/courses/{filled.pk}/panel-charts/"' in html
    assert "<caption>People by ring</caption>" in html
    assert f"/courses/{filled.pk}/formulation/" in html
    assert "&lt;b&gt;Ben&lt;/b&gt;" in html and "<b>Ben</b>" not in html


def test_it_shows_an_empty_panel_without_charts(cast, course):
    html = render("inventory_panel", course)
    assert "0 people in the inventory" in html
    assert "nothing suggested yet" in html
    assert "<svg" not in html and "panel-charts" not in html


def test_it_puts_intake_and_termination_circles_side_by_side_in_the_letter(cast, filled):
    services.take_snapshot(cast.therapist, filled, "intake")
    ben = filled.people.get(ring=2)
    services.update_person(cast.therapist, ben, ring=1, conflict="none")
    services.take_snapshot(cast.therapist, filled, "termination")
    html = render("inventory_letter", filled)
    assert html.count('width="48%"') == 2
    assert "At intake" in html and "At termination" in html
    assert "Closer" in html
    assert html.count("<table") == 3


def test_it_uses_the_current_inventory_when_no_termination_circle_exists(cast, filled):
    html = render("inventory_letter", filled)
    assert html.count("<svg") == 1
    assert "At the end (current inventory)" in html


def test_it_leaves_the_letter_section_out_when_there_is_no_inventory(cast, course):
    assert render("inventory_letter", course).strip() == ""


def test_it_shows_the_panel_on_the_course_page(login, cast, filled):
    response = login(cast.therapist).get(f"/courses/{filled.pk}/")
    if response.status_code == 404:
        pytest.skip("the course page is not there yet")
    assert "Interpersonal inventory and formulation" in response.content.decode()

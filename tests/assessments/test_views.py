"""Measures pages: who may open them, entering a questionnaire, alerts, query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from openipt.assessments.models import Administration, Alert
from openipt.assessments.services import submit_assessment
from tests.conftest import clear_cache
from tests.factories import add_session, make_course, phq9_answers, run_course, score_session

pytestmark = pytest.mark.django_db


def _post_items(answers: dict, **extra) -> dict:
    data = {f"item_{k}": str(v) for k, v in answers.items()}
    data.update(completed_by="clinician", session="")
    data.update(extra)
    return data


# The course measures page ---------------------------------------------------------------


def test_it_shows_the_course_measures_with_charts_and_tables(cast, login, course):
    run_course(course=course, phq9_totals=[18, 14, 9], gad7_totals=[12, 10, 7])
    page = login(cast.therapist).get(reverse("assessments:course", args=[course.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") == 2
    assert html.count('<table class="striped scores-table">') == 2
    assert "Moderately severe" in html and "Enter PHQ-9" in html
    assert "Reliable improvement: yes" in html


def test_it_shows_the_page_read_only_to_the_supervisor(cast, login, course):
    run_course(course=course, phq9_totals=[12])
    page = login(cast.supervisor).get(reverse("assessments:course", args=[course.pk]))
    assert page.status_code == 200
    assert b"Enter PHQ-9" not in page.content
    assert b"You can read these scores but not add to them." in page.content


def test_it_hides_the_page_from_outsiders_and_refuses_clients_and_admins(cast, login, course):
    url = reverse("assessments:course", args=[course.pk])
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code == 403
    assert login(cast.admin).get(url).status_code == 403


def test_it_draws_the_charts_by_date_on_request(cast, login, course):
    run_course(course=course, phq9_totals=[18, 14])
    c = login(cast.therapist)
    by_session = c.get(reverse("assessments:course", args=[course.pk])).content.decode()
    by_date = c.get(reverse("assessments:course", args=[course.pk]), {"x": "date"}).content
    assert "<svg" in by_date.decode()
    assert _svgs(by_session) != _svgs(by_date.decode())


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.S)


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up: first-request work elsewhere (caches, audit chain) is not ours
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_keeps_the_measures_page_query_count_flat(cast, login):
    course = make_course(client=cast.client, planned_sessions=60)
    run_course(course=course, phq9_totals=[10, 11, 12, 13, 14], item9={1: 1, 2: 1})
    c = login(cast.therapist)
    url = reverse("assessments:course", args=[course.pk])
    few = _count_queries(c, url)
    for number in range(6, 51):
        session = add_session(course=course, number=number)
        score_session(
            session=session, instrument="phq9", answers=phq9_answers(total=10, item9=number % 2)
        )
    assert _count_queries(c, url) == few
    assert few <= 8 + AUDIT_QUERIES


# Another area's access audit writes a few rows per page view; they are not ours to pin.
AUDIT_QUERIES = 6


# Entering a questionnaire ---------------------------------------------------------------


def test_it_renders_every_item_as_a_fieldset_with_its_text_as_legend(cast, login, course):
    page = login(cast.therapist).get(reverse("assessments:enter", args=[course.pk, "phq9"]))
    html = page.content.decode()
    assert html.count('<fieldset class="item') == 10
    assert '<legend><span class="item-number">9.</span> Thoughts that you would be better' in html
    assert html.count('type="radio" id="item_9_') == 4
    assert "is not evidence of safety" in html
    assert "no risk" not in html.lower() and "low risk" not in html.lower()


def test_it_saves_a_questionnaire_entered_in_a_session(cast, login, course):
    session = add_session(course=course, number=1)
    url = reverse("assessments:enter", args=[course.pk, "phq9"])
    response = login(cast.therapist).post(
        url, _post_items(phq9_answers(total=16, item9=1), session=str(session.pk)), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("assessments:course", args=[course.pk])
    admin = Administration.objects.get()
    assert (admin.total, admin.session, admin.entered_by) == (16, session, cast.therapist)
    html = response.content.decode()
    assert "PHQ-9 saved: total 16 (Moderately severe)." in html
    assert "Alert raised: PHQ-9 item 9 answered “Several days” (1)" in html
    assert "Open alert" in html


def test_it_shows_each_refused_item_in_the_error_summary_and_stores_nothing(cast, login, course):
    answers = phq9_answers(total=10, item9=1)
    del answers["4"]
    answers["2"] = "lots"
    url = reverse("assessments:enter", args=[course.pk, "phq9"])
    response = login(cast.therapist).post(url, _post_items(answers))
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#item_4_0">Item 4: an answer is required' in html
    assert "Item 2: answer must be one of 0, 1, 2, 3; got text" in html
    assert Administration.objects.count() == 0
    assert Alert.objects.filter(status="open", administration=None).count() == 1
    assert 'id="item_9_1" name="item_9" value="1" checked' in html  # answers are kept


def test_it_refuses_entry_to_supervisors_outsiders_and_clients(cast, login, course):
    url = reverse("assessments:enter", args=[course.pk, "phq9"])
    assert login(cast.supervisor).post(url, _post_items(phq9_answers(total=9))).status_code == 403
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code == 403
    assert Administration.objects.count() == 0


def test_it_answers_404_for_an_unknown_questionnaire(cast, login, course):
    url = reverse("assessments:enter", args=[course.pk, "bdi2"])
    assert login(cast.therapist).get(url).status_code == 404


def test_it_shows_one_questionnaire_item_by_item(cast, login, course):
    run_course(course=course, phq9_totals=[8])
    admin = Administration.objects.get()
    url = reverse("assessments:administration", args=[course.pk, admin.pk])
    html = login(cast.therapist).get(url).content.decode()
    assert "Little interest or pleasure in doing things" in html
    assert "Not at all (0)" in html  # item 9 answered 0 ...
    assert "a zero is not evidence of safety" in html  # ... is never shown as "no risk"
    assert "no risk" not in html.lower()
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.supervisor).get(url).status_code == 200
    other = make_course(client=cast.client)
    wrong = reverse("assessments:administration", args=[other.pk, admin.pk])
    assert login(cast.therapist).get(wrong).status_code == 404


# Alerts ---------------------------------------------------------------------------------


def _alert(cast, course, item9=1):
    return submit_assessment(
        cast.therapist, course, "phq9", phq9_answers(total=12, item9=item9)
    ).alerts[0]


def test_it_lists_open_alerts_of_the_caseload_with_their_age(cast, login, course, other_course):
    _alert(cast, course)
    submit_assessment(cast.outsider, other_course, "phq9", phq9_answers(total=12, item9=3))
    html = login(cast.therapist).get(reverse("assessments:alerts")).content.decode()
    assert "Carla Client" in html and "Oscar Outside" not in html
    assert "Open alert" in html
    assert re.search(r"<time datetime=[^>]+>(now|\d+\xa0\w+ ago)</time>", html)
    assert "PHQ-9 item 9 answered “Several days” (1)" in html


def test_it_lists_supervisees_alerts_to_the_supervisor_without_a_resolve_button(
    cast, login, course, other_course
):
    _alert(cast, course)
    submit_assessment(cast.outsider, other_course, "phq9", phq9_answers(total=12, item9=3))
    html = login(cast.supervisor).get(reverse("assessments:alerts")).content.decode()
    assert "Carla Client" in html and "Oscar Outside" not in html
    assert "Therapist Tom" in html
    assert ">Resolve<" not in html


def test_it_refuses_the_alert_list_to_clients_and_admins(cast, login):
    assert login(cast.client_user).get(reverse("assessments:alerts")).status_code == 403
    assert login(cast.admin).get(reverse("assessments:alerts")).status_code == 403


def test_it_resolves_an_alert_with_an_action_and_a_note(cast, login, course):
    alert = _alert(cast, course)
    c = login(cast.therapist)
    url = reverse("assessments:resolve_alert", args=[alert.pk])
    assert b"Resolve alert" in c.get(url).content
    refused = c.post(url, {"action": "contact_made", "note": ""})
    assert b"There is a problem" in refused.content
    assert b"Write a note of what you did and found." in refused.content
    response = c.post(url, {"action": "contact_made", "note": "Phoned; safe; GP informed."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.action) == ("resolved", "contact_made")
    resolved = c.get(reverse("assessments:alerts"), {"status": "resolved"}).content.decode()
    assert "Contact made" in resolved
    page = c.get(reverse("assessments:course", args=[course.pk])).content.decode()
    assert "Phoned; safe; GP informed." in page  # stays in the record


def test_it_lets_the_supervisor_read_but_not_resolve_an_alert(cast, login, course):
    alert = _alert(cast, course)
    url = reverse("assessments:resolve_alert", args=[alert.pk])
    c = login(cast.supervisor)
    page = c.get(url)
    assert page.status_code == 200
    assert b"Only the client's therapist can resolve this alert." in page.content
    assert c.post(url, {"action": "escalated", "note": "x"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_it_hides_an_alert_from_outsiders_and_refuses_clients(cast, login, course):
    alert = _alert(cast, course)
    url = reverse("assessments:resolve_alert", args=[alert.pk])
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.outsider).post(url, {"action": "escalated", "note": "x"}).status_code == 404
    assert login(cast.client_user).get(url).status_code == 403


def test_it_keeps_the_alert_list_query_count_flat(cast, login):
    def add_alerts(count: int) -> None:
        for index in range(count):
            course = make_course(client=cast.client)
            Alert.objects.create(
                course=course,
                instrument="phq9",
                version="1.0",
                item="9",
                value=1 + index % 3,
                raised_at=course.created_at,
                raised_by=cast.therapist,
            )

    add_alerts(5)
    c = login(cast.supervisor)
    few = _count_queries(c, reverse("assessments:alerts"))
    add_alerts(45)
    assert _count_queries(c, reverse("assessments:alerts")) == few
    assert few <= 5 + AUDIT_QUERIES
    html = c.get(reverse("assessments:alerts")).content.decode()
    assert html.count("Open alert") == 25 + 0 and "Page 1 of 2" in html


# The course-page panel and the letter ---------------------------------------------------


def _render(text: str, **context) -> str:
    from django.template import Context, Template

    return Template("{% load assessments_tags %}" + text).render(Context(context))


def test_it_renders_the_course_panel_with_labels_not_colour_alone(cast, course, rf):
    run_course(course=course, phq9_totals=[16, 14], item9={2: 1})
    request = rf.get("/")
    request.user = cast.therapist
    html = _render(
        "{% measures_panel course %}", course=course, user=cast.therapist, request=request
    )
    assert '<span class="badge badge-danger">Open alert</span>' in html
    assert "Measure due" in html and "PHQ-9 and GAD-7 due at session 3" in html
    assert "Moderate" in html and "<svg" not in html  # the chart comes after the page
    assert f'hx-get="/courses/{course.pk}/measures/chart/"' in html
    assert "scores as a table" in html


def test_it_puts_the_same_svg_in_the_page_and_the_letter(cast, login, course):
    run_course(course=course, phq9_totals=[18, 12, 7], gad7_totals=[13, 9, 5])
    page = login(cast.therapist).get(reverse("assessments:course", args=[course.pk]))
    letter = _render("{% measures_letter course %}", course=course)
    assert _svgs(page.content.decode()) == _svgs(letter)
    assert "First score" in letter and "18 (Moderately severe)" in letter
    assert "Response (fall of 50 % or more): yes" in letter


def test_it_renders_the_letter_section_to_a_pdf(cast, course):
    weasyprint = pytest.importorskip("weasyprint")
    run_course(course=course, phq9_totals=[18, 12, 7], gad7_totals=[13, 9, 5])
    html = (
        "<html><body>" + _render("{% measures_letter course %}", course=course) + "</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")


def test_it_says_so_when_a_course_has_no_scores(cast, course):
    assert "No questionnaire scores were recorded" in _render(
        "{% measures_letter course %}", course=course
    )


def test_it_draws_inline_svg_even_after_a_pdf_was_made(cast, course):
    import xml.etree.ElementTree as ET

    from openipt.charts.svg import SVG_NS

    run_course(course=course, phq9_totals=[18, 12])
    clear_cache()
    ET.register_namespace("", "")  # what importing weasyprint.pdf.metadata does
    try:
        html = _render("{% measures_letter course %}", course=course)
    finally:
        ET.register_namespace("", SVG_NS)
    assert "<svg" in html and "ns0:" not in html

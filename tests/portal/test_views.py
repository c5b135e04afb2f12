from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openipt.assessments.models import Administration, Alert
from openipt.portal import links, services
from openipt.portal.models import ClientTask, MoodEntry, PortalDraft, PortalLink
from tests.factories import add_session, make_client, make_course, make_user, phq9_answers
from tests.portal.conftest import START

pytestmark = pytest.mark.django_db

CLIENT_PAGES = ["portal:home", "portal:plan", "portal:mood", "portal:progress",
                "portal:staying_well"]  # fmt: skip


def test_it_sends_a_client_home_to_the_portal(cast, login):
    response = login(cast.client_user).get("/")
    assert response.status_code == 302 and response.url == reverse("portal:home")


@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_it_shows_every_portal_page_to_the_client(cast, course, login, name):
    response = login(cast.client_user).get(reverse(name))
    assert response.status_code == 200
    assert b"Carla" in response.content or name != "portal:home"


@pytest.mark.parametrize("name", CLIENT_PAGES)
@pytest.mark.parametrize("who", ["therapist", "supervisor", "outsider", "admin"])
def test_it_refuses_portal_pages_to_staff(cast, course, login, name, who):
    response = login(getattr(cast, who)).get(reverse(name))
    assert response.status_code == 403


@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_it_sends_strangers_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_it_answers_404_to_a_client_account_without_a_record(cast, login):
    loose = make_user(username="loose", role="client")
    assert login(loose).get(reverse("portal:home")).status_code == 404


def test_it_keeps_another_clients_objects_out_of_reach(cast, course, other, login):
    add_session(course=other.course, number=1, work="Their task")
    their_task = ClientTask.objects.get()
    draft = services.start(other.user, other.course, "phq9")
    for item_id, value in phq9_answers(total=5).items():
        services.save_answer(other.user, draft, draft_item(item_id), value)
    result = services.finish(other.user, draft)
    services.start(other.user, other.course, "gad7")
    web = login(cast.client_user)
    assert (
        web.post(reverse("portal:task_done", args=[their_task.pk]), {"done": "1"}).status_code
        == 404
    )
    assert web.get(reverse("portal:sent", args=[result.administration.pk])).status_code == 404
    assert web.get(reverse("portal:question", args=["gad7", 1])).status_code == 404
    assert web.get(reverse("portal:check", args=["gad7"])).status_code == 404
    their_task.refresh_from_db()
    assert not their_task.is_done
    plan = web.get(reverse("portal:plan")).content.decode()
    assert "Their task" not in plan


def draft_item(item_id):
    from openipt.measures import get_instrument

    return get_instrument("phq9").item(item_id)


def test_it_walks_a_client_through_a_phq9_with_a_risk_answer(cast, course, login):
    web = login(cast.client_user)
    start = web.get(reverse("portal:begin", args=["phq9"]))
    assert b"Start the PHQ-9" in start.content
    response = web.post(reverse("portal:begin", args=["phq9"]))
    assert response.url == reverse("portal:question", args=["phq9", 1])
    page = web.get(response.url).content.decode()
    assert "<legend>" in page and "Little interest or pleasure in doing things" in page
    assert 'type="radio"' in page and "Not at all" in page
    assert "Risk item" not in page  # the clinician's note is not for the client
    answers = phq9_answers(total=12, item9=1)
    for position in range(1, 10):
        response = web.post(
            reverse("portal:question", args=["phq9", position]),
            {f"item_{position}": str(answers[str(position)])},
        )
        assert response.status_code == 302
    assert Alert.objects.filter(course=course, status="open").count() == 1
    page = web.get(reverse("portal:question", args=["phq9", 10])).content.decode()
    assert "If you need help now" in page and 'role="alert"' in page
    assert "emergency" in page
    assert web.post(reverse("portal:question", args=["phq9", 10]), {"skip": "1"}).status_code == 302
    check = web.get(reverse("portal:check", args=["phq9"])).content.decode()
    assert "If you need help now" in check and "Skipped" in check
    response = web.post(reverse("portal:check", args=["phq9"]))
    admin = Administration.objects.get()
    assert response.url == reverse("portal:sent", args=[admin.pk])
    sent = web.get(response.url).content.decode()
    assert "your answers are sent" in sent and "If you need help now" in sent
    assert "Next: the GAD-7" in sent
    assert admin.total == 12 and Alert.objects.get().administration == admin


def test_it_asks_again_when_no_answer_is_chosen(cast, course, login):
    web = login(cast.client_user)
    web.post(reverse("portal:begin", args=["phq9"]))
    response = web.post(reverse("portal:question", args=["phq9", 1]), {})
    assert response.status_code == 200
    assert b"There is a problem" in response.content and b"Choose an answer" in response.content
    response = web.post(reverse("portal:question", args=["phq9", 1]), {"item_1": "7"})
    assert b"Choose one of the answers" in response.content
    assert web.post(reverse("portal:question", args=["phq9", 1]), {"skip": "1"}).status_code == 200
    assert PortalDraft.objects.get().answers == {}


def test_it_resumes_where_the_client_stopped(cast, course, login):
    web = login(cast.client_user)
    web.post(reverse("portal:begin", args=["phq9"]))
    web.post(reverse("portal:question", args=["phq9", 1]), {"item_1": "1"})
    web.post(reverse("portal:question", args=["phq9", 2]), {"item_2": "2"})
    home = web.get(reverse("portal:home")).content.decode()
    assert "Carry on with the PHQ-9" in home and "2 of 10 answered" in home
    response = web.get(reverse("portal:begin", args=["phq9"]))
    assert response.url == reverse("portal:question", args=["phq9", 3])
    page = web.get(reverse("portal:question", args=["phq9", 2])).content.decode()
    assert 'value="2" checked' in page


def test_it_refuses_questions_outside_the_questionnaire(cast, course, login):
    web = login(cast.client_user)
    web.post(reverse("portal:begin", args=["phq9"]))
    assert web.get(reverse("portal:question", args=["phq9", 11])).status_code == 404
    assert web.get(reverse("portal:question", args=["phq9", 0])).status_code == 404
    assert web.get(reverse("portal:begin", args=["who5"])).status_code == 404


def test_it_hides_progress_when_the_therapist_turned_it_off(cast, course, login):
    cast.client.show_progress_to_client = False
    cast.client.save()
    web = login(cast.client_user)
    page = web.get(reverse("portal:progress")).content.decode()
    assert "not shown here" in page and "<svg" not in page
    assert reverse("portal:progress") not in web.get(reverse("portal:home")).content.decode()


def test_it_shows_progress_in_plain_words_with_a_chart_and_table(cast, course, login):
    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    inst = get_instrument("phq9")
    for days, total in ((30, 18), (5, 11)):
        record_administration(
            cast.therapist, course, inst, phq9_answers(total=total),
            completed_at=timezone.now() - datetime.timedelta(days=days),
        )  # fmt: skip
    page = login(cast.client_user).get(reverse("portal:progress")).content.decode()
    assert "Your latest PHQ-9 score is 11 out of 27" in page
    assert "7 points lower than your first score (18)" in page
    assert "<svg" in page and "<table" in page and "Moderate" in page


def test_it_ticks_a_task_off(cast, course, login):
    add_session(course=course, number=1, work="Call my sister")
    task = ClientTask.objects.get()
    web = login(cast.client_user)
    plan = web.get(reverse("portal:plan")).content.decode()
    assert "Call my sister" in plan and "Mark as done" in plan
    response = web.post(reverse("portal:task_done", args=[task.pk]), {"done": "1"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.is_done
    assert "Mark as not done" in web.get(reverse("portal:plan")).content.decode()
    assert web.get(reverse("portal:task_done", args=[task.pk])).status_code == 405


def test_it_logs_mood_and_shows_errors(cast, course, login):
    web = login(cast.client_user)
    response = web.post(reverse("portal:mood"), {"mood": "", "contacts": "x"})
    assert response.status_code == 200 and b"There is a problem" in response.content
    assert b'href="#id_mood_0"' in response.content
    response = web.post(reverse("portal:mood"), {"mood": "6", "contacts": "2", "note": "Choir"})
    assert response.status_code == 302
    entry = MoodEntry.objects.get()
    assert (entry.mood, entry.contacts, entry.note) == (6, 2, "Choir")
    page = web.get(reverse("portal:mood")).content.decode()
    assert "Update today" in page and 'value="6" checked' in page and "<svg" in page


def test_it_shows_the_plan_with_the_area_explained_and_its_sources(cast, course, login):
    from openipt.courses.models import Focus, Goal

    Goal.objects.create(course=course, text="Feel closer to my sister", position=1)
    Focus.objects.create(
        course=course, area="role_transition", chosen_on=course.started_on,
        recorded_by=cast.therapist,
    )  # fmt: skip
    page = login(cast.client_user).get(reverse("portal:plan")).content.decode()
    assert "Feel closer to my sister" in page and "Working on it" in page
    assert "Role transitions" in page and "Changes in life, even welcome ones" in page
    assert "[S1]" in page and "[S45]" in page


def test_it_uses_the_services_naming_scheme(cast, course, login, settings):
    from openipt.courses.models import Focus

    settings.OPENIPT_PROBLEM_AREA_NAMING = "who_lay"
    Focus.objects.create(
        course=course, area="role_transition", chosen_on=course.started_on,
        recorded_by=cast.therapist,
    )  # fmt: skip
    page = login(cast.client_user).get(reverse("portal:plan")).content.decode()
    assert "Life changes" in page


def test_it_keeps_the_relapse_plan_and_shows_maintenance_after_the_course(cast, course, login):
    from openipt.courses.models import RelapsePlan

    RelapsePlan.objects.create(
        course=course, warning_signs="Staying in bed", what_helps="Calling Sam",
        whom_to_contact="My GP",
    )  # fmt: skip
    course.status = "ended"
    course.save()
    follow = make_course(
        client=cast.client, format="maintenance", follows=course, started_on=START,
        frequency="monthly", planned_sessions=6, maintenance_months=6,
    )  # fmt: skip
    add_session(course=follow, number=1)
    page = login(cast.client_user).get(reverse("portal:staying_well")).content.decode()
    assert "Staying in bed" in page and "Calling Sam" in page and "My GP" in page
    assert "Maintenance sessions" in page and "6 monthly sessions" in page
    assert "Session 1:" in page


def test_it_pins_the_query_count_of_the_plan_and_log_pages(
    cast, course, login, django_assert_max_num_queries
):
    web = login(cast.client_user)

    def grow(n):
        for number in range(1, n + 1):
            add_session(
                course=course, number=100 + number + n, work=f"Task A{number}\nTask B{number}"
            )
        today = timezone.localdate()
        for days in range(n):
            MoodEntry.objects.get_or_create(
                course=course, date=today - datetime.timedelta(days=days + 1),
                defaults={"mood": 5, "contacts": 1},
            )  # fmt: skip

    grow(2)
    with django_assert_max_num_queries(16):
        web.get(reverse("portal:plan"))
    with django_assert_max_num_queries(16):
        web.get(reverse("portal:mood"))
    grow(12)
    with django_assert_max_num_queries(16):
        assert web.get(reverse("portal:plan")).status_code == 200
    with django_assert_max_num_queries(16):
        assert web.get(reverse("portal:mood")).status_code == 200


# The therapist's side: invitations.


def test_it_lets_the_therapist_make_a_printable_invitation(cast, login):
    response = login(cast.therapist).post(reverse("portal:invite", args=[cast.client.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    link = PortalLink.objects.get()
    code = page.split('class="portal-code">')[1].split("<")[0]
    assert links.check_link("invitation", code).pk == link.pk
    assert f"/portal/join/{code}/" in page


def test_it_shows_portal_access_on_the_client_page(cast, login):
    web = login(cast.therapist)
    page = web.get(cast.client.get_absolute_url()).content.decode()
    assert "Portal access" in page and "Has an account" in page
    web.post(reverse("portal:invite", args=[cast.client.pk]))
    page = web.get(cast.client.get_absolute_url()).content.decode()
    assert "is waiting to be used" in page and "Make an invitation to reset" in page


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("supervisor", 403),
                                             ("client_user", 403), ("admin", 403)])  # fmt: skip
def test_it_refuses_invitations_to_others(cast, login, who, status):
    response = login(getattr(cast, who)).post(reverse("portal:invite", args=[cast.client.pk]))
    assert response.status_code == status
    assert not PortalLink.objects.exists()


def test_it_only_makes_invitations_on_post(cast, login):
    assert (
        login(cast.therapist).get(reverse("portal:invite", args=[cast.client.pk])).status_code
        == 405
    )


def test_it_shows_an_error_when_the_invitation_cannot_be_emailed(cast, login):
    web = login(cast.therapist)
    response = web.post(reverse("portal:invite", args=[cast.client.pk]), {"send_email": "on"})
    assert response.status_code == 302
    assert "e-mail address" in web.get(response.url).content.decode()


# The client's side: redeeming links.


def _invitation(cast):
    client = make_client(therapist=cast.therapist, name="Nia New", record_number="R-7")
    return client, links.invite_client(cast.therapist, client)


def test_it_signs_a_new_client_in_through_the_invitation(cast, client):
    _new, issued = _invitation(cast)
    page = client.get(f"/portal/join/{issued.secret}/")
    assert page.status_code == 200 and b"Choose a username" in page.content
    response = client.post(
        f"/portal/join/{issued.secret}/",
        {"username": "nia", "password1": "a long pass 2026", "password2": "a long pass 2026"},
    )
    assert response.status_code == 302 and response.url == reverse("portal:home")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200 and b"Nia New" in home.content
    again = client.get(f"/portal/join/{issued.secret}/")
    assert again.status_code == 410
    assert b"already been used" in again.content and b"Ask your therapist" in again.content


def test_it_takes_the_typed_code_to_the_invitation(cast, client):
    _new, issued = _invitation(cast)
    response = client.post(reverse("portal:join_start"), {"code": issued.secret.lower()})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_it_shows_form_errors_when_redeeming(cast, client):
    _new, issued = _invitation(cast)
    response = client.post(
        f"/portal/join/{issued.secret}/",
        {"username": "cli", "password1": "a long pass 2026", "password2": "different 2026 x"},
    )
    assert response.status_code == 200 and b"There is a problem" in response.content


def test_it_refuses_expired_and_unknown_invitations_with_a_clear_page(cast, client):
    _new, issued = _invitation(cast)
    PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(f"/portal/join/{issued.secret}/")
    assert response.status_code == 410 and b"It has expired" in response.content
    response = client.post(
        f"/portal/join/{issued.secret}/",
        {"username": "nia", "password1": "a long pass 2026", "password2": "a long pass 2026"},
    )
    assert response.status_code == 410
    response = client.get("/portal/join/NOPE-NOPE-NOPE-NOPE/")
    assert response.status_code == 404 and b"We do not recognise it" in response.content


def test_it_signs_in_with_an_emailed_link_once(cast, client):
    from django.core import mail

    cast.client.email = "carla@example.org"
    cast.client.save()
    page = client.post(reverse("portal:sign_in"), {"email": "carla@example.org"})
    unknown = client.post(reverse("portal:sign_in"), {"email": "nobody@example.org"})
    for response in (page, unknown):  # the same answer, known address or not
        assert response.status_code == 200 and b"If " in response.content
        assert b"we have sent a sign-in link" in response.content
    assert len(mail.outbox) == 1
    path = "/portal/sign-in/" + mail.outbox[0].body.split("/portal/sign-in/")[1].split("/")[0] + "/"
    assert client.get(path).status_code == 200  # looking does not spend it
    response = client.post(path)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    client.logout()
    again = client.post(path)
    assert again.status_code == 410 and b"already been used" in again.content
    assert b"Get a new sign-in link" in again.content


def _sign_in_token(cast, client) -> str:
    from django.core import mail

    cast.client.email = "carla@example.org"
    cast.client.save()
    client.post(reverse("portal:sign_in"), {"email": "carla@example.org"})
    return mail.outbox[-1].body.split("/portal/sign-in/")[1].split("/")[0]


@pytest.mark.parametrize(
    ("spoil", "status", "says"),
    [
        ("expire", 410, b"It has expired."),
        ("use", 410, b"It has already been used. Each link works only once."),
        ("replace", 410, b"It has been replaced by a newer one, or withdrawn."),
    ],
)
def test_it_explains_every_refused_invitation_on_a_clear_page(cast, client, spoil, status, says):
    _new, issued = _invitation(cast)
    if spoil == "expire":
        PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    elif spoil == "use":
        links.redeem_invitation(issued.secret, username="nia", password1="a long pass 2026",
                                password2="a long pass 2026")  # fmt: skip
    else:
        links.invite_client(cast.therapist, _new)
    for response in (client.get(f"/portal/join/{issued.secret}/"),
                     client.post(f"/portal/join/{issued.secret}/", {})):  # fmt: skip
        page = response.content.decode()
        assert response.status_code == status and says.decode() in page
        assert "This invitation cannot be used" in page and "Ask your therapist" in page
        assert reverse("portal:join_start") in page and reverse("account_login") in page


@pytest.mark.parametrize(
    ("spoil", "says"),
    [("expire", b"It has expired."), ("use", b"It has already been used."),
     ("switch off", b"It has been replaced by a newer one, or withdrawn.")],
)  # fmt: skip
def test_it_explains_every_refused_sign_in_link_on_a_clear_page(cast, client, spoil, says):
    token = _sign_in_token(cast, client)
    if spoil == "expire":
        PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    elif spoil == "use":
        links.use_sign_in_link(token)
    else:
        cast.client_user.is_active = False
        cast.client_user.save()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/portal/sign-in/{token}/")
        if spoil == "switch off" and method == "get":
            continue  # looking at the link does not check the account; using it does
        page = response.content.decode()
        assert response.status_code == 410 and says.decode() in page, (method, page)
        assert "This sign-in link cannot be used" in page
        assert reverse("portal:sign_in") in page and "_auth_user_id" not in client.session


def test_it_shows_clients_the_ways_into_the_portal_on_the_login_page(client):
    page = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("portal:join_start")}"' in page
    assert f'href="{reverse("portal:sign_in")}"' in page
    assert "Join with the invitation code from your therapist" in page
    assert "sign up" not in page.lower()  # accounts come from an admin or an invitation


def test_it_links_every_client_page_from_the_portal_navigation(cast, course, login):
    web = login(cast.client_user)
    page = web.get(reverse("portal:home")).content.decode()
    nav = page.split('<nav class="container"')[1].split("</nav>")[0]
    for name in CLIENT_PAGES:
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("portal:begin", args=["phq9"])}"' in page  # a questionnaire due
    cast.client.show_progress_to_client = False
    cast.client.save()
    nav = web.get(reverse("portal:home")).content.decode().split("</nav>")[0]
    assert reverse("portal:progress") not in nav

"""The admin's audit pages: search the trail, page through it, export it, see changes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from openipt.audit import services
from openipt.audit.models import AccessEvent
from tests.factories import PASSWORD


def _read(actor, action="view", ids=None, object_type="client"):
    return services.record_access(actor, action, object_type, ids or {}, path="/x/")


@pytest.fixture
def admin_client(cast, client):
    client.force_login(cast.admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _seqs(response) -> list[int]:
    return [event.seq for event in response.context["page"].object_list]


def test_it_shows_the_trail_to_admins_only(cast, login, client):
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")
    for user in (cast.therapist, cast.supervisor, cast.client_user):
        assert login(user).get("/audit/").status_code == 403
    assert login(cast.admin).get("/audit/").status_code == 200


def test_it_searches_by_actor_action_and_object(cast, admin_client):
    mine = _read(cast.therapist, ids={"client_id": cast.client.pk})
    _read(cast.supervisor, ids={"client_id": cast.client.pk})
    person = _read(cast.therapist, "view", {"course_id": 9, "person_id": 4}, "person")
    listed = _read(cast.therapist, "list", object_type="clients:list")
    assert _seqs(admin_client.get("/audit/", {"actor": "THER"})) == [
        listed.seq,
        person.seq,
        mine.seq,
    ]
    assert _seqs(admin_client.get("/audit/", {"action": "list"})) == [listed.seq]
    found = admin_client.get("/audit/", {"object_type": "person", "object_id": 4})
    assert _seqs(found) == [person.seq]


def test_it_finds_reads_of_a_clients_courses_by_the_client(world, admin_client):
    course = world.get("courses.course")
    direct = _read(world.owner, ids={"client_id": world.client.pk})
    via_course = _read(world.owner, ids={"course_id": course.pk}, object_type="course")
    _read(world.owner, ids={"client_id": world.other_client.pk})
    response = admin_client.get("/audit/", {"client": world.client.pk})
    assert _seqs(response) == [via_course.seq, direct.seq]


def test_it_searches_by_date_range(cast, admin_client):
    _read(cast.therapist)
    today = timezone.localdate()
    assert len(_seqs(admin_client.get("/audit/", {"date_from": today, "date_to": today}))) == 1
    tomorrow = today + timedelta(days=1)
    assert _seqs(admin_client.get("/audit/", {"date_from": tomorrow})) == []


def test_it_explains_a_search_it_cannot_run(admin_client):
    response = admin_client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert b"The end date is before the start date." in response.content
    assert b"There is a problem" in response.content


def test_it_pages_the_trail_with_a_flat_query_count(
    cast, admin_client, django_assert_max_num_queries
):
    for _ in range(12):
        _read(cast.therapist)
    with django_assert_max_num_queries(8) as few:
        admin_client.get("/audit/")
    for _ in range(130):
        _read(cast.therapist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get("/audit/", {"page": 2})
    assert len(_seqs(response)) == 50
    assert b"Page 2 of 3" in response.content


def test_it_exports_the_search_as_csv_and_records_the_export(cast, client):
    _read(cast.therapist, ids={"client_id": cast.client.pk})
    services.record_access(None, "cli", '=HYPERLINK("http://evil")', {}, actor_label="cli:x")
    client.post("/accounts/login/", {"login": "adm", "password": PASSWORD})
    asked = client.get("/audit/export.csv", {"actor": "ther"})
    client.post(asked["Location"], {"password": PASSWORD})
    response = client.get("/audit/export.csv", {"actor": "ther"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="openipt-audit-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["seq", "at", "actor_id"]
    assert [row[3] for row in rows[1:]] == ["ther"]
    everything = list(
        csv.reader(
            io.StringIO(b"".join(client.get("/audit/export.csv").streaming_content).decode())
        )
    )
    assert '\'=HYPERLINK("http://evil")' in [row[6] for row in everything]  # defused
    exports = AccessEvent.objects.filter(action="export", object_type="audit_trail")
    assert exports.count() == 2 and exports.first().actor_id == cast.admin.pk


def test_it_lists_changes_with_their_values_hidden(cast, login):
    therapist = login(cast.therapist)
    therapist.post(
        f"/clients/{cast.client.pk}/edit/",
        {"name": "Carla Private", "record_number": "R-1", "show_progress_to_client": "on"},
    )
    response = login(cast.admin).get("/audit/changes/", {"model": "client"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "name: [hidden] → [hidden]" in html
    assert "Carla" not in html
    assert login(cast.therapist).get("/audit/changes/").status_code == 403


def test_it_exports_the_trail_on_the_command_line(cast, tmp_path):
    from typer.testing import CliRunner

    from openipt.cli import app

    _read(cast.therapist, ids={"client_id": cast.client.pk})
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(app, ["audit", "export", "--out", str(out), "--actor", "ther"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    assert len(rows) == 2 and rows[1][3] == "ther"
    assert AccessEvent.objects.filter(action="cli", object_type="audit_trail").exists()
    bad = CliRunner().invoke(app, ["audit", "export", "--since", "yesterday"])
    assert bad.exit_code == 2 and "date_from" in bad.output

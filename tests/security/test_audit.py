"""The read audit (AccessEvent, hash-chained) and the write audit (django-auditlog, masked).

Tampering with the chain as a database owner would, and the keys: test_audit_keyed.py.
"""

from __future__ import annotations

import threading

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models
from typer.testing import CliRunner

from openipt.audit import services, writes
from openipt.audit.models import AccessEvent, AppendOnlyError, ChainHead, PendingAccess
from openipt.cli import app as cli_app


def _events():
    services.chain_pending()
    return list(AccessEvent.objects.order_by("seq"))


def test_it_records_a_page_read_with_who_what_and_the_request_id(cast, login):
    client = login(cast.therapist)
    response = client.get(f"/clients/{cast.client.pk}/?tab=notes")
    assert response.status_code == 200
    (event,) = _events()
    assert event.actor_id == cast.therapist.pk
    assert event.actor_username == "ther"
    assert event.role == "therapist"
    assert event.action == "view"
    assert event.object_type == "client"
    assert event.object_ids == {"client_id": cast.client.pk}
    assert event.client_id == cast.client.pk
    assert event.path == f"/clients/{cast.client.pk}/"  # never the query string
    assert event.request_id == response["X-Request-ID"]


def test_it_records_a_list_as_a_list_without_the_search_words(cast, login):
    login(cast.therapist).get("/clients/?q=Carla")
    (event,) = _events()
    assert (event.action, event.object_type, event.path) == ("list", "clients:list", "/clients/")


def test_it_records_an_api_read_by_the_token_holder(cast, client, token_for):
    response = client.get(f"/api/v1/clients/{cast.client.pk}", **token_for(cast.supervisor))
    assert response.status_code == 200
    (event,) = _events()
    assert (event.action, event.actor_id, event.role) == ("api", cast.supervisor.pk, "supervisor")
    assert event.client_id == cast.client.pk


def test_it_records_nothing_for_refused_or_anonymous_requests(cast, login, client):
    client.get(f"/clients/{cast.client.pk}/")
    login(cast.outsider).get(f"/clients/{cast.client.pk}/")
    login(cast.admin).get("/clients/")
    assert _events() == []


def test_it_records_nothing_for_pages_without_health_data(cast, login):
    client = login(cast.therapist)
    client.get("/healthz")
    client.get("/accounts/2fa/")
    assert _events() == []


def test_it_keeps_a_clients_own_username_out_of_the_trail(cast):
    event = services.record_access(cast.client_user, "view", "plan", {"client_id": 1})
    assert (event.actor_id, event.actor_username, event.role) == (cast.client_user.pk, "", "client")


def test_it_records_command_line_reads_with_the_operator(db):
    event = services.record_access(None, "cli", "client", {"client_id": "7"}, actor_label="cli:ops")
    assert (event.actor_id, event.actor_username, event.role) == (None, "cli:ops", "cli")
    assert event.client_id == 7  # text ids from the command line become numbers


def test_it_refuses_an_unknown_action(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        services.record_access(None, "peek", "client", {})


def test_it_names_pdf_and_export_reads_by_their_response():
    from django.http import HttpResponse
    from django.urls import resolve

    from openipt.audit.middleware import describe

    match = resolve("/courses/5/letter/")
    pdf = HttpResponse(b"%PDF", content_type="application/pdf")
    csv = HttpResponse(b"a,b", content_type="text/csv")
    attached = HttpResponse(b"{}", content_type="application/json")
    attached["Content-Disposition"] = 'attachment; filename="x.json"'
    assert describe(match, pdf) == ("pdf", "course", {"course_id": 5})
    assert describe(match, csv)[0] == "export"
    assert describe(match, attached)[0] == "export"


def test_it_withholds_the_page_when_its_read_cannot_be_recorded(cast, login, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record_access", broken)
    response = login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    assert response.status_code == 503
    assert b"Carla" not in response.content


# Pending reads: stored before the response, linked into the chain after it


def test_it_stores_a_page_read_before_the_response_and_links_it_later(cast, login):
    response = login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    assert response.status_code == 200
    (pending,) = PendingAccess.objects.all()
    assert (pending.actor_id, pending.client_id) == (cast.therapist.pk, cast.client.pk)
    assert not AccessEvent.objects.exists()  # no chain head was taken on the request path
    linked = services.chain_pending()
    assert list(linked) == [pending.pk]
    (event,) = AccessEvent.objects.all()
    assert (event.seq, event.at, event.request_id) == (1, pending.at, response["X-Request-ID"])
    assert not PendingAccess.objects.exists()
    assert services.verify_chain().ok


def test_it_links_pending_reads_after_a_response_when_the_interval_has_passed(
    cast, login, settings
):
    settings.OPENIPT_AUDIT_CHAIN_SECONDS = 0
    client = login(cast.therapist)
    client.get(f"/clients/{cast.client.pk}/")
    client.get("/clients/")
    assert not PendingAccess.objects.exists()
    assert [e.action for e in AccessEvent.objects.order_by("seq")] == ["view", "list"]


def test_it_waits_for_the_interval_before_linking_after_a_response(cast, login, settings):
    settings.OPENIPT_AUDIT_CHAIN_SECONDS = 3600
    login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    assert PendingAccess.objects.count() == 1 and not AccessEvent.objects.exists()


def test_it_links_pending_reads_before_anyone_reads_the_trail(cast, login):
    login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    page = login(cast.admin).get("/audit/")
    assert page.status_code == 200
    assert b"/clients/" in page.content
    assert not PendingAccess.objects.exists()


def test_it_verifies_pending_reads_into_the_chain(cast, login):
    login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    result = services.verify_chain()
    assert result.ok and result.checked == 1


# The chain


def _append(n: int) -> None:
    for i in range(n):
        services.record_access(None, "cli", "client", {"client_id": i + 1}, actor_label="cli:t")


def _verify_cli():
    return CliRunner().invoke(cli_app, ["audit", "verify"])


def test_it_chains_each_event_to_the_one_before(db):
    _append(3)
    first, second, third = _events()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (3, third.hash)
    assert services.verify_chain().ok


def test_it_verifies_an_intact_trail_on_the_command_line(db):
    _append(4)
    result = _verify_cli()
    assert result.exit_code == 0, result.output
    assert "intact (4 events)" in result.output


def test_it_refuses_to_change_or_delete_events_in_code(db):
    _append(1)
    (event,) = _events()
    event.path = "/changed/"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.update(path="/x/")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_it_never_forks_the_chain_when_workers_append_at_once():
    from django.db import connections

    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(15):
                # Half the workers record as pages do (pending) and link now and then.
                chain = n % 2 == 0 or i % 5 == 4
                ids = {"client_id": n * 100 + i}
                services.record_access(None, "cli", "client", ids, chain=chain)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert [e.seq for e in _events()] == list(range(1, 91))
    assert services.verify_chain().ok


# The write audit


def test_it_registers_every_health_model_with_everything_but_keys_masked():
    for model in writes.health_models():
        assert auditlog.contains(model), model
        masked = set(auditlog.get_model_fields(model)["mask_fields"])
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                assert field.name in masked, f"{model._meta.label}.{field.name} is not masked"


def test_it_masks_the_whole_value():
    assert writes.mask_all("the client's secret") == "[hidden]"
    assert writes.mask_all("") == "" and writes.mask_all("None") == "None"


def test_it_logs_a_write_with_its_author_and_request_but_never_the_text(cast, login):
    client = login(cast.therapist)
    response = client.post(
        f"/clients/{cast.client.pk}/edit/",
        {"name": "Carla Secretname", "record_number": "R-1", "show_progress_to_client": "on"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(cast.client).latest("timestamp")
    assert entry.actor == cast.therapist
    assert entry.cid == response["X-Request-ID"]
    assert entry.changes_dict["name"] == ["[hidden]", "[hidden]"]
    stored = str(entry.changes) + entry.object_repr + str(entry.serialized_data)
    assert "Secretname" not in stored and "Carla" not in stored
    assert entry.object_repr == f"client #{cast.client.pk}"


def test_it_names_the_api_token_holder_as_the_author(cast, client, token_for):
    response = client.patch(
        f"/api/v1/clients/{cast.client.pk}",
        '{"name": "Carla Renamed"}',
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 200, response.content
    entry = LogEntry.objects.get_for_object(cast.client).latest("timestamp")
    assert entry.actor == cast.therapist
    assert "Renamed" not in str(entry.changes)


def test_it_keeps_clinical_free_text_out_of_the_write_log(world):
    from django.apps import apps

    session = apps.get_model("courses", "Session").objects.get()
    session.notes = "She spoke about her late mother"
    session.save()
    everything = " ".join(str(e.changes) + e.object_repr for e in LogEntry.objects.all())
    assert "late mother" not in everything
    assert "ZZOWNERZZ" not in everything  # the world's free text, written at creation


def test_it_logs_role_changes_in_clear_but_never_password_hashes(cast):
    cast.outsider.role = "supervisor"
    cast.outsider.set_password("another-password-2026")
    cast.outsider.save()
    entry = LogEntry.objects.get_for_object(cast.outsider).latest("timestamp")
    assert entry.changes_dict["role"] == ["therapist", "supervisor"]
    assert "password" not in entry.changes_dict

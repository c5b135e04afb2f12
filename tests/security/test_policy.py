"""The one access policy (openipt.policy): its rule, erased clients' alerts, and that no
other module writes a second copy of it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone

from openipt import policy
from openipt.accounts.models import ApiToken
from openipt.assessments.models import Alert
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.privacy.erasure import erase_client
from tests.factories import make_alert, make_client, make_course, make_erasure, make_user

SRC = Path(__file__).resolve().parents[2] / "src" / "openipt"
ERASED_NAME = "Erin Erased"


@pytest.fixture
def erased(cast):
    """An erased client of the therapist whose open alert was raised before the erasure."""
    client = make_client(therapist=cast.therapist, name=ERASED_NAME, record_number="R-ERASED")
    course = make_course(client=client)
    alert = make_alert(course=course, raised_at=timezone.now())
    make_erasure(client=client)
    return alert


def _web(user) -> WebClient:
    web = WebClient()
    web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return web


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["therapist", "supervisor"])
def test_it_hides_an_erased_clients_open_alert_on_every_route(cast, erased, who):
    user = getattr(cast, who)
    web = _web(user)
    listing = web.get(reverse("assessments:alerts"))
    assert listing.status_code == 200
    assert ERASED_NAME not in listing.content.decode()
    resolve = web.get(reverse("assessments:resolve_alert", args=[erased.pk]))
    assert resolve.status_code == 404
    secret = ApiToken.issue(user)[1]
    api = WebClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.get("/api/v1/alerts?status=all")
    assert answer.status_code == 200
    ids = [item["id"] for item in json.loads(answer.content)["items"]]
    assert erased.pk not in ids
    assert ERASED_NAME not in answer.content.decode()


@pytest.mark.django_db
def test_it_refuses_to_erase_a_client_while_an_alert_is_open(cast):
    course = make_course(client=cast.client)
    alert = make_alert(course=course, raised_at=timezone.now())
    with pytest.raises(ValidationError, match="risk alert still open"):
        erase_client(cast.therapist, cast.client)
    Alert.objects.filter(pk=alert.pk).update(status="resolved", action="risk_assessed")
    erasure = erase_client(cast.therapist, cast.client)
    assert erasure.client_id == cast.client.pk


@pytest.mark.django_db
def test_it_refuses_erasure_from_the_command_line_while_an_alert_is_open(cast):
    from typer.testing import CliRunner

    from openipt.cli import app

    course = make_course(client=cast.client)
    make_alert(course=course, raised_at=timezone.now())
    result = CliRunner().invoke(app, ["erase", "--client", str(cast.client.pk), "--yes"])
    assert result.exit_code != 0
    assert "risk alert still open" in result.output


@pytest.mark.django_db
def test_it_gives_each_role_exactly_its_caseload(cast):
    course = make_course(client=cast.client)
    other = make_course(client=cast.other_client)
    inactive = make_user(username="gone", role="therapist")
    inactive.is_active = False
    expected = {
        "therapist": {course.pk},
        "supervisor": {course.pk},
        "outsider": {other.pk},
        "client_user": {course.pk},
        "admin": set(),
    }
    for who, courses in expected.items():
        user = getattr(cast, who)
        assert (
            set(policy.visible_courses(user, Course.objects.all()).values_list("pk", flat=True))
            == courses
        ), who
    assert not policy.visible_courses(inactive, Course.objects.all()).exists()
    assert not policy.visible_clients(cast.admin, Client.objects.all()).exists()
    assert list(policy.visible_clients(cast.client_user, Client.objects.all())) == [cast.client]


@pytest.mark.django_db
def test_it_lets_only_the_course_therapist_write(cast):
    course = make_course(client=cast.client)
    assert policy.may_write_course(cast.therapist, course)
    for who in ("supervisor", "outsider", "client_user", "admin"):
        assert not policy.may_write_course(getattr(cast, who), course), who
        with pytest.raises(PermissionDenied):
            policy.check_write_course(getattr(cast, who), course)
    assert policy.may_answer_for_self(cast.client_user, course)
    assert not policy.may_answer_for_self(cast.therapist, course)
    cast.therapist.is_active = False
    assert not policy.may_write_course(cast.therapist, course)


@pytest.mark.django_db
def test_it_hides_alerts_and_notes_from_clients_and_admins(cast):
    course = make_course(client=cast.client)
    make_alert(course=course, raised_at=timezone.now())
    for who in ("client_user", "admin", "outsider"):
        assert not policy.visible_alerts(getattr(cast, who), Alert.objects.all()).exists(), who
    assert policy.visible_alerts(cast.supervisor, Alert.objects.all()).count() == 1


# The rule has one home: no module outside openipt.policy compares a role or an owner id.
OWNER_FIELDS = {"therapist_id", "primary_therapist_id", "author_id"}
# accounts/administration.py validates the role an admin gives an account (the data of a
# change, e.g. "only a therapist has a supervisor"); who may make the change asks the policy.
ALLOWED = {"policy.py", "accounts/models.py", "accounts/administration.py"}


def _comparisons(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in [node.left, *node.comparators]:
            if isinstance(side, ast.Attribute) and side.attr in {"role", *OWNER_FIELDS}:
                yield node.lineno, side.attr
            is_getattr = isinstance(side, ast.Call) and getattr(side.func, "id", "") == "getattr"
            if is_getattr and any(
                isinstance(arg, ast.Constant) and arg.value == "role" for arg in side.args
            ):
                yield node.lineno, "getattr role"


def test_it_keeps_every_access_comparison_in_the_policy_module():
    found = []
    for path in SRC.rglob("*.py"):
        name = str(path.relative_to(SRC))
        if name in ALLOWED or "/migrations/" in name or name.startswith(("synth/", "demo")):
            continue
        for line, what in _comparisons(ast.parse(path.read_text())):
            found.append(f"{name}:{line} compares {what}")
    assert not found, "Ask openipt.policy instead:\n  " + "\n  ".join(found)


def test_it_makes_every_visible_to_delegate_to_the_policy():
    for path in SRC.rglob("models.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in {"visible_to", "editable_by"}:
                source = ast.unparse(node)
                assert "policy." in source, f"{path}: {node.name} must ask openipt.policy"
                assert ".role" not in source, f"{path}: {node.name} compares a role"

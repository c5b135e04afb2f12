"""The client portal over REST: invitations, questionnaires due, the plan, tasks and the log.

No `from __future__ import annotations`: django-ninja reads the annotations at run time.
Paths are written in full (mount this router at "/"). The therapist makes invitations and
reads a course's daily log; the client reads and writes only their own record under
/portal/, where staff are refused (403) and another client's object is a 404.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt, StrictStr

from openipt import policy
from openipt.api.schemas import responses
from openipt.clients.access import get_client_for_user
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course
from openipt.portal import conf, services
from openipt.portal.access import get_task_for_client, portal_client
from openipt.portal.models import CONTACTS_MAX, MOOD_MAX, NOTE_MAX, ClientTask
from openipt.portal.plan import plan_for

router = Router(tags=["portal"])
RECENT_DAYS = 28


class InvitationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    send_email: StrictBool = False


class InvitationOut(Schema):
    url: str
    code: str
    expires_at: datetime
    emailed_to: str


class MoodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mood: StrictInt = Field(..., ge=0, le=MOOD_MAX)
    contacts: StrictInt = Field(..., ge=0, le=CONTACTS_MAX)
    note: StrictStr = Field("", max_length=NOTE_MAX)


class MoodOut(Schema):
    date: date
    mood: int
    contacts: int
    note: str


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    done: StrictBool


class TaskOut(Schema):
    id: int
    course_id: int
    session_number: int
    text: str
    done: bool
    done_at: datetime | None

    @staticmethod
    def resolve_session_number(obj: ClientTask) -> int:
        return obj.session.number

    @staticmethod
    def resolve_done(obj: ClientTask) -> bool:
        return obj.is_done


class DueOut(Schema):
    code: str
    name: str
    answered: int = Field(..., description="Questions answered so far (saved per page)")
    total: int
    url: str = Field(..., description="The portal page where the client answers it")


class GoalOut(Schema):
    id: int
    text: str
    status: str
    after_treatment: bool


class SourceOut(Schema):
    tag: str
    title: str


class AreaOut(Schema):
    code: str
    label: str
    text: str
    sources: list[SourceOut]


class PlanOut(Schema):
    course_id: int
    goals: list[GoalOut]
    areas: list[AreaOut]


def _client_only(request: HttpRequest) -> None:
    """Refuse staff: these operations act on the signed-in client's own record only."""
    if not policy.is_client(request.user):
        raise PermissionDenied(_("Only clients have a portal."))


def _client_course(request: HttpRequest) -> Course:
    _client_only(request)
    course = services.current_course(portal_client(request))
    if course is None:
        raise PermissionDenied(_("Your therapist has not started your course yet."))
    return course


@router.post(
    "/clients/{client_id}/portal-invitation",
    response=responses(InvitationOut, 201),
    summary="Invite a client to the portal (the code is shown once)",
)
def create_invitation(request: HttpRequest, client_id: int, payload: InvitationIn):
    client = get_client_for_user(request, client_id, write=True)
    issued = services.invite_client(
        request.user, client, send_email=payload.send_email, base_url=conf.base_url(request)
    )
    issued.link.refresh_from_db()
    return Status(
        201,
        {
            "url": issued.url,
            "code": issued.secret,
            "expires_at": issued.link.expires_at,
            "emailed_to": issued.link.emailed_to,
        },
    )


@router.get(
    "/courses/{course_id}/mood",
    response=responses(list[MoodOut]),
    summary="Read a course's daily log of the last four weeks",
)
def course_mood(request: HttpRequest, course_id: int):
    return services.recent_mood(get_course_for_user(request, course_id), RECENT_DAYS)


@router.get("/portal/mood", response=responses(list[MoodOut]), summary="Read your own daily log")
def my_mood(request: HttpRequest):
    return services.recent_mood(_client_course(request), RECENT_DAYS)


@router.put(
    "/portal/mood/today",
    response=responses(MoodOut),
    summary="Log today's mood and contacts (or change today's entry)",
)
def log_today(request: HttpRequest, payload: MoodIn):
    course = _client_course(request)
    return services.log_mood(request.user, course, **payload.model_dump())


@router.get(
    "/portal/questionnaires",
    response=responses(list[DueOut]),
    summary="List your questionnaires due before the next session",
)
def my_questionnaires(request: HttpRequest):
    return [
        {
            "code": due.code,
            "name": due.name,
            "answered": due.answered,
            "total": due.total,
            "url": reverse("portal:begin", args=[due.code]),
        }
        for due in services.due_questionnaires(_client_course(request))
    ]


@router.get(
    "/portal/plan",
    response=responses(PlanOut),
    summary="Read your plan: goals in your words and the focus explained",
)
def my_plan(request: HttpRequest):
    course = _client_course(request)
    plan = plan_for(course)
    return {"course_id": course.pk, "goals": plan.goals, "areas": plan.areas}


@router.get("/portal/tasks", response=responses(list[TaskOut]), summary="Read your tasks")
def my_tasks(request: HttpRequest):
    course = _client_course(request)
    return list(
        ClientTask.objects.filter(course=course)
        .select_related("session")
        .order_by("-session__date", "-session_id", "position")
    )


@router.patch(
    "/portal/tasks/{task_id}", response=responses(TaskOut), summary="Tick a task off or on"
)
def tick_task(request: HttpRequest, task_id: int, payload: TaskIn):
    _client_only(request)
    task = get_task_for_client(request, task_id)
    done = services.set_task_done(request.user, task, payload.done)
    return ClientTask.objects.select_related("session").get(pk=done.pk)

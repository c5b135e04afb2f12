"""IPT courses over REST: open, read, contract, sessions, focus, goals, ending and letter.

Thin over `openipt.courses.services`, so every protocol rule applies here as on the pages.
No `from __future__ import annotations`: django-ninja reads the annotations at run time.
The schemas live in `courses/schemas.py`.
"""

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from openipt import policy
from openipt.api.schemas import ERRORS, responses
from openipt.clients.access import get_client_for_user
from openipt.courses import services
from openipt.courses.access import get_course_for_user
from openipt.courses.amendment_log import course_amendments
from openipt.courses.amendments import amend_session
from openipt.courses.letter import pdf_response
from openipt.courses.models import Course, Focus, Session
from openipt.courses.schemas import (
    BoundedPagination,
    CloseIn,
    ContractIn,
    ContractOut,
    CourseFilter,
    CourseIn,
    CourseOut,
    FocusIn,
    FocusResult,
    GoalOut,
    GoalsIn,
    SessionIn,
    SessionOut,
    TerminationIn,
    TerminationOut,
    contract_out,
    focus_result,
    termination_out,
)
from openipt.courses.schemas_amend import AmendmentOut, CoursePatch, SessionPatch

router = Router(tags=["courses"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The end-of-treatment letter as PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _courses(request: HttpRequest):
    """Return the courses the user may read here; clients see theirs in the portal."""
    if policy.is_client(request.user):
        return Course.objects.none()
    return (
        Course.objects.visible_to(request.user)
        .select_related("client", "therapist")
        .prefetch_related(
            Prefetch("foci", queryset=Focus.objects.filter(replaced_at__isnull=True)),
            "task_completions",
            "goals",
            "followed_by",
        )
    )


def _reload(request: HttpRequest, course_id: int) -> Course:
    """Return the course fresh, with what the course schema reads prefetched."""
    return _courses(request).get(pk=course_id)


@router.get("/courses", response=responses(list[CourseOut]), summary="List the courses you see")
@paginate(BoundedPagination)
def list_courses(request: HttpRequest, filters: Query[CourseFilter]):
    courses = _courses(request)
    if filters.status:
        courses = courses.filter(status=filters.status)
    if filters.client_id is not None:
        courses = courses.filter(client_id=filters.client_id)
    return courses.order_by("-started_on", "-id")


@router.post("/courses", response=responses(CourseOut, 201), summary="Open a course")
def create_course(request: HttpRequest, payload: CourseIn):
    client = get_client_for_user(request, payload.client_id, write=True)
    course = services.open_course(
        request.user,
        client,
        payload.format,
        planned_sessions=payload.planned_sessions,
        frequency=payload.frequency,
        started_on=payload.started_on,
        intake_flags=payload.intake_flags,
        referrer=payload.referrer,
        symptom_onset=payload.symptom_onset,
    )
    return Status(201, _reload(request, course.pk))


@router.get("/courses/{course_id}", response=responses(CourseOut), summary="Read a course")
def get_course(request: HttpRequest, course_id: int):
    return _reload(request, get_course_for_user(request, course_id).pk)


@router.patch(
    "/courses/{course_id}",
    response=responses(CourseOut),
    summary="Change or correct the course's details (a recorded value changed needs a reason)",
)
def patch_course(request: HttpRequest, course_id: int, payload: CoursePatch):
    course = get_course_for_user(request, course_id, write=True)
    services.update_course(request.user, course, **payload.changes())
    return _reload(request, course.pk)


@router.get(
    "/courses/{course_id}/sessions",
    response=responses(list[SessionOut]),
    summary="List a course's sessions",
)
@paginate(BoundedPagination)
def list_sessions(request: HttpRequest, course_id: int):
    return get_course_for_user(request, course_id).sessions.order_by("date", "id")


@router.post(
    "/courses/{course_id}/sessions", response=responses(SessionOut, 201), summary="Record a session"
)
def create_session(request: HttpRequest, course_id: int, payload: SessionIn):
    course = get_course_for_user(request, course_id, write=True)
    return Status(201, services.record_session(request.user, course, **payload.model_dump()))


@router.patch(
    "/courses/{course_id}/sessions/{session_id}",
    response=responses(SessionOut),
    summary="Correct a session; its previous version is kept as an amendment",
)
def patch_session(request: HttpRequest, course_id: int, session_id: int, payload: SessionPatch):
    course = get_course_for_user(request, course_id, write=True)
    session = get_object_or_404(Session, pk=session_id, course=course)
    amend_session(request.user, session, reason=payload.reason, **payload.changes())
    session.refresh_from_db()
    return session


@router.get(
    "/courses/{course_id}/amendments",
    response=responses(list[AmendmentOut]),
    summary="List the corrections of a course's details, sessions and questionnaires",
)
def list_amendments(request: HttpRequest, course_id: int):
    return course_amendments(get_course_for_user(request, course_id))


@router.put(
    "/courses/{course_id}/contract",
    response=responses(ContractOut),
    summary="Agree or renegotiate the contract",
)
def put_contract(request: HttpRequest, course_id: int, payload: ContractIn):
    course = get_course_for_user(request, course_id, write=True)
    change = services.set_contract(request.user, course, **payload.model_dump())
    return contract_out(change)


@router.put(
    "/courses/{course_id}/focus", response=responses(FocusResult), summary="Choose the focus"
)
def put_focus(request: HttpRequest, course_id: int, payload: FocusIn):
    course = get_course_for_user(request, course_id, write=True)
    areas = [area.model_dump() for area in payload.areas]
    return focus_result(services.set_focus(request.user, course, areas))


@router.put(
    "/courses/{course_id}/goals", response=responses(list[GoalOut]), summary="Replace the goals"
)
def put_goals(request: HttpRequest, course_id: int, payload: GoalsIn):
    course = get_course_for_user(request, course_id, write=True)
    return services.set_goals(request.user, course, [g.model_dump() for g in payload.goals])


@router.post(
    "/courses/{course_id}/termination",
    response=responses(TerminationOut),
    summary="Save the termination review; with a decision, end the course",
)
def post_termination(request: HttpRequest, course_id: int, payload: TerminationIn):
    course = get_course_for_user(request, course_id, write=True)
    ending = services.record_termination(request.user, course, **payload.service_kwargs())
    follow_on = ending.follow_on and _reload(request, ending.follow_on.pk)
    return termination_out(ending, _reload(request, course.pk), follow_on)


@router.post(
    "/courses/{course_id}/close",
    response=responses(CourseOut),
    summary="End a course early: the client dropped out, or it was opened in error",
)
def post_close(request: HttpRequest, course_id: int, payload: CloseIn):
    course = get_course_for_user(request, course_id, write=True)
    services.close_course(request.user, course, **payload.model_dump())
    return _reload(request, course.pk)


@router.get(
    "/courses/{course_id}/letter.pdf",
    response=ERRORS,
    openapi_extra=PDF_RESPONSE,
    summary="The end-of-treatment letter as PDF",
)
def letter_pdf(request: HttpRequest, course_id: int):
    return pdf_response(get_course_for_user(request, course_id), request)

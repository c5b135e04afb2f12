"""How test objects are made: users, the shared cast, clients, courses, sessions and scores.

Every function takes keyword arguments only, so a call reads the same in every area; an
area that needs other values than the defaults passes them.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from openipt.accounts.models import User
    from openipt.assessments.models import Administration, Alert
    from openipt.clients.models import Client
    from openipt.courses.models import Course, Session
    from openipt.courses.services import ContractChange, FocusChange
    from openipt.privacy.models import Erasure

PASSWORD = "cast-password-2026"
START = datetime.date(2026, 1, 5)  # a Monday, when a course starts unless a test says otherwise
ROW_START = datetime.date(2026, 1, 14)  # 60 days before the insights tests' today, 2026-03-15

# How make_course saves: "orm" saves the row (signals run), "service" opens it as a therapist
# would (validated; extra keywords are open_course's), "bulk" inserts it with bulk_create, so
# no signal recomputes the summary columns a test sets.
Via = Literal["orm", "service", "bulk"]

_client_numbers = itertools.count(1)


@dataclass
class Cast:
    therapist: User
    supervisor: User
    outsider: User
    client_user: User
    admin: User
    client: Client  # the therapist's client, linked to client_user
    other_client: Client  # the outsider's client


def make_user(*, username: str, role: str, password: str = PASSWORD, **extra: Any) -> User:
    """Create a user through the accounts service, as the admin command would."""
    from openipt.accounts.services import create_user

    return create_user(username, role, password, **extra)


def build_cast() -> Cast:
    """Create the shared cast (the `cast` fixture, or a module's shared world)."""
    supervisor = make_user(username="sup", role="supervisor", display_name="Supervisor Sue")
    therapist = make_user(
        username="ther", role="therapist", supervisor="sup", display_name="Therapist Tom"
    )
    outsider = make_user(username="other", role="therapist", display_name="Other Olga")
    client_user = make_user(username="cli", role="client", display_name="Client Carla")
    admin = make_user(username="adm", role="admin")
    client = make_client(
        therapist=therapist, name="Carla Client", record_number="R-1", user=client_user
    )
    other_client = make_client(therapist=outsider, name="Oscar Outside", record_number="R-2")
    return Cast(therapist, supervisor, outsider, client_user, admin, client, other_client)


def make_client(*, therapist: User, name: str | None = None, **fields: Any) -> Client:
    """Create a client of this therapist; without a name, "Client <n>"."""
    from openipt.clients.models import Client

    name = name or f"Client {next(_client_numbers)}"
    return Client.objects.create(name=name, primary_therapist=therapist, **fields)


def make_course(
    *,
    client: Client,
    therapist: User | None = None,
    via: Via = "orm",
    format: str = "standard",
    planned_sessions: int | None = 12,
    started_on: datetime.date = START,
    **fields: Any,
) -> Course:
    """Create a course of the client, by default with their therapist, saved `via` one way."""
    from openipt.courses.models import Course

    therapist = therapist or client.primary_therapist
    if via == "service":
        from openipt.courses.services import open_course

        return open_course(
            therapist, client, format, planned_sessions, started_on=started_on, **fields
        )
    values = {
        "client": client,
        "therapist": therapist,
        "format": format,
        "planned_sessions": planned_sessions,
        "started_on": started_on,
        **fields,
    }
    if via == "bulk":
        return Course.objects.bulk_create([Course(**values)])[0]
    return Course.objects.create(**values)


def make_course_row(
    *,
    therapist: User,
    client: Client | None = None,
    planned_sessions: int | None = None,
    started_on: datetime.date = ROW_START,
    **columns: Any,
) -> Course:
    """Insert a course (of a new client unless given) with summary columns set by hand."""
    return make_course(
        client=client or make_client(therapist=therapist),
        therapist=therapist,
        via="bulk",
        planned_sessions=planned_sessions,
        started_on=started_on,
        **columns,
    )


def make_finished_row(*, therapist: User, ended_on: datetime.date, **columns: Any) -> Course:
    """Insert an ended course with two or more sessions (NHS Talking Therapies' "finished")."""
    values = {
        "status": "ended",
        "ended_on": ended_on,
        "started_on": ended_on - datetime.timedelta(days=70),
        "finished": True,
        "sessions_attended": 8,
    }
    return make_course_row(therapist=therapist, **values | columns)


def make_alert(*, course: Course, raised_at: datetime.datetime, status: str = "open") -> Alert:
    """Create a PHQ-9 item 9 risk alert row on the course, raised by its therapist."""
    from openipt.assessments.models import Alert

    return Alert.objects.create(
        course=course,
        instrument="phq9",
        version="1",
        item="9",
        value=2,
        raised_at=raised_at,
        raised_by=course.therapist,
        status=status,
    )


def add_session(
    *,
    course: Course,
    number: int,
    date: datetime.date | None = None,
    attendance: str = "attended",
    phase: str = "initial",
    work: str = "",
    **fields: Any,
) -> Session:
    """Save a session row (by default weekly from the start); `work` is the work agreed."""
    from openipt.courses.models import Session

    return Session.objects.create(
        course=course,
        number=number,
        date=date or course.started_on + datetime.timedelta(weeks=number - 1),
        attendance=attendance,
        phase=phase,
        between_sessions_work=work,
        recorded_by=course.therapist,
        **fields,
    )


def today() -> datetime.date:
    """Return today in the service's time zone: the day the code under test calls today.

    `date.today()` is the machine's day, which differs from the service's for an hour or
    more around midnight; a test built on it fails at those hours.
    """
    from django.utils import timezone

    return timezone.localdate()


def at(*, day: datetime.date, hour: int = 10) -> datetime.datetime:
    """Return this hour (UTC) of the day: when a score is taken."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def phq9_answers(*, total: int, item9: int = 0) -> dict[str, int]:
    """Return PHQ-9 answers with this total and this item-9 answer."""
    rest = total - item9
    answers = {}
    for item in range(1, 9):
        value = min(3, rest)
        answers[str(item)] = value
        rest -= value
    assert rest == 0, "total too high for the item-9 answer"
    answers["9"] = item9
    return answers


def gad7_answers(*, total: int) -> dict[str, int]:
    """Return GAD-7 answers with this total."""
    answers, rest = {}, total
    for item in range(1, 8):
        value = min(3, rest)
        answers[str(item)] = value
        rest -= value
    assert rest == 0
    return answers


def score_session(
    *, session: Session, instrument: str, answers: dict[str, int], **extra: Any
) -> Administration:
    """Record a score linked to a session, dated on the session's day."""
    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    course = session.course
    return record_administration(
        course.therapist,
        course,
        get_instrument(instrument),
        answers,
        session=session,
        completed_at=at(day=session.date),
        **extra,
    ).administration


def run_course(
    *,
    course: Course,
    phq9_totals: list[int],
    gad7_totals: list[int | None] | None = None,
    item9: dict[int, int] | None = None,
) -> list[Session]:
    """Hold one session per PHQ-9 total, scoring PHQ-9 (and GAD-7, item 9 by session) at each."""
    item9 = item9 or {}
    sessions = []
    for index, total in enumerate(phq9_totals, start=1):
        session = add_session(course=course, number=index)
        sessions.append(session)
        answers = phq9_answers(total=total, item9=item9.get(index, 0))
        score_session(session=session, instrument="phq9", answers=answers)
        if gad7_totals and index <= len(gad7_totals) and gad7_totals[index - 1] is not None:
            answers = gad7_answers(total=gad7_totals[index - 1])
            score_session(session=session, instrument="gad7", answers=answers)
    course.refresh_from_db()
    return sessions


def run_sessions(
    *, actor: User, course: Course, count: int, attendance: str = "attended", **extra: Any
) -> list[Session]:
    """Record `count` weekly sessions through the course engine after the last one."""
    from openipt.courses import services

    course.refresh_from_db()
    last = course.sessions.order_by("-date").values_list("date", flat=True).first()
    day = (last + datetime.timedelta(days=7)) if last else course.started_on
    made = []
    for _ in range(count):
        made.append(services.record_session(actor, course, day, attendance, **extra))
        day += datetime.timedelta(days=7)
    course.refresh_from_db()
    return made


def agree_contract(
    *, actor: User, course: Course, planned_sessions: int = 16, frequency: str = "weekly"
) -> ContractChange:
    """Agree the course's contract through the course engine, on the day it started."""
    from openipt.courses import services

    return services.set_contract(
        actor, course, planned_sessions, frequency, agreed_on=course.started_on
    )


def choose_grief_focus(*, actor: User, course: Course) -> FocusChange:
    """Choose grief as the course's focus through the course engine."""
    from openipt.courses import services

    return services.set_focus(actor, course, [{"area": "grief"}])


def make_erasure(*, client: Client) -> Erasure:
    """Mark the client erased (awaiting purge) directly, as a record erased before a later
    rule (such as "no erasure while an alert is open") would have been."""
    from django.utils import timezone

    from openipt.privacy.erasure import pseudonym_for
    from openipt.privacy.models import Erasure

    return Erasure.objects.create(
        client=client,
        pseudonym=pseudonym_for(client.pk),
        erased_at=timezone.now(),
        recorded_by=client.primary_therapist,
    )


# Groups (openipt.groups): a group of a programme, screened and enrolled members.


def make_group_staff(*, supervisor: str = "gsup") -> tuple[User, User, User]:
    """Create a group supervisor and two facilitators they supervise."""
    boss = make_user(username=supervisor, role="supervisor", display_name="Group Supervisor")
    one = make_user(
        username=f"{supervisor}-fac1", role="facilitator", supervisor=supervisor,
        display_name="Facilitator Fay",
    )  # fmt: skip
    two = make_user(
        username=f"{supervisor}-fac2", role="facilitator", supervisor=supervisor,
        display_name="Facilitator Finn",
    )  # fmt: skip
    return boss, one, two


def make_group(
    *,
    clinician: User,
    supervisor: User,
    facilitators: list[User],
    programme: str = "who_8",
    name: str = "Group A",
    **extra: Any,
) -> Any:
    """Form a group through the groups service."""
    from openipt.groups.services import create_group

    return create_group(
        clinician, programme, name=name, supervisor=supervisor, facilitators=facilitators,
        **extra,
    )  # fmt: skip


def enrol_screened(
    *,
    group: Any,
    name: str,
    total: int,
    screened_on: datetime.date,
    pre_group_on: datetime.date,
    sex: str = "female",
    area: str = "role_dispute",
) -> Any:
    """Screen a person eligible for the group's programme and enrol them in it."""
    from openipt.groups.services import enrol, screen_person

    entry = screen_person(
        group.clinician, group.programme, name=name, sex=sex, screened_on=screened_on,
        answers=phq9_answers(total=total),
    )  # fmt: skip
    return enrol(group.clinician, group, entry, problem_area=area, pre_group_on=pre_group_on)

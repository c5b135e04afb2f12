"""Add WHO group IPT groups to a synthetic service: facilitators, screening, members, sessions.

Made through the groups services (screening rules, enrolment, alerts), after the bulk
courses, so the dashboards and the benchmark cover groups; one random stream per seed
(`synth:<seed>:groups`), so the same seed and anchor date give the same groups.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from openipt.accounts.models import User
from openipt.groups.models import Group, GroupMembership
from openipt.groups.services import create_group, enrol, leave_group, screen_person
from openipt.groups.sessions import Row, record_group_session
from openipt.protocol.groups import get_programme
from openipt.synth import names
from openipt.synth.producer import _password_hash

PROGRAMME = "who_8"
MEMBERS = 8
SCREENED = MEMBERS + 2  # one excluded for a current plan, one below the threshold


@dataclass
class GroupsMade:
    groups: list[int] = field(default_factory=list)
    facilitators: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)


def _answers(rng: random.Random, total: int, item9: int = 0) -> dict[str, int]:
    """Return PHQ-9 answers with this total, spread over items 1-8, and item 9 as given."""
    values = [0] * 8
    for _ in range(total - item9):
        open_items = [i for i in range(8) if values[i] < 3]
        values[rng.choice(open_items)] += 1
    return {**{str(i + 1): v for i, v in enumerate(values)}, "9": item9}


def make_groups(
    count: int, seed: int, today: datetime.date, password: str, clinicians: list[str]
) -> GroupsMade:
    """Make `count` WHO groups, each at a different point of its eight weeks."""
    rng = random.Random(f"synth:{seed}:groups")  # noqa: S311 - not secrets
    made = GroupsMade()
    therapists = list(User.objects.filter(username__in=clinicians).order_by("id"))
    for n in range(count):
        clinician = therapists[n % len(therapists)]
        with transaction.atomic():
            group = _group(rng, seed, n, clinician, password, made)
            members = _members(rng, group, today, n)
        _sessions(rng, group, members, today, held=rng.randint(1, 8))
        made.groups.append(group.pk)
    return made


def _group(
    rng: random.Random, seed: int, n: int, clinician: User, password: str, made: GroupsMade
) -> Group:
    supervisor = clinician.supervisor
    assert supervisor is not None, "synthetic therapists all have a supervisor"
    people = []
    for k in (1, 2):
        username = f"synth{seed}-fac{n + 1:03d}{k}"
        people.append(
            User.objects.create(
                username=username,
                role=User.Role.FACILITATOR,
                supervisor=supervisor,
                display_name=names.person(rng),
                password=_password_hash(password, seed),
            )
        )
        made.facilitators.append(username)
    if supervisor.username not in made.supervisors:
        made.supervisors.append(supervisor.username)
    return create_group(
        clinician, PROGRAMME, name=f"Group {n + 1}", supervisor=supervisor, facilitators=people,
        site=f"Site {n % 5 + 1}", planned_size=MEMBERS,
    )  # fmt: skip


def _members(
    rng: random.Random, group: Group, today: datetime.date, n: int
) -> list[GroupMembership]:
    screened_on = today - datetime.timedelta(days=70 + n % 7)
    members = []
    for k in range(SCREENED):
        exclusions = ["current_suicide_plan"] if k == 0 else []
        total = rng.randint(3, 9) if k == 1 else rng.randint(10, 24)
        entry = screen_person(
            group.clinician, PROGRAMME, name=names.person(rng), sex="female",
            screened_on=screened_on, answers=_answers(rng, total), exclusions=exclusions,
        )  # fmt: skip
        if entry.outcome == entry.Outcome.ELIGIBLE:
            area = rng.choice(AREAS)
            pre_group_on = screened_on + datetime.timedelta(days=3)
            member = enrol(
                group.clinician, group, entry, problem_area=area, pre_group_on=pre_group_on
            )
            members.append(member)
    return members


AREAS = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")


def _sessions(
    rng: random.Random,
    group: Group,
    members: list[GroupMembership],
    today: datetime.date,
    held: int,
) -> None:
    programme = get_programme(PROGRAMME)
    facilitator = group.facilitators.order_by("pk").first()
    start = today - datetime.timedelta(days=7 * held)
    leaver = members[-1] if rng.random() < 0.5 else None
    scores = {m.pk: m.course.phq9_first or 15 for m in members}
    for number in range(1, held + 1):
        day = start + datetime.timedelta(days=7 * (number - 1))
        if leaver is not None and number == 4:
            leave_group(facilitator, leaver, left_on=day, reason="lost_to_follow_up")
        rows = []
        for m in members:
            if m.left_on is not None or (m is leaver and number >= 4):
                continue
            present = rng.random() < 0.85
            scores[m.pk] = max(0, scores[m.pk] - rng.randint(0, 3))
            answers = None
            if present and number in programme.measured_sessions:
                item9 = 1 if rng.random() < 0.05 else 0
                answers = _answers(rng, max(scores[m.pk], item9), item9)
            rows.append(
                Row(
                    membership_id=m.pk,
                    status="present" if present else "absent",
                    check_in=rng.randint(2, 9) if present else None,
                    answers=answers,
                )
            )
        record_group_session(facilitator, group, held_on=day, rows=rows)

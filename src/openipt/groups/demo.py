"""Demo data for groups: a made-up WHO group three sessions in, with two facilitators."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from openipt.accounts.models import User
from openipt.accounts.services import create_user
from openipt.groups.models import Group
from openipt.groups.services import create_group, enrol, screen_person
from openipt.groups.sessions import Row, record_group_session

GROUP_NAME = "Thursday women's group (demo)"
FACILITATORS = [
    ("demo-facilitator", "Amina Yusuf (facilitator)"),
    ("demo-facilitator2", "Ruth Mensah (facilitator)"),
]
# name, PHQ-9 answers at screening (items 1-9), exclusion
PEOPLE = [
    ("Esther Achieng", [2, 2, 2, 1, 1, 2, 1, 1, 0], ""),
    ("Mary Nakato", [3, 2, 2, 2, 1, 2, 1, 0, 0], ""),
    ("Joyce Auma", [2, 2, 1, 2, 2, 1, 1, 1, 0], ""),
    ("Agnes Namubiru", [1, 2, 2, 2, 1, 1, 2, 1, 0], ""),
    ("Rose Akello", [2, 3, 2, 1, 2, 2, 1, 0, 0], ""),
    ("Florence Apio", [2, 1, 2, 2, 1, 2, 1, 1, 0], ""),
    ("Sarah Adong", [3, 3, 2, 2, 2, 2, 1, 1, 2], "current_suicide_plan"),
]
AREAS = [
    "grief",
    "role_dispute",
    "role_transition",
    "interpersonal_deficits",
    "grief",
    "role_dispute",
]
SESSIONS_HELD = 3


def extend_demo(summary: Any) -> None:
    """Make the demo group once: screening (one referred to individual care), six members
    enrolled after their pre-group session, and three sessions held."""
    if Group.objects.filter(name=GROUP_NAME).exists():
        return
    clinician = User.objects.filter(username="demo-therapist").first()
    supervisor = User.objects.filter(username="demo-supervisor").first()
    if clinician is None or supervisor is None:
        return
    people = []
    for username, display in FACILITATORS:
        found = User.objects.filter(username=username).first()
        if found is None:
            from openipt.demo import DEMO_PASSWORD

            found = create_user(
                username, "facilitator", DEMO_PASSWORD, supervisor=supervisor.username,
                display_name=display,
            )  # fmt: skip
            summary.created_users.append(username)
        people.append(found)
    group = create_group(
        clinician, "who_8", name=GROUP_NAME, supervisor=supervisor, facilitators=people,
        site="Kawempe health centre", planned_size=8,
    )  # fmt: skip
    today = timezone.localdate()
    start = today - datetime.timedelta(days=7 * SESSIONS_HELD + 10)
    members = []
    for (name, values, exclusion), area in zip(PEOPLE, [*AREAS, ""], strict=True):
        answers = {str(i): v for i, v in enumerate(values, start=1)}
        entry = screen_person(
            clinician, "who_8", name=name, sex="female", screened_on=start, answers=answers,
            exclusions=[exclusion] if exclusion else [], site=group.site,
        )  # fmt: skip
        if entry.outcome == entry.Outcome.ELIGIBLE:
            pre_group_on = start + datetime.timedelta(days=3)
            members.append(
                enrol(clinician, group, entry, problem_area=area, pre_group_on=pre_group_on)
            )
    for number in range(1, SESSIONS_HELD + 1):
        held = today - datetime.timedelta(days=7 * (SESSIONS_HELD - number + 1))
        rows = [
            Row(m.pk, "absent" if (number, k) == (2, 4) else "present",
                check_in=None if (number, k) == (2, 4) else 6 - number + k % 2,
                homework="Talk with one person about the week" if number > 1 else "")
            for k, m in enumerate(members)
        ]  # fmt: skip
        record_group_session(people[0], group, held_on=held, rows=rows)
    summary.notes.append(
        f"groups: {GROUP_NAME}, {len(members)} members, {SESSIONS_HELD} sessions "
        "(sign in as demo-facilitator)"
    )

"""What the client's plan and progress pages show, gathered from the other apps.

Goals, focus, the relapse plan and follow-on courses come from `courses`; the explanation of
the problem area comes from `openipt.protocol` with its source tags; scores, charts and bands
come from the assessments app's display module (which draws with `openipt.charts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from openipt.assessments.display import InstrumentView, course_measures
from openipt.clients.models import Client
from openipt.courses.models import Course, Format, Goal, RelapsePlan
from openipt.courses.records import current_foci
from openipt.portal import conf
from openipt.protocol.errors import ProtocolError
from openipt.protocol.problem_areas import area_label, get_area

# Titles of the sources cited by the protocol's client explanations (ipt.md, source index).
SOURCE_TITLES = {
    "S1": 'ISIPT, "Key IPT Strategies"',
    "S42": 'Weissman, Markowitz & Klerman, The Guide to IPT (OUP 2018), ch. 5 "Grief"',
    "S43": 'The Guide to IPT, ch. 6 "Role Disputes"',
    "S44": '"Interpersonal therapy of depression: role disputes"',
    "S45": "CITC Associates IPT pages (Role Transition; Grief; Role Disputes)",
    "S46": 'The Guide to IPT, ch. 8 "Interpersonal Deficits"',
    "S47": "Treatment for Depression Memphis: role transitions; interpersonal sensitivity",
}


@dataclass(frozen=True)
class Source:
    tag: str
    title: str


@dataclass(frozen=True)
class AreaExplanation:
    """A chosen problem area in plain language, with where the wording comes from."""

    code: str
    label: str
    text: str
    sources: tuple[Source, ...]


def explain_area(code: str) -> AreaExplanation | None:
    """Return the client-facing explanation of an area under the service's naming scheme."""
    try:
        area = get_area(code)
        label = area_label(code, conf.problem_area_naming()) or area.label
    except ProtocolError:
        return None
    explanation = area.client_explanation
    return AreaExplanation(
        code=code,
        label=label,
        text=explanation.text,
        sources=tuple(Source(tag, SOURCE_TITLES.get(tag, "")) for tag in explanation.sources),
    )


@dataclass
class Plan:
    """Everything on the "My plan" page for one course."""

    course: Course | None
    goals: list[Goal] = field(default_factory=list)
    areas: list[AreaExplanation] = field(default_factory=list)


def plan_for(course: Course | None) -> Plan:
    """Return the goals and chosen problem areas of the course."""
    if course is None:
        return Plan(None)
    goals = list(course.goals.order_by("after_treatment", "position", "id"))
    areas = [a for f in current_foci(course) if (a := explain_area(f.area)) is not None]
    return Plan(course, goals, areas)


@dataclass(frozen=True)
class StayingWell:
    """The relapse-prevention plan and the maintenance courses that follow the acute one."""

    plan: RelapsePlan | None
    plan_course: Course | None
    maintenance: list[Course]


def staying_well(client: Client) -> StayingWell:
    """Return the newest relapse plan with content and every maintenance course."""
    courses = list(
        Course.objects.filter(client=client)
        .select_related("relapse_plan")
        .order_by("-started_on", "-id")
    )
    plan, plan_course = None, None
    for course in courses:
        candidate = getattr(course, "relapse_plan", None)
        if candidate is not None and _has_content(candidate):
            plan, plan_course = candidate, course
            break
    maintenance = [
        c for c in courses if c.format == Format.MAINTENANCE and c.follows_id is not None
    ]
    return StayingWell(plan, plan_course, maintenance)


def _has_content(plan: RelapsePlan) -> bool:
    return any((plan.warning_signs, plan.what_helps, plan.people_to_tell, plan.whom_to_contact))


@dataclass
class ProgressItem:
    """One questionnaire's scores, with sentences saying what they mean."""

    view: InstrumentView
    sentences: list[str]


def progress_for(client: Client) -> list[tuple[Course, list[ProgressItem]]]:
    """Return each course with scores, newest first, with plain-language summaries."""
    result = []
    courses = Course.objects.filter(client=client, administrations__isnull=False).distinct()
    for course in courses.order_by("-started_on", "-id"):
        measures = course_measures(course)
        items = [ProgressItem(view, describe(view)) for view in measures.instruments]
        if items:
            result.append((course, items))
    return result


def describe(view: InstrumentView) -> list[str]:
    """Say in plain words where the client's scores stand and how they have moved."""
    inst = view.instrument
    latest, first = view.latest, view.first
    sentences = [
        _("Your latest %(name)s score is %(total)s out of %(max)s (%(date)s).")
        % {"name": view.name, "total": latest.total, "max": inst.total.max,
           "date": formats.date_format(latest.date, "j F Y")},
    ]  # fmt: skip
    if latest.band_label:
        sentences.append(_("That is in the range called “%(band)s”.") % {"band": latest.band_label})
    if len(view.rows) > 1:
        change = latest.total - first.total
        if change == 0:
            sentences.append(_("That is the same as your first score (%(first)s).")
                             % {"first": first.total})  # fmt: skip
        else:
            template = (
                _("That is %(n)s points lower than your first score (%(first)s).")
                if change < 0
                else _("That is %(n)s points higher than your first score (%(first)s).")
            )
            sentences.append(template % {"n": abs(change), "first": first.total})
    if inst.direction == "higher_is_worse":
        sentences.append(_("On this questionnaire a lower score means fewer or milder problems."))
    else:
        sentences.append(_("On this questionnaire a higher score means you are doing better."))
    return sentences

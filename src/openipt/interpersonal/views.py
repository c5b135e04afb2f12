"""Inventory and closeness-circle pages: quick to fill in during a session.

The inventory section is one htmx partial: adding, editing and deleting a person return it
re-rendered, and every action also works as a plain form post without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openipt import policy
from openipt.core import kept
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.core.kept_http import kept_fragment
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course
from openipt.interpersonal import services
from openipt.interpersonal.drawing import circle_rows, circle_svg, panel_charts, snapshot_changes
from openipt.interpersonal.forms import RELATIONSHIPS, PersonForm
from openipt.interpersonal.models import InventorySnapshot, Person

PAGE_SIZE = 25
PERSON_FIELD = {"person_id": "person"}  # the services name the person by id


def can_edit(request: HttpRequest, course: Course) -> bool:
    return policy.may_write_course(request.user, course)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# Inventory -------------------------------------------------------------------------------


def _inventory_context(
    request: HttpRequest,
    course: Course,
    *,
    form: PersonForm | None = None,
    editing: Person | None = None,
    edit_form: PersonForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    people = Person.objects.filter(course=course).order_by("ring", "label", "id")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    if form is None:
        form = PersonForm()
        if notice:  # ready for the next person straight away
            form.fields["label"].widget.attrs["autofocus"] = True
    return {
        "course": course,
        "page": page,
        "form": form,
        "editing": editing,
        "edit_form": edit_form,
        "can_edit": can_edit(request, course),
        "relationships": RELATIONSHIPS,
        "notice": notice,
        "tab": "inventory",
    }


def _inventory_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = (
        "interpersonal/_inventory_section.html"
        if _is_htmx(request)
        else "interpersonal/inventory.html"
    )
    return render(request, template, context)


@clinician_required
def inventory(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show the interpersonal inventory with a quick form to add a person [S53]."""
    course = get_course_for_user(request, course_id)
    return _inventory_response(request, _inventory_context(request, course))


@therapist_required
@require_POST
def person_add(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            person = services.add_person(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            notice = f"{person.label} added to ring {person.ring}."
            if not _is_htmx(request):
                messages.success(request, notice)
                return redirect("interpersonal:inventory", course.pk)
            return _inventory_response(request, _inventory_context(request, course, notice=notice))
    return _inventory_response(request, _inventory_context(request, course, form=form))


@therapist_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, course_id: int, person_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    person = get_object_or_404(Person, pk=person_id, course=course)
    form = PersonForm(
        request.POST or None, instance=Person.objects.get(pk=person.pk), auto_id="edit_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_person(request.user, person, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            notice = f"Changes to {saved.label} saved."
            if not _is_htmx(request):
                messages.success(request, notice)
                return redirect("interpersonal:inventory", course.pk)
            return _inventory_response(request, _inventory_context(request, course, notice=notice))
    context = _inventory_context(request, course, editing=person, edit_form=form)
    return _inventory_response(request, context)


@therapist_required
@require_POST
def person_delete(request: HttpRequest, course_id: int, person_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    person = get_object_or_404(Person, pk=person_id, course=course)
    label = person.label
    services.delete_person(request.user, person)
    notice = f"{label} removed from the inventory."
    if not _is_htmx(request):
        messages.success(request, notice)
        return redirect("interpersonal:inventory", course.pk)
    return _inventory_response(request, _inventory_context(request, course, notice=notice))


# Closeness circle ------------------------------------------------------------------------


@clinician_required
def circle(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show the closeness circle now, and intake against termination once both exist [S54]."""
    course = get_course_for_user(request, course_id)
    people = list(Person.objects.filter(course=course).order_by("ring", "label", "id"))
    snapshots = {s.kind: s for s in InventorySnapshot.objects.filter(course=course)}
    intake = snapshots.get(InventorySnapshot.Kind.INTAKE)
    ending = snapshots.get(InventorySnapshot.Kind.TERMINATION)
    context: dict[str, Any] = {
        "course": course,
        "people": people,
        "svg": circle_svg(course, circle_rows(people), "Closeness circle now"),
        "intake": intake,
        "ending": ending,
        "can_edit": can_edit(request, course),
        "tab": "circle",
    }
    if intake and ending:
        context["intake_svg"] = circle_svg(course, intake.people, "Closeness circle at intake")
        context["ending_svg"] = circle_svg(course, ending.people, "Closeness circle at termination")
        context["changes"] = snapshot_changes(intake.people, ending.people)
    return render(request, "interpersonal/circle.html", context)


@clinician_required
@require_GET
def panel_charts_view(request: HttpRequest, course_id: int) -> HttpResponse:
    """Return the course panel's circle and timeline, fetched when the therapist opens them."""
    course = get_course_for_user(request, course_id)

    def draw() -> str:
        context = {"course": course, **panel_charts(course)}
        return render_to_string("interpersonal/_panel_charts.html", context, request)

    scope = kept.course_scope(course.pk)
    return kept_fragment(request, "panel-charts", [scope], (course.pk,), draw)


@therapist_required
@require_POST
def snapshot_take(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    try:
        snapshot = services.take_snapshot(request.user, course, request.POST.get("kind", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{snapshot.get_kind_display()} circle saved.")
    return redirect("interpersonal:circle", course.pk)

"""Formulation page: problem areas that may fit, the choice of focus, and the shared text.

Suggestions are decision support worded as "may fit"; the therapist chooses [S1]. The
focus itself is stored by the course engine, which owns the focus rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course, Focus, ProblemArea
from openipt.interpersonal import services
from openipt.interpersonal.forms import FocusForm, FormulationForm
from openipt.interpersonal.models import Formulation
from openipt.interpersonal.support import (
    course_facts,
    display_area,
    draft_for,
    suggestions_for,
)
from openipt.interpersonal.views import PERSON_FIELD, can_edit


def current_foci(course: Course) -> list[Focus]:
    """Return the course's current focus (or foci), first first."""
    return list(course.foci.filter(replaced_at__isnull=True).order_by("position", "id"))


def _draft_area(
    request: HttpRequest, foci: list[Focus], saved: Formulation | None, top: str
) -> str:
    asked = request.GET.get("redraft", "")
    if asked in ProblemArea.values:
        return asked
    if foci:
        return foci[0].area
    if saved and saved.area:
        return saved.area
    return top


def _formulation_context(
    request: HttpRequest,
    course: Course,
    *,
    form: FormulationForm | None = None,
    focus_form: FocusForm | None = None,
) -> dict[str, Any]:
    people, events = course_facts(course)
    suggestions = suggestions_for(course, people, events)
    foci = current_foci(course)
    saved = Formulation.objects.filter(course=course).first()
    area = _draft_area(request, foci, saved, suggestions[0].area if suggestions else "")
    stage = foci[0].dispute_stage if foci and foci[0].area == area else ""
    draft = draft_for(course, area, people, events, stage) if area else ""
    if form is None:
        initial: dict[str, Any] = {"area": area}
        if not (saved and saved.text) or "redraft" in request.GET:
            initial["text"] = draft
        form = FormulationForm(instance=saved, initial=initial)
    return {
        "course": course,
        "people_count": len(people),
        "events_count": len(events),
        "suggestions": suggestions,
        "foci": [{"focus": f, "label": display_area(f.area)} for f in foci],
        "focus_areas": [f.area for f in foci],
        "saved": saved,
        "form": form,
        "draft_area": display_area(area) if area else "",
        "focus_form": focus_form,
        "areas": [(code, display_area(code)) for code in ProblemArea.values],
        "stages": FocusForm.base_fields["dispute_stage"].choices,  # type: ignore[attr-defined]
        "can_edit": can_edit(request, course),
        "tab": "formulation",
    }


@clinician_required
@require_http_methods(["GET", "POST"])
def formulation(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show suggestions with their reasons and the formulation; save the edited text."""
    course = get_course_for_user(request, course_id, write=request.method == "POST")
    if request.method == "POST":
        saved = Formulation.objects.filter(course=course).first()
        form = FormulationForm(request.POST, instance=saved)
        if form.is_valid():
            try:
                services.save_formulation(request.user, course, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error, PERSON_FIELD)
            else:
                messages.success(request, "Formulation saved.")
                return redirect("interpersonal:formulation", course.pk)
        context = _formulation_context(request, course, form=form)
        return render(request, "interpersonal/formulation.html", context)
    context = _formulation_context(request, course)
    return render(request, "interpersonal/formulation.html", context)


@therapist_required
@require_POST
def focus_choose(request: HttpRequest, course_id: int) -> HttpResponse:
    """Hand the chosen area to the course engine as the treatment focus."""
    course = get_course_for_user(request, course_id, write=True)
    form = FocusForm(request.POST, auto_id="other-%s")  # the ids of the "another area" form
    if form.is_valid():
        try:
            change = services.choose_focus(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            label = display_area(form.cleaned_data["area"])
            messages.success(request, f"Focus set: {label}. Now edit the draft formulation.")
            for notice in getattr(change, "notices", ()):
                messages.info(request, notice.message)
            return redirect("interpersonal:formulation", course.pk)
    context = _formulation_context(request, course, focus_form=form)
    return render(request, "interpersonal/formulation.html", context)

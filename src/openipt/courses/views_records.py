"""Course record pages: contract, focus, goals, termination, sick role, history, medication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt.core.decorators import therapist_required
from openipt.core.errors import apply_errors
from openipt.courses import corrections, services
from openipt.courses.access import get_course_for_user
from openipt.courses.forms import (
    ContractForm,
    CourseDetailsForm,
    FocusForm,
    GoalFormSet,
    HistoryForm,
    MedicationForm,
    SickRoleForm,
    TerminationForm,
    area_choices,
)
from openipt.courses.history import record_history
from openipt.courses.models import Course
from openipt.courses.records import current_foci
from openipt.courses.views import show_notices
from openipt.protocol.formats import get_format
from openipt.protocol.phases import tasks_for
from openipt.protocol.problem_areas import all_areas, get_area

FORM_METHODS = ["GET", "POST"]


@therapist_required
@require_http_methods(FORM_METHODS)
def contract(request: HttpRequest, course_id: int) -> HttpResponse:
    """Agree the contract, or renegotiate it with a reason; show the history [S33]."""
    course = get_course_for_user(request, course_id, write=True)
    fmt = get_format(course.format)
    initial = {
        "planned_sessions": course.planned_sessions or fmt.default_sessions,
        "frequency": course.frequency or fmt.default_frequency.value,
    }
    form = ContractForm(fmt, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.set_contract(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            show_notices(request, change.notices)
            if change.changed:
                kind = "renegotiated" if change.contract.is_renegotiation else "agreed"
                messages.success(request, f"Contract {kind}.")
            return redirect(course)
    history = list(course.contracts.select_related("recorded_by"))
    context = {"form": form, "course": course, "fmt": fmt, "history": history}
    return render(request, "courses/contract.html", context)


@therapist_required
@require_http_methods(FORM_METHODS)
def focus(request: HttpRequest, course_id: int) -> HttpResponse:
    """Choose the problem area with its cues, the dispute stage and deficits' confirmation."""
    course = get_course_for_user(request, course_id, write=True)
    current = current_foci(course)
    initial = {}
    if current:
        initial = {
            "area": current[0].area,
            "dispute_stage": next((f.dispute_stage for f in current if f.dispute_stage), ""),
            "deficits_confirmed": any(f.deficits_confirmed for f in current),
            "second_area": current[1].area if len(current) > 1 else "",
            "reason": current[1].reason if len(current) > 1 else "",
        }
    form = FocusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.set_focus(request.user, course, form.areas())
        except ValidationError as error:
            apply_errors(form, error, {"areas": "area"})
        else:
            show_notices(request, [n for n in change.notices if n.code != "dispute_stage"])
            if change.changed:
                messages.success(request, "Focus saved.")
            return redirect(course)
    offered = {code for code, _ in area_choices()}
    areas = [a for a in all_areas() if a.code in offered]
    area_rows = list(zip(form["area"], areas, strict=True))
    history = course.foci.filter(replaced_at__isnull=False).order_by("-replaced_at", "position")
    context = {
        "form": form,
        "course": course,
        "area_rows": area_rows,
        "deficits": get_area("interpersonal_deficits"),
        "history": list(history),
    }
    return render(request, "courses/focus.html", context)


@therapist_required
@require_http_methods(FORM_METHODS)
def goals(request: HttpRequest, course_id: int) -> HttpResponse:
    """Keep the client's goals in their own words, with how far each was met."""
    course = get_course_for_user(request, course_id, write=True)
    initial = [
        {"id": g.pk, "text": g.text, "status": g.status, "after_treatment": g.after_treatment}
        for g in course.goals.all()
    ]
    formset = GoalFormSet(request.POST or None, initial=initial, prefix="goals")
    error = None
    if request.method == "POST" and formset.is_valid():
        wanted = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.cleaned_data.get("text") and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.set_goals(request.user, course, wanted)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Goals saved.")
            return redirect(course)
    context = {"formset": formset, "course": course, "error": error}
    return render(request, "courses/goals.html", context)


def _termination_initial(course: Course) -> dict:
    initial: dict = {"maintenance_frequency": "monthly"}
    raised = course.task_completions.filter(task_id="raise_the_ending").first()
    if raised:
        initial["ending_raised_on"] = raised.completed_on
    review = getattr(course, "termination", None)
    plan = getattr(course, "relapse_plan", None)
    for source in (review, plan):
        if source is not None:
            initial.update({f.name: getattr(source, f.name) for f in source._meta.concrete_fields})
    return initial


@therapist_required
@require_http_methods(FORM_METHODS)
def termination(request: HttpRequest, course_id: int) -> HttpResponse:
    """Review the ending, write the relapse plan and record what happens next."""
    course = get_course_for_user(request, course_id, write=True)
    form = TerminationForm(request.POST or None, initial=_termination_initial(course))
    ending = "end" in request.POST
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not ending:
            data["decision"] = ""
        elif not data["decision"]:
            form.add_error("decision", "Choose what happens next to end the course.")
        if not form.errors:
            try:
                result = services.record_termination(request.user, course, **data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                show_notices(request, result.notices)
                if result.follow_on:
                    name = result.follow_on.get_format_display()
                    messages.success(
                        request, f"The course has ended. This is the {name} course that follows it."
                    )
                    return redirect(result.follow_on)
                if result.ended:
                    messages.success(request, "The course has ended.")
                    return redirect(result.course)
                messages.success(request, "Termination review saved.")
                return redirect(course)
    done = set(course.task_completions.values_list("task_id", flat=True))
    tasks = [(t, t.id in done) for t in tasks_for("termination", get_format(course.format))]
    context = {"form": form, "course": course, "tasks": tasks, "goals": course.goals.all()}
    return render(request, "courses/termination.html", context)


def _simple_form(request, course_id, form_class, service, page, initial=None):
    """Run a one-form record page: (template, title, message) are in `page`."""
    template, title, done_text = page
    course = get_course_for_user(request, course_id, write=True)
    form = form_class(request.POST or None, initial=initial(course) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done_text)
            return redirect(course)
    return render(request, template, {"form": form, "course": course, "title": title})


@therapist_required
@require_http_methods(FORM_METHODS)
def sick_role(request: HttpRequest, course_id: int) -> HttpResponse:
    """Record the diagnosis named and the sick role given (limited in IPT-A) [S2], [S18]."""
    page = ("courses/sick_role.html", "Sick role", "Sick role recorded.")
    return _simple_form(
        request, course_id, SickRoleForm, services.record_sick_role, page, _sick_role_initial
    )


def _sick_role_initial(course: Course) -> dict | None:
    record = getattr(course, "sick_role", None)
    if record is None:
        return None
    fields = ("diagnosis_label", "diagnosis_system", "diagnosis_code", "explained_on", "note")
    return {name: getattr(record, name) for name in fields}


@therapist_required
@require_http_methods(FORM_METHODS)
def history(request: HttpRequest, course_id: int) -> HttpResponse:
    """Record the psychiatric and interpersonal history of the initial phase [S2], [S134]."""
    page = ("courses/history.html", "History", "History saved.")
    return _simple_form(request, course_id, HistoryForm, record_history, page, _history_initial)


def _history_initial(course: Course) -> dict | None:
    record = getattr(course, "history", None)
    if record is None:
        return None
    fields = ("psychiatric_history", "interpersonal_history", "recorded_on")
    return {name: getattr(record, name) for name in fields}


@therapist_required
@require_http_methods(FORM_METHODS)
def medication(request: HttpRequest, course_id: int) -> HttpResponse:
    """Record a medication evaluation: severity, history, response, preference [S3]."""
    page = ("courses/medication.html", "Medication evaluation", "Evaluation recorded.")
    return _simple_form(
        request, course_id, MedicationForm, services.record_medication_evaluation, page
    )


@therapist_required
@require_http_methods(FORM_METHODS)
def details(request: HttpRequest, course_id: int) -> HttpResponse:
    """Change the course's details; a recorded value changed is kept as an amendment."""
    course = get_course_for_user(request, course_id, write=True)
    form = CourseDetailsForm(request.POST or None, initial=_details_initial(course))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_course(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Details saved; any value changed is kept as an amendment.")
            return redirect(course)
    amendments = [
        (a, corrections.previous_details(a))
        for a in course.amendments.select_related("changed_by").order_by("-changed_at", "-id")
    ]
    context = {"form": form, "course": course, "title": "Course details", "amendments": amendments}
    return render(request, "courses/details.html", context)


def _details_initial(course: Course) -> dict:
    fields = ("started_on", "format", "referrer", "symptom_onset")
    return {name: getattr(course, name) for name in fields}

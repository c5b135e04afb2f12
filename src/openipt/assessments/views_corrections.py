"""Correct a questionnaire's answers: the clinician who entered it, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openipt.assessments import display
from openipt.assessments.access import get_administration
from openipt.assessments.corrections import Corrected, check_can_correct, correct_answers
from openipt.assessments.forms import CorrectAnswersForm, item_fields, raw_answers
from openipt.assessments.services import AnswersRefused
from openipt.assessments.views import _warn_alerts, course_url
from openipt.core.decorators import therapist_required
from openipt.core.errors import apply_errors
from openipt.courses.access import get_course_for_user
from openipt.measures import get_instrument


@therapist_required
@require_http_methods(["GET", "POST"])
def correct_administration(
    request: HttpRequest, course_id: int, administration_id: int
) -> HttpResponse:
    """Correct the answers of a questionnaire; the previous answers and score are kept."""
    course = get_course_for_user(request, course_id, write=True)
    admin = get_administration(course, administration_id)
    check_can_correct(request.user, admin)
    instrument = get_instrument(admin.instrument, admin.version)
    day = timezone.localtime(admin.completed_at).date()
    form = CorrectAnswersForm(request.POST or None, initial={"completed_on": day})
    answers: dict[str, object] = {a.item: a.value for a in admin.item_answers.all()}
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        answers = raw_answers(instrument, request.POST)
        if form.is_valid():
            try:
                done = correct_answers(
                    request.user,
                    admin,
                    answers,
                    reason=form.cleaned_data["reason"],
                    completed_on=form.cleaned_data["completed_on"],
                )
            except AnswersRefused as refused:
                problems = refused.problems
                _warn_alerts(request, refused.alerts)
            except ValidationError as error:
                apply_errors(form, error)  # type: ignore[arg-type]
            else:
                _after(request, done)
                return redirect("assessments:administration", course.pk, admin.pk)
    items = item_fields(instrument, answers, dict(problems))
    anchors = {field.id: field.first_input_id for field in items}
    context = {
        "course": course,
        "course_url": course_url(course),
        "admin": admin,
        "instrument": instrument,
        "name": display.short_name(instrument),
        "form": form,
        "items": items,
        "problems": [(anchors.get(item_id, "items"), message) for item_id, message in problems],
    }
    return render(request, "assessments/correct.html", context, status=400 if problems else 200)


def _after(request: HttpRequest, done: Corrected) -> None:
    admin = done.administration
    messages.success(
        request,
        _("Answers corrected: total %(total)s (was %(before)s). The previous answers are kept.")
        % {"total": admin.total, "before": done.amendment.previous.get("total")},
    )
    _warn_alerts(request, done.alerts)
    for alert in done.still_open:
        messages.warning(
            request,
            _(
                "The alert raised by the earlier answer is still open (%(what)s): a correction "
                "does not close it; resolve it with a note."
            )
            % {"what": display.alert_text(alert)},
        )

"""The follow-up page of an ended group: each member's end score and follow-up PHQ-9s, and
the form the group's clinician enters a follow-up with (openipt.groups.follow_up)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.assessments.forms import item_fields, raw_answers
from openipt.assessments.services import AnswersRefused
from openipt.core.errors import apply_errors
from openipt.groups import reports
from openipt.groups.access import get_group_for_user
from openipt.groups.follow_up import record_follow_up, window_dates
from openipt.groups.forms import DATE
from openipt.groups.models import Group
from openipt.groups.views import group_staff_required
from openipt.measures import get_instrument
from openipt.protocol.groups import get_programme


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.client.name)


class FollowUpForm(forms.Form):
    member = MemberChoice(label="Member", queryset=None)
    completed_on = forms.DateField(label="Completed on", widget=DATE)

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = group.memberships.shown().select_related("client", "course", "group")
        self.fields["member"].queryset = members.order_by("client__name", "pk")  # type: ignore[attr-defined]


@group_staff_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, group_id: int) -> HttpResponse:
    """List members with their end and follow-up scores; enter a follow-up PHQ-9."""
    group = get_group_for_user(request.user, group_id)
    policy.check_manage_group(request.user, group)
    instrument = get_instrument("phq9")
    initial = {"member": request.GET.get("member")} if request.GET.get("member") else {}
    form = FollowUpForm(request.POST or None, group=group, initial=initial)
    answers: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    open_form = group.status == Group.Status.ENDED and bool(reports.windows_of(group.programme))
    if request.method == "POST":
        answers = raw_answers(instrument, request.POST)
        # Before the group's end (or with no point scheduled) the page says why, with no form.
        if open_form and form.is_valid():
            member = form.cleaned_data["member"]
            try:
                done = record_follow_up(
                    request.user, member, form.cleaned_data["completed_on"], answers
                )
            except AnswersRefused as refused:
                problems = [p for p in refused.problems if p[0] not in ("completed_on", "group")]
                for where, message in refused.problems:
                    if where in ("completed_on", "group"):
                        form.add_error(where if where in form.fields else None, message)
                _warn(request, refused.alerts)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                total = done.administration.total
                messages.success(
                    request, f"Follow-up PHQ-9 saved for {member.client.name}: {total}."
                )
                _warn(request, done.alerts)
                return redirect("groups:follow_up", group_id=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "groups/follow_up.html",
        _context(group, form, answers, problems, open_form),
        status=status,
    )


def _warn(request: HttpRequest, alerts: list[Any]) -> None:
    from openipt.assessments import display

    for alert in alerts:
        messages.error(
            request,
            f"Alert raised: {display.alert_text(alert)}. Assess risk now; "
            "the alert stays open until resolved.",
        )


def _context(group: Group, form: FollowUpForm, answers, problems, open_form: bool) -> dict:  # type: ignore[no-untyped-def]
    outcomes, members = reports.group_outcomes(group)
    windows = reports.windows_of(group.programme)
    points = [(w, *window_dates(group, w)) for w in windows] if group.ended_on is not None else []
    rows = [
        (m, o, [(w, o.facts.follow_ups.get(w.months)) for w in windows])
        for m, o in zip(members, outcomes.members, strict=True)
    ]
    errors = dict(problems)
    instrument = get_instrument("phq9")
    items = item_fields(instrument, answers, errors)
    anchors = {f.id: f.first_input_id for f in items}
    return {
        "group": group,
        "programme": get_programme(group.programme),
        "windows": windows,
        "points": points,
        "rows": rows,
        "form": form,
        "open_form": open_form,
        "items": items,
        "instrument": instrument,
        "problems": [(anchors.get(i, "items"), message) for i, message in problems],
    }

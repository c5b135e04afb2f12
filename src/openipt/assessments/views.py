"""Measures pages: a course's scores and charts, entering a questionnaire, and alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openipt import policy
from openipt.assessments import conf, display, services
from openipt.assessments.access import get_administration, get_alert_for_user
from openipt.assessments.corrections import previous_rows
from openipt.assessments.entry import entry_chain_url, known_codes
from openipt.assessments.forms import (
    AdministrationForm,
    ResolveAlertForm,
    item_fields,
    raw_answers,
)
from openipt.assessments.models import Alert
from openipt.core import kept
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.core.kept_http import kept_fragment
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course
from openipt.measures import Instrument, all_instruments, get_instrument

PAGE_SIZE = 25


def course_url(course: Course) -> str | None:
    """Return the course page's address, or None while the course pages are not installed."""
    try:
        return course.get_absolute_url()
    except NoReverseMatch:
        return None


def latest_instruments() -> list[Instrument]:
    """Return the latest version of every instrument, the scheduled ones first."""
    codes = sorted({i.code for i in all_instruments()})
    wanted = [c for c in conf.scheduled_instruments() if c in codes]
    return [get_instrument(c) for c in wanted + [c for c in codes if c not in wanted]]


@clinician_required
def course_measures(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show a course's scores: a chart and a data table per questionnaire, outcomes, alerts."""
    course = get_course_for_user(request, course_id)
    x = "date" if request.GET.get("x") == "date" else "session"
    # The body is kept until the course changes (`{% kept %}`): measured only when made.
    context = {
        "course": course,
        "course_url": course_url(course),
        "measures": SimpleLazyObject(lambda: display.course_measures(course, x=x)),
        "x": x,
        "can_edit": policy.may_write_course(request.user, course),
        "entry_links": [(i.code, display.short_name(i)) for i in latest_instruments()],
    }
    return render(request, "assessments/course.html", context)


@clinician_required
@require_GET
def panel_chart(request: HttpRequest, course_id: int) -> HttpResponse:
    """Return the course page's score chart alone, for the page to fetch once it is shown."""
    course = get_course_for_user(request, course_id)

    def draw() -> str:
        context = {"svg": display.panel_chart(course), "empty": _("No scores yet.")}
        return render_to_string("charts/_fragment.html", context, request)

    scope = kept.course_scope(course.pk)
    return kept_fragment(request, "score-chart", [scope], (course.pk,), draw)


@therapist_required
@require_http_methods(["GET", "POST"])
def enter_questionnaire(request: HttpRequest, course_id: int, code: str) -> HttpResponse:
    """Enter a completed questionnaire: every item on one page, grouped radio buttons."""
    course = get_course_for_user(request, course_id, write=True)
    instrument = _instrument_or_404(code)
    form = AdministrationForm(
        request.POST or None, course=course, initial=_initial(request, course)
    )
    answers: dict[str, object] = {}
    item_errors: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        answers = raw_answers(instrument, request.POST)
        if form.is_valid():
            try:
                done = services.submit_assessment(
                    request.user,
                    course,
                    instrument,
                    answers,
                    session=form.cleaned_data["session"],
                    completed_by=form.cleaned_data["completed_by"],
                    completed_on=form.cleaned_data["completed_on"],
                )
            except services.AnswersRefused as refused:
                problems = refused.problems
                item_errors = dict(problems)
                _warn_alerts(request, refused.alerts)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return _after_submit(request, course, instrument, done)
    items = item_fields(instrument, answers, item_errors)
    anchors = {field.id: field.first_input_id for field in items}
    context = {
        "course": course,
        "course_url": course_url(course),
        "instrument": instrument,
        "name": display.short_name(instrument),
        "form": form,
        "items": items,
        "problems": [(anchors.get(item_id, "items"), message) for item_id, message in problems],
    }
    return render(request, "assessments/enter.html", context, status=400 if problems else 200)


def _instrument_or_404(code: str) -> Instrument:
    from django.http import Http404

    try:
        return get_instrument(code)
    except KeyError:
        raise Http404("No such questionnaire") from None


def _initial(request: HttpRequest, course: Course) -> dict[str, object]:
    """Preselect the session named in the link, else the latest attended session."""
    sessions = course.sessions.filter(attendance="attended")
    wanted = request.GET.get("session", "")
    chosen = sessions.filter(pk=wanted).first() if wanted.isdigit() else None
    return {"session": chosen or sessions.order_by("-number").first()}


def _warn_alerts(request: HttpRequest, alerts: list[Alert]) -> None:
    for alert in alerts:
        messages.error(
            request,
            _("Alert raised: %(what)s. Assess risk now; the alert stays open until resolved.")
            % {"what": display.alert_text(alert)},
        )


def _after_submit(request, course: Course, instrument: Instrument, done) -> HttpResponse:
    admin = done.administration
    band = instrument.band_for(admin.total)
    messages.success(
        request,
        _("%(name)s saved: total %(total)s%(band)s.")
        % {
            "name": display.short_name(instrument),
            "total": admin.total,
            "band": f" ({band.label})" if band else "",
        },
    )
    _warn_alerts(request, done.alerts)
    if done.alerts and admin.completed_by == "client" and conf.crisis_text():
        messages.warning(request, _("Crisis information for the client: ") + conf.crisis_text())
    following = known_codes(request.GET.get("then", "").split(","))
    if following and admin.session_id:
        return redirect(entry_chain_url(course.pk, admin.session_id, following))
    return redirect("assessments:course", course.pk)


@clinician_required
def administration_detail(request: HttpRequest, course_id: int, administration_id: int):
    """Show one questionnaire item by item, as it was answered."""
    course = get_course_for_user(request, course_id)
    admin = get_administration(course, administration_id)
    instrument = get_instrument(admin.instrument, admin.version)
    answers = {a.item: a.value for a in admin.item_answers.all()}
    band = instrument.band_for(admin.total)
    rows = []
    for item in instrument.items:
        value = answers.get(item.id)
        option = next((o for o in item.options if o.value == value), None)
        rows.append((item, value, option.label if option else None))
    context = {
        "course": course,
        "course_url": course_url(course),
        "admin": admin,
        "instrument": instrument,
        "name": display.short_name(instrument),
        "band": band,
        "rows": rows,
        "risk_items": {r.item for r in conf.risk_rules(instrument)},
        "can_correct": policy.may_amend_administration(request.user, admin),
        "amendments": [
            (a, previous_rows(a))
            for a in admin.amendments.select_related("changed_by").order_by("-changed_at", "-id")
        ],
    }
    return render(request, "assessments/administration.html", context)


@clinician_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """List the open (or resolved) alerts of the user's caseload, or of their supervisees."""
    status = "resolved" if request.GET.get("status") == "resolved" else "open"
    alerts = (
        Alert.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("course__client", "course__therapist", "resolved_by")
        .order_by("raised_at", "id" if status == "open" else "-id")
    )
    if status == "resolved":
        alerts = alerts.order_by("-resolved_at", "-id")
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    links = _record_links(request.user, list(page.object_list))
    rows = [(alert, display.alert_text(alert), links[alert.pk]) for alert in page.object_list]
    context = {"page": page, "rows": rows, "status": status}
    return render(request, "assessments/alerts.html", context)


def _record_links(user, alerts: list[Alert]) -> dict[int, str]:
    """Link each alert's client to the record this user may open: the course's measures,
    or, for a group's supervisor who does not hold the course, the member's group page."""
    course_ids = {a.course_id for a in alerts}
    readable = set(
        Course.objects.visible_to(user).filter(pk__in=course_ids).values_list("pk", flat=True)
    )
    members: dict[int, int] = {}
    if course_ids - readable:
        from openipt.groups.models import GroupMembership

        shown = GroupMembership.objects.visible_to(user).filter(course_id__in=course_ids - readable)
        members = dict(shown.order_by("id").values_list("course_id", "pk"))  # latest wins
    links = {}
    for alert in alerts:
        if alert.course_id in readable:
            links[alert.pk] = reverse("assessments:course", args=[alert.course_id])
        elif alert.course_id in members:
            links[alert.pk] = reverse("groups:member", args=[members[alert.course_id]])
        else:
            links[alert.pk] = alert.get_absolute_url()
    return links


@clinician_required
@require_http_methods(["GET", "POST"])
def resolve_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Resolve an alert with the action taken and a note; supervisors may only read it."""
    alert = get_alert_for_user(request, alert_id, write=request.method == "POST")
    can_resolve = alert.is_open and policy.may_write_course(request.user, alert.course)
    form = ResolveAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_alert(
                request.user, alert, form.cleaned_data["action"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Alert resolved. It stays in the course's record."))
            return redirect(reverse("assessments:alerts"))
    context = {
        "alert": alert,
        "text": display.alert_text(alert),
        "form": form,
        "can_resolve": can_resolve,
        "course_url": course_url(alert.course),
    }
    return render(request, "assessments/resolve.html", context)

"""Questionnaires one question per page: start, answer, check and send, and the thank-you.

Each answer is saved on its own page, so the client can stop at any point and carry on
later. After a risk answer the service's crisis information appears on the very next page
and stays on every page of that questionnaire, including the thank-you page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from openipt.assessments.forms import item_fields
from openipt.courses.models import Course
from openipt.portal import conf, services
from openipt.portal.access import (
    get_administration_for_client,
    get_draft_for_client,
    portal_client,
)
from openipt.portal.models import PortalDraft
from openipt.portal.questionnaires import (
    AlreadySent,
    first_unanswered,
    has_risk,
    instrument_of,
    short_name,
)
from openipt.portal.views import client_required

CRISIS_FLAG = "portal_crisis_new"


def _resume(draft: PortalDraft) -> HttpResponse:
    position = first_unanswered(draft)
    if position is None:
        return redirect("portal:check", code=draft.instrument)
    return redirect("portal:question", code=draft.instrument, position=position)


def _crisis(request: HttpRequest, draft_or_risk: PortalDraft | bool) -> dict[str, object]:
    """Return the crisis box context; announce it (role=alert) only the first time."""
    shown = has_risk(draft_or_risk) if isinstance(draft_or_risk, PortalDraft) else draft_or_risk
    return {
        "show_crisis": shown,
        "crisis_new": bool(request.session.pop(CRISIS_FLAG, False)) and shown,
        "crisis_text": conf.crisis_text(),
    }


@client_required
@never_cache
@require_http_methods(["GET", "POST"])
def begin(request: HttpRequest, code: str) -> HttpResponse:
    """Introduce a due questionnaire (GET) and start it (POST); resume one already begun."""
    client = portal_client(request)
    course = services.current_course(client)
    due = {d.code: d for d in services.due_questionnaires(course)}
    if code not in due or course is None:
        raise Http404("This questionnaire is not due")
    existing = due[code].draft
    if existing is not None:
        return _resume(existing)
    if request.method == "POST":
        try:
            draft = services.start(request.user, course, code)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("portal:home")
        return _resume(draft)
    instrument = due[code].instrument
    context = {
        "instrument": instrument,
        "name": short_name(instrument),
        "due": due[code],
        "course_active": course.status == Course.Status.ACTIVE,
    }
    return render(request, "portal/questionnaire_start.html", context)


def _read_answer(raw: str | None) -> object:
    if raw is None or raw == "":
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw


@client_required
@never_cache
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, code: str, position: int) -> HttpResponse:
    """Ask one question; save the answer and go to the next one."""
    client = portal_client(request)
    draft = get_draft_for_client(request, services.current_course(client), code)
    instrument = instrument_of(draft)
    if not 1 <= position <= len(instrument.items):
        raise Http404("No such question")
    item = instrument.items[position - 1]
    error = ""
    if request.method == "POST":
        error = _save(request, draft, item)
        if not error:
            if position < len(instrument.items):
                return redirect("portal:question", code=code, position=position + 1)
            return redirect("portal:check", code=code)
    field = item_fields(instrument, draft.answers, {item.id: error} if error else None)[
        position - 1
    ]
    context = {
        "draft": draft,
        "instrument": instrument,
        "name": short_name(instrument),
        "field": field,
        "item": item,
        "position": position,
        "total": len(instrument.items),
        "error": error,
        **_crisis(request, draft),
    }
    return render(request, "portal/question.html", context)


def _save(request: HttpRequest, draft: PortalDraft, item) -> str:
    """Save or skip the answer in the POST; return the error to show, or ""."""
    if "skip" in request.POST and not item.required:
        services.skip_answer(request.user, draft, item)
        return ""
    value = _read_answer(request.POST.get(f"item_{item.id}"))
    if value is None:
        if item.required:
            return _("Choose an answer to go on.")
        return _("Choose an answer, or skip this question.")
    try:
        alerts = services.save_answer(request.user, draft, item, value)
    except ValidationError:
        return _("Choose one of the answers.")
    if alerts:
        request.session[CRISIS_FLAG] = True
    return ""


@client_required
@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, code: str) -> HttpResponse:
    """List the answers with a way to change each, and send them."""
    client = portal_client(request)
    draft = get_draft_for_client(request, services.current_course(client), code)
    instrument = instrument_of(draft)
    problem = ""
    if request.method == "POST":
        try:
            result = services.finish(request.user, draft)
        except AlreadySent:
            messages.info(request, _("Your answers were already sent."))
            return redirect("portal:home")
        except ValidationError as error:
            problem = " ".join(str(m) for m in error.messages)
        else:
            if result.alerts:
                request.session[CRISIS_FLAG] = True
            return redirect("portal:sent", administration_id=result.administration.pk)
    answers = []
    for position, item in enumerate(instrument.items, start=1):
        value = draft.answers.get(item.id)
        label = next((o.label for o in item.options if o.value == value), None)
        answers.append({"position": position, "item": item, "label": label})
    context = {
        "draft": draft,
        "instrument": instrument,
        "name": short_name(instrument),
        "answers": answers,
        "missing": first_unanswered(draft),
        "problem": problem,
        **_crisis(request, draft),
    }
    return render(request, "portal/check.html", context)


@client_required
def sent(request: HttpRequest, administration_id: int) -> HttpResponse:
    """Thank the client, repeat the crisis information if needed, and offer the next one."""
    administration = get_administration_for_client(request, administration_id)
    client = portal_client(request)
    risk = bool(administration.risk_items) or administration.alerts.exists()
    due = services.due_questionnaires(services.current_course(client))
    context = {
        "administration": administration,
        "next": due[0] if due else None,
        "show_progress": client.show_progress_to_client,
        "course_active": administration.course.status == Course.Status.ACTIVE,
        **_crisis(request, risk),
    }
    return render(request, "portal/sent.html", context)

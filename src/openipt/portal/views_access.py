"""Getting into the portal: the therapist's invitation, redeeming it, and sign-in links.

Links are spent only on POST, so that a mail scanner opening a link cannot use it up.
Refused links get a page that says why and what to do, never an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from openipt.clients.access import get_client_for_user
from openipt.core.decorators import therapist_required
from openipt.core.errors import apply_errors
from openipt.portal import conf, services
from openipt.portal.forms import InviteForm, JoinCodeForm, SetPasswordForm, SignInRequestForm
from openipt.portal.links import normalise_code
from openipt.portal.models import PortalLink

BACKEND = "django.contrib.auth.backends.ModelBackend"
REFUSED_STATUS = {"unknown": 404, "used": 410, "withdrawn": 410, "expired": 410}


def refused(request: HttpRequest, kind: str, reason: str) -> HttpResponse:
    """Explain why a link cannot be used and what to do instead."""
    return render(
        request,
        "portal/link_refused.html",
        {"kind": kind, "reason": reason, "days": conf.invitation_days()},
        status=REFUSED_STATUS.get(reason, 400),
    )


@therapist_required
@require_POST
def invite(request: HttpRequest, client_id: int) -> HttpResponse:
    """Issue an invitation and show it once, ready to print."""
    client = get_client_for_user(request, client_id, write=True)
    form = InviteForm(request.POST)
    send_email = form.is_valid() and form.cleaned_data["send_email"]
    try:
        issued = services.invite_client(
            request.user, client, send_email=send_email, base_url=conf.base_url(request)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(client)
    return render(
        request,
        "portal/invitation.html",
        {
            "client": client,
            "issued": issued,
            "emailed": send_email,
            "join_url": conf.base_url(request) + reverse("portal:join_start"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Let the client type the code printed on their invitation."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        return redirect("portal:join", code=code or "-")
    return render(request, "portal/join_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """Redeem an invitation: choose a username (first time) and a password."""
    try:
        link = services.check_link(PortalLink.Kind.INVITATION, code)
    except services.LinkRefused as exc:
        return refused(request, "invitation", exc.reason)
    has_account = link.client.user_id is not None
    form = SetPasswordForm(request.POST or None, has_account=has_account)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.redeem_invitation(
                code,
                username=form.cleaned_data.get("username", ""),
                password1=form.cleaned_data["password1"],
                password2=form.cleaned_data["password2"],
            )
        except services.LinkRefused as exc:
            return refused(request, "invitation", exc.reason)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Your password is set and you are signed in."))
            return redirect("portal:home")
    account = link.client.user if has_account else None
    return render(request, "portal/join.html", {"form": form, "account": account, "link": link})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_request(request: HttpRequest) -> HttpResponse:
    """E-mail a one-time sign-in link; say the same thing whether or not the address is known."""
    form = SignInRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_sign_in_link(form.cleaned_data["email"], conf.base_url(request))
        return render(
            request,
            "portal/sign_in_sent.html",
            {"email": form.cleaned_data["email"], "minutes": conf.sign_in_minutes()},
        )
    return render(request, "portal/sign_in_request.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """Show a sign-in button for the link (GET) and spend it (POST)."""
    try:
        services.check_link(PortalLink.Kind.SIGN_IN, token)
        if request.method == "POST":
            user = services.use_sign_in_link(token)
            login(request, user, backend=BACKEND)
            return redirect("portal:home")
    except services.LinkRefused as exc:
        return refused(request, "sign_in", exc.reason)
    return render(request, "portal/sign_in_link.html")

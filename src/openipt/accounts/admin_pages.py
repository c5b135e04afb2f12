"""OpenIPT's own administration pages: staff accounts, roles, teams, tokens and history.

Every view is for the admin role only and shows accounts, never clinical records. What an
admin may change is decided in administration.py and tokens.py; these views only turn
forms into calls and errors back into forms. Writes ask for the password again when the
last sign-in is older than ACCOUNT_REAUTHENTICATION_TIMEOUT.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openipt.accounts import administration as admin
from openipt.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    RevokeForm,
    UserSearchForm,
)
from openipt.accounts.models import AccountEvent, ApiToken, User
from openipt.accounts.tokens import revoke_token
from openipt.core.decorators import role_required
from openipt.core.security import SECOND_FACTORS, has_second_factor

PAGE_SIZE = 25
admin_required = role_required("admin")
# Forms open freely; saving one asks for the password again after a quiet while.
reauth_to_write = reauthentication_required(allow_get=True)


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _with_mfa(users: QuerySet[User]) -> QuerySet[User]:
    second_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS)
    return users.annotate(has_mfa=Exists(second_factor))


@admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """List staff accounts, searchable by name, username, email and role."""
    form = UserSearchForm(request.GET or None)
    accounts = _with_mfa(admin.managed_users().select_related("supervisor"))
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            accounts = accounts.filter(
                Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
            )
        if role := form.cleaned_data["role"]:
            accounts = accounts.filter(role=role)
    page = _page(request, accounts.order_by("username"))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "accounts/admin/users.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
@reauth_to_write
def user_create(request: HttpRequest) -> HttpResponse:
    """Create a staff account and email its owner a link to set their password."""
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = admin.create_account(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            admin.send_password_reset(request.user, user, request)  # type: ignore[arg-type]
            messages.success(
                request,
                _("Account created; %(email)s has a link to set a password.")
                % {"email": user.email},
            )
            return redirect("manage:user_edit", user_id=user.pk)
    return render(request, "accounts/admin/user_create.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
@reauth_to_write
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a staff account's name, role, supervisor or active state."""
    subject = admin.get_managed_user(request.user, user_id)  # type: ignore[arg-type]
    initial = {
        "display_name": subject.display_name,
        "role": subject.role,
        "supervisor": subject.supervisor,
        "is_active": subject.is_active,
    }
    is_self = subject.pk == request.user.pk
    form = AccountEditForm(request.POST or None, initial=initial, is_self=is_self)
    if request.method == "POST" and form.is_valid():
        change = admin.AccountChange(**form.cleaned_data)
        try:
            events = admin.change_account(request.user, subject, change)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved.") if events else _("Nothing changed."))
            return redirect("manage:user_edit", user_id=subject.pk)
    context = {
        "subject": subject,
        "form": form,
        "is_self": is_self,
        "has_mfa": has_second_factor(subject),
        "active_tokens": ApiToken.objects.usable().filter(user=subject).count(),
        "events": subject.account_events.order_by("-at", "-pk")[:10],
    }
    return render(request, "accounts/admin/user_edit.html", context)


@admin_required
@require_POST
@reauth_to_write
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Email the account's owner a password reset link."""
    subject = admin.get_managed_user(request.user, user_id)  # type: ignore[arg-type]
    try:
        admin.send_password_reset(request.user, subject, request)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A reset link went to %(email)s.") % {"email": subject.email})
    return redirect("manage:user_edit", user_id=subject.pk)


ROLE_DUTIES = {
    User.Role.THERAPIST: gettext_lazy("Sees and writes the records of their own clients."),
    User.Role.SUPERVISOR: gettext_lazy("Reads the records of the therapists they supervise."),
    User.Role.ADMIN: gettext_lazy(
        "Manages staff accounts, tokens and the audit trail; sees no record."
    ),
    User.Role.FACILITATOR: gettext_lazy(
        "Runs the IPT groups they facilitate; sees only those groups' members, never a "
        "course record."
    ),
}


@admin_required
@require_GET
def roles(request: HttpRequest) -> HttpResponse:
    """Say what each role may do and how many active accounts hold it."""
    counts = dict(
        admin.managed_users()
        .filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    rows = [
        {"role": role, "duty": ROLE_DUTIES[role], "count": counts.get(role, 0)}
        for role in admin.MANAGED_ROLES
    ]
    return render(request, "accounts/admin/roles.html", {"rows": rows})


@admin_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    """Show each supervisor with the therapists they supervise, and who has none."""
    therapists = User.objects.filter(role=User.Role.THERAPIST).order_by("username")
    leads = User.objects.filter(role=User.Role.SUPERVISOR).prefetch_related(
        Prefetch("supervisees", queryset=therapists, to_attr="team")
    )
    page = _page(request, leads.order_by("username"))
    unassigned = therapists.filter(supervisor__isnull=True, is_active=True)
    context = {"page": page, "unassigned": unassigned, "query": ""}
    return render(request, "accounts/admin/teams.html", context)


@admin_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    """List every staff API token: owner, name, dates, and whether it still works."""
    items = ApiToken.objects.filter(user__role__in=admin.MANAGED_ROLES).select_related("user")
    owner = request.GET.get("owner", "").strip()[:150]
    if owner:
        items = items.filter(user__username__iexact=owner)
    page = _page(request, items.order_by("-created_at", "-pk"))
    context = {"page": page, "owner": owner, "query": _query_without_page(request)}
    return render(request, "accounts/admin/tokens.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
@reauth_to_write
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke a staff member's token, saying why."""
    token = admin.get_staff_token(request.user, token_id)  # type: ignore[arg-type]
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoke_token(request.user, token, form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Token revoked."))
            return redirect("manage:tokens")
    return render(request, "accounts/admin/token_revoke.html", {"token": token, "form": form})


@admin_required
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    """List account events, newest first, optionally for one username."""
    items = AccountEvent.objects.order_by("-at", "-pk")
    who = request.GET.get("who", "").strip()[:150]
    if who:
        items = items.filter(Q(subject_username__iexact=who) | Q(actor_username__iexact=who))
    page = _page(request, items)
    context = {"page": page, "who": who, "query": _query_without_page(request)}
    return render(request, "accounts/admin/events.html", context)

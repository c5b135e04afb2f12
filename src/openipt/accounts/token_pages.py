"""The page where staff issue, see and revoke their own API tokens.

A new token's secret is shown once, on the answer to the form that made it, and that
answer is never cached. The list shows when each token was last used, so its owner can
spot one that works for somebody else.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openipt.accounts.admin_pages import reauth_to_write
from openipt.accounts.forms import TokenCreateForm
from openipt.accounts.models import ApiToken, User
from openipt.accounts.tokens import TOKEN_ROLES, issue_token, revoke_token, tokens_of
from openipt.core.decorators import role_required

PAGE_SIZE = 25
staff_required = role_required(*TOKEN_ROLES)


def get_own_token(user: User, token_id: int) -> ApiToken:
    """Return one of the user's own tokens, or raise 404 (whoever else owns it)."""
    try:
        return tokens_of(user).get(pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None


@staff_required
@require_http_methods(["GET", "POST"])
@reauth_to_write
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and issue a new one."""
    form = TokenCreateForm(request.POST or None)
    issued = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued, secret = issue_token(
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["name"],
                form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm()
    page = Paginator(tokens_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    context = {"form": form, "page": page, "issued": issued, "secret": secret, "query": ""}
    response = render(request, "accounts/tokens.html", context)
    add_never_cache_headers(response)
    return response


@staff_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens."""
    token = get_own_token(request.user, token_id)  # type: ignore[arg-type]
    if revoke_token(request.user, token):  # type: ignore[arg-type]
        messages.success(request, _("Token revoked: it no longer works."))
    return redirect("tokens:list")

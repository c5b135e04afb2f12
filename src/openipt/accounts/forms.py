"""Forms of the admin pages and of the page where staff manage their own API tokens.

They only read input; the rules (who may change what) live in administration.py and
tokens.py, whose ValidationErrors the views put back on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from openipt.accounts.administration import MANAGED_ROLES, supervisors
from openipt.accounts.models import User
from openipt.core.validators import no_control_characters, single_line

ROLE_CHOICES = [(role.value, role.label) for role in MANAGED_ROLES]
TEXT_VALIDATORS = [no_control_characters, single_line]


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, username or email"),
        required=False,
        max_length=150,
        validators=TEXT_VALIDATORS,
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *ROLE_CHOICES]
    )


class SupervisorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class AccountForm(forms.Form):
    """Name, role and supervisor: what an admin sets when creating or editing an account."""

    display_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=TEXT_VALIDATORS
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    supervisor = SupervisorField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No supervisor"),
        help_text=_("Therapists only."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors()  # type: ignore[attr-defined]


class AccountCreateForm(AccountForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they sign in with: letters, digits and @ . + - _ only."),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send a link there for them to set their password."),
    )
    field_order = ["display_name", "username", "email", "role", "supervisor"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True  # a new account is named from the start


class AccountEditForm(AccountForm):
    is_active = forms.BooleanField(
        label=_("Active (may sign in)"),
        required=False,
        help_text=_("Deactivating signs them out and ends their API tokens."),
    )

    def __init__(self, *args: Any, is_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_self:
            # Another admin changes these; disabled fields ignore whatever is posted.
            for name in ("role", "supervisor", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only another admin can change this.")


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you revoking this token?"),
        max_length=200,
        validators=TEXT_VALIDATORS,
        help_text=_("Kept in the account's history, for example “laptop lost”."),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        validators=TEXT_VALIDATORS,
        help_text=_("Where you will use it, for example “reporting script”."),
    )
    days = forms.IntegerField(label=_("Expires after (days)"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The upper bound is checked by the service (models.token_lifetime), once.
        most = settings.OPENIPT_API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.initial = settings.OPENIPT_API_TOKEN_DAYS
        days.widget.attrs["max"] = most
        days.help_text = _("From 1 to %(most)s days.") % {"most": most}

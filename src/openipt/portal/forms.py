"""Forms of the portal pages; every label and message is marked for translation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.portal.models import CONTACTS_MAX, MOOD_MAX, NOTE_MAX


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=40,
        help_text=_(
            "The code on the invitation your therapist gave you, e.g. ABCD-EFGH-JKLM-NPQR."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the code from your invitation.")},
    )


class SetPasswordForm(forms.Form):
    username = forms.CharField(
        label=_("Choose a username"),
        max_length=150,
        help_text=_("You will use it to sign in. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        error_messages={"required": _("Choose a username to sign in with.")},
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 10 characters. Not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password a second time.")},
    )

    def __init__(self, *args, has_account: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if has_account:
            del self.fields["username"]


class SignInRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.com."),
        },
    )


class MoodForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How was your mood today?"),
        help_text=_("0 is the lowest you can imagine, 10 the best."),
        choices=[(n, str(n)) for n in range(MOOD_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a number for your mood, from 0 to 10.")},
    )
    contacts = forms.IntegerField(
        label=_("How many people did you talk to or do something with today?"),
        help_text=_("Count phone calls, messages that turned into a chat, visits and activities."),
        min_value=0,
        max_value=CONTACTS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter a number, 0 if there was nobody."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The number cannot be below 0."),
            "max_value": _("Enter %(limit_value)s or less."),
        },
    )
    note = forms.CharField(
        label=_("A note for yourself and your therapist"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, who you saw or what you did."),
    )


class InviteForm(forms.Form):
    send_email = forms.BooleanField(
        label=_("Also send it to the client's e-mail address"), required=False
    )

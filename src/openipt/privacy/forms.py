from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.core.validators import no_control_characters
from openipt.privacy.models import Consent, Disclosure, PsychotherapyNote

FORMAT_CHOICES = [
    ("json", _("JSON: everything held, for another system or the client")),
    ("fhir", _("FHIR Bundle: the client and their questionnaires")),
    ("pdf", _("PDF: everything held, to read or print")),
]


class NoteForm(forms.ModelForm):
    class Meta:
        model = PsychotherapyNote
        fields = ["session", "text"]
        labels = {"text": _("Private note"), "session": _("Session")}
        help_texts = {
            "text": _(
                "Your own process notes. Only you can read them; they are not part of the "
                "progress record, letters, exports or the client portal."
            )
        }

    def __init__(self, *args: Any, course: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.fields["session"]
        assert isinstance(session, forms.ModelChoiceField)
        session.queryset = course.sessions.order_by("-date", "-id")
        session.required = False


class NoteAmendForm(forms.Form):
    """A correction of one's own psychotherapy note, with the reason kept beside it."""

    text = forms.CharField(label=_("Private note"), widget=forms.Textarea(attrs={"rows": 6}))
    reason = forms.CharField(
        label=_("Why is the note changed?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the earlier text, your name and the time; only you read them."),
    )


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["topic", "given_on", "note"]
        widgets = {
            "given_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class NoteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        """Name a note by its date and first words, so the author knows which it is."""
        return f"{obj.created_at:%d %b %Y %H:%M} · {obj.text[:60]}"


class DisclosureForm(forms.ModelForm):
    notes = NoteChoiceField(
        queryset=PsychotherapyNote.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Notes to disclose"),
    )

    class Meta:
        model = Disclosure
        fields = ["notes", "recipient", "recipient_user", "purpose", "authorised_by"]
        fields += ["authorised_on"]
        widgets = {
            "authorised_on": forms.DateInput(attrs={"type": "date"}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "recipient_user": _(
                "Only if a colleague in OpenIPT (such as your supervisor) is to read the "
                "notes here."
            ),
            "authorised_by": _("The client, or the person legally able to act for them."),
        }

    def __init__(self, *args: Any, notes: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen, colleague = self.fields["notes"], self.fields["recipient_user"]
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        assert isinstance(colleague, forms.ModelChoiceField)
        chosen.queryset = notes
        colleague.queryset = colleagues
        colleague.required = False


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=FORMAT_CHOICES, widget=forms.RadioSelect, initial="json", label=_("Format")
    )
    include_psychotherapy_notes = forms.BooleanField(
        required=False,
        label=_("Include the psychotherapy notes covered by a recorded disclosure"),
    )


class EraseForm(forms.Form):
    record_number = forms.CharField(
        label=_("Type the client's record number to confirm"), max_length=40
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_record_number(self) -> str:
        value = self.cleaned_data["record_number"].strip()
        if value != self.expected:
            raise ValidationError(_("This is not the client's record number."))
        return value

"""Forms of the measures pages, and the per-item fields a questionnaire page renders.

`item_fields` is what `templates/assessments/_item.html` needs; the portal's one-question
pages reuse both, so an item looks and reads the same to the clinician and the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.assessments import conf
from openipt.assessments.models import Administration, Alert
from openipt.courses.models import Course, Session
from openipt.measures import Instrument


@dataclass(frozen=True)
class OptionField:
    value: int
    label: str
    input_id: str
    checked: bool


@dataclass(frozen=True)
class ItemField:
    """One item as a fieldset: legend = item text, one radio per answer option."""

    id: str
    number: int
    text: str
    name: str
    required: bool
    options: tuple[OptionField, ...]
    error: str
    risk_note: str

    @property
    def first_input_id(self) -> str:
        return self.options[0].input_id


def item_fields(
    instrument: Instrument,
    selected: Mapping[str, object] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[ItemField]:
    """Return the instrument's items ready for `_item.html`, keeping the given answers."""
    selected, errors = selected or {}, errors or {}
    notes = {rule.item: _risk_note(instrument, rule) for rule in conf.risk_rules(instrument)}
    fields = []
    for number, item in enumerate(instrument.items, start=1):
        name = f"item_{item.id}"
        options = tuple(
            OptionField(
                value=o.value,
                label=o.label,
                input_id=f"{name}_{o.value}",
                checked=selected.get(item.id) == o.value and type(selected.get(item.id)) is int,
            )
            for o in item.options
        )
        fields.append(
            ItemField(
                id=item.id,
                number=number,
                text=item.text,
                name=name,
                required=item.required,
                options=options,
                error=errors.get(item.id, ""),
                risk_note=str(notes.get(item.id, "")),
            )
        )
    return fields


def _risk_note(instrument: Instrument, rule: conf.RiskRule) -> str:
    """Say which answers raise an alert, and that the lowest answer does not rule out risk."""
    item = instrument.item(rule.item)
    labels = {o.value: o.label for o in item.options} if item else {}
    note = _("Any answer from “%(label)s” up raises an alert for the clinician to assess risk.") % {
        "label": labels.get(rule.min_value, rule.min_value)
    }
    if item and rule.min_value > min(labels):
        # Most people who died by suicide had answered 0 on PHQ-9 item 9 [S64], [S66].
        note += " " + _("“%(label)s” is not evidence of safety.") % {"label": labels[min(labels)]}
    return str(note)


def raw_answers(instrument: Instrument, data: Mapping[str, str]) -> dict[str, object]:
    """Read item answers from POST data: whole numbers become ints, anything else is kept.

    The service refuses what is not an answer and says which item; nothing is guessed here.
    """
    answers: dict[str, object] = {}
    for item in instrument.items:
        value = data.get(f"item_{item.id}")
        if value in (None, ""):
            continue
        answers[item.id] = int(value) if value.isascii() and value.isdigit() else value
    return answers


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:  # type: ignore[override]
        return f"Session {obj.number} ({obj.date:%-d %b %Y})"


class AdministrationForm(forms.Form):
    """The questions about a questionnaire entry that are not its items."""

    session = SessionChoiceField(
        queryset=Session.objects.none(),
        required=False,
        label=_("Session"),
        empty_label=_("Not linked to a session"),
        help_text=_("The session this questionnaire belongs to."),
    )
    completed_by = forms.ChoiceField(
        choices=Administration.CompletedBy.choices,
        initial=Administration.CompletedBy.CLINICIAN,
        widget=forms.RadioSelect,
        label=_("Who completed it"),
    )
    completed_on = forms.DateField(
        required=False,
        label=_("Date completed"),
        help_text=_(
            "Leave empty for the session's date (today when not linked to a session). "
            "Never in the future."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = course.sessions.filter(attendance="attended").order_by("-number")


class ResolveAlertForm(forms.Form):
    action = forms.ChoiceField(
        choices=Alert.Action.choices,
        widget=forms.RadioSelect,
        label=_("Action taken"),
        error_messages={"required": _("Choose the action you took.")},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Note"),
        help_text=_("What you did and found, and any follow-up agreed."),
        max_length=5000,
        error_messages={"required": _("Write a note of what you did and found.")},
    )


class CorrectAnswersForm(forms.Form):
    """Why a questionnaire's answers are corrected, and the day it was completed."""

    completed_on = forms.DateField(
        label=_("Date completed"),
        help_text=_("The day the questionnaire was completed. Never in the future."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Why are the answers corrected?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the previous answers and score, with your name and the time."),
        error_messages={"required": _("Say why the record is changed.")},
    )

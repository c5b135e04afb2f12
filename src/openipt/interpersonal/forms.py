"""Forms of the inventory, timeline and formulation pages; the services validate again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.courses.models import Course, DisputeStage, ProblemArea
from openipt.interpersonal.models import Formulation, LifeEvent, Person

RING_CHOICES = [
    (1, _("1 – closest")),
    (2, _("2 – close")),
    (3, _("3 – less close")),
    (4, _("4 – furthest")),
]
QUICK_FIELDS = ("label", "ring", "relationship", "status", "conflict", "support")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL_TEXT = forms.Textarea(attrs={"rows": 2})
RELATIONSHIPS = (
    "partner", "mother", "father", "parent", "child", "sister", "brother", "friend",
    "colleague", "manager", "neighbour", "grandparent",
)  # fmt: skip


# Choices a quick entry may leave out; the model's own default applies.
DEFAULTS = {"status": "present", "conflict": "none", "expectations_match": "unclear"}


class PersonForm(forms.ModelForm):
    """A person in the inventory: six quick fields, the rest under "more"."""

    ring = forms.TypedChoiceField(
        label=_("Closeness ring"), choices=RING_CHOICES, coerce=int, initial=2
    )
    knows_about_depression = forms.NullBooleanField(
        label=_("Knows about the depression"),
        required=False,
        widget=forms.NullBooleanSelect(),
    )

    class Meta:
        model = Person
        fields = [
            "label", "ring", "relationship", "status", "conflict", "support",
            "contact_frequency", "shared_activities", "description", "satisfying",
            "unsatisfying", "feelings", "expectations_self", "expectations_other",
            "expectations_match", "can_talk_about", "cannot_talk_about",
            "knows_about_depression", "changes_wished",
        ]  # fmt: skip
        widgets = {
            name: SMALL_TEXT
            for name in (
                "shared_activities", "description", "satisfying", "unsatisfying", "feelings",
                "expectations_self", "expectations_other", "can_talk_about",
                "cannot_talk_about", "changes_wished",
            )
        }  # fmt: skip
        help_texts = {
            "relationship": _("Who is this person to the client?"),
            "contact_frequency": _("How much time do they spend together?"),
            "conflict": _("Do they argue? Covert: tension that is not spoken about."),
            "changes_wished": _("Is there anything the client would like to change?"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        support = self.fields["support"]
        assert isinstance(support, forms.ChoiceField)
        support.choices = [("", _("Not recorded")), *Person.Support.choices]
        knows = self.fields["knows_about_depression"].widget
        assert isinstance(knows, forms.NullBooleanSelect)
        knows.choices = [("unknown", _("Not asked yet")), ("true", _("Yes")), ("false", _("No"))]
        self.fields["relationship"].widget.attrs["list"] = "relationship-options"
        for name in DEFAULTS:
            self.fields[name].required = False

    def clean(self) -> dict:
        data = super().clean() or {}
        for name, default in DEFAULTS.items():
            if not data.get(name):
                data[name] = default
        return data

    @property
    def quick(self) -> list[forms.BoundField]:
        return [self[name] for name in QUICK_FIELDS]

    @property
    def more(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in QUICK_FIELDS]


class OnsetForm(forms.Form):
    symptom_onset = forms.DateField(
        label=_("Symptom onset"),
        required=False,
        widget=DATE,
        help_text=_("When did the low mood of this episode begin? An estimate is fine."),
    )


class EventForm(forms.ModelForm):
    """A dated life event; the person list is limited to this course's inventory."""

    class Meta:
        model = LifeEvent
        fields = ["date", "kind", "person", "description"]
        # One line: the column is text only because it is stored encrypted.
        widgets = {"date": DATE, "description": forms.TextInput}

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = Person.objects.filter(course=course).order_by("ring", "label", "id")
        person.empty_label = _("Nobody in particular")


class FocusForm(forms.Form):
    """Choose a problem area as the focus; the course engine applies its own rules."""

    area = forms.ChoiceField(label=_("Problem area"), choices=ProblemArea.choices)
    dispute_stage = forms.ChoiceField(
        label=_("Stage of the dispute"),
        choices=[("", _("Choose the stage")), *DisputeStage.choices],
        required=False,
        help_text=_("Needed for a role dispute: the strategy depends on the stage."),
    )
    reason = forms.CharField(
        label=_("Why this focus"), required=False, widget=SMALL_TEXT, max_length=2000
    )
    deficits_confirmed = forms.BooleanField(
        label=_("No other problem area fits"),
        required=False,
        help_text=_("Needed for interpersonal deficits, the last choice."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        area = data.get("area")
        if area == ProblemArea.ROLE_DISPUTE and not data.get("dispute_stage"):
            self.add_error("dispute_stage", _("Choose the stage of the dispute."))
        if area == ProblemArea.INTERPERSONAL_DEFICITS and not data.get("deficits_confirmed"):
            self.add_error(
                "deficits_confirmed", _("Confirm that no other problem area fits the client.")
            )
        return data


class FormulationForm(forms.ModelForm):
    class Meta:
        model = Formulation
        fields = ["area", "text", "shared_on", "client_response"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 12}),
            "shared_on": DATE,
            "client_response": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "text": _("Edit the draft into your own words before sharing it."),
            "client_response": _("What did the client say? What fits, what does not?"),
        }

"""Forms of the group pages; choices come from `openipt.protocol.groups`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from openipt.accounts.models import User
from openipt.groups.models import Composition, GroupMembership, ScreeningEntry, Sex
from openipt.measures import get_instrument
from openipt.protocol.groups import Programme, all_programmes, plain_area_names

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> Any:
    return timezone.localdate()


def programme_choices() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in all_programmes()]


class ScreenedChoice(forms.ModelChoiceField):
    """A screened person, named as the list shows them."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} (PHQ-9 {obj.phq9_total}, screened {obj.screened_on:%d %b %Y})"


class GroupForm(forms.Form):
    programme = forms.ChoiceField(label="Programme")
    name = forms.CharField(label="Group name", max_length=100)
    site = forms.CharField(label="Site (village, school, clinic)", max_length=200, required=False)
    supervisor = forms.ModelChoiceField(label="Supervisor", queryset=User.objects.none())
    facilitators = forms.ModelMultipleChoiceField(
        label="Facilitators", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    composition = forms.ChoiceField(label="Composition", choices=Composition.choices)
    planned_size = forms.IntegerField(label="Planned size", min_value=1, max_value=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = programme_choices()  # type: ignore[attr-defined]
        active = User.objects.filter(is_active=True).order_by("username")
        self.fields["supervisor"].queryset = active.filter(role="supervisor")  # type: ignore[attr-defined]
        self.fields["facilitators"].queryset = active.filter(role="facilitator")  # type: ignore[attr-defined]


def phq9_fields(prefix: str = "item_") -> dict[str, forms.Field]:
    """Return one radio field per PHQ-9 item, labelled with the item's text."""
    fields: dict[str, forms.Field] = {}
    for item in get_instrument("phq9").items:
        fields[f"{prefix}{item.id}"] = forms.TypedChoiceField(
            label=f"{item.id}. {item.text}",
            choices=[(o.value, f"{o.label} ({o.value})") for o in item.options],
            coerce=int,
            required=item.required,
            widget=forms.RadioSelect,
        )
    return fields


class ScreeningForm(forms.Form):
    programme = forms.ChoiceField(label="Programme")
    name = forms.CharField(label="Name", max_length=200)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE)
    site = forms.CharField(label="Community or clinic", max_length=200, required=False)
    screened_on = forms.DateField(label="Screened on", initial=_today, widget=DATE)
    previous = ScreenedChoice(
        label="Second screening of", queryset=ScreeningEntry.objects.none(), required=False
    )
    exclusions = forms.MultipleChoiceField(
        label="Exclusions found (any of these means individual care, never the group)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, repeats: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = programme_choices()  # type: ignore[attr-defined]
        labels: dict[str, str] = {}
        for programme in all_programmes():
            for exclusion in programme.exclusions:
                labels.setdefault(exclusion.id, exclusion.label)
        self.fields["exclusions"].choices = sorted(labels.items())  # type: ignore[attr-defined]
        if repeats is not None:
            self.fields["previous"].queryset = repeats  # type: ignore[attr-defined]
        self.fields.update(phq9_fields())

    def answers(self) -> dict[str, int]:
        return {
            k.removeprefix("item_"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("item_") and v not in (None, "")
        }


class EnrolForm(forms.Form):
    screening = ScreenedChoice(label="Person", queryset=ScreeningEntry.objects.none())
    pre_group_on = forms.DateField(label="Pre-group session held on", initial=_today, widget=DATE)
    problem_area = forms.ChoiceField(label="Their problem area", widget=forms.RadioSelect)
    pre_group_tasks = forms.MultipleChoiceField(
        label="Done in the pre-group session", required=False, widget=forms.CheckboxSelectMultiple
    )
    onset_link = forms.CharField(
        label="How the onset of symptoms links to interpersonal problems",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, programme: Programme, eligible: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["screening"].queryset = eligible  # type: ignore[attr-defined]
        self.fields["problem_area"].choices = plain_area_names(programme)  # type: ignore[attr-defined]
        self.fields["pre_group_tasks"].choices = [  # type: ignore[attr-defined]
            (t.id, t.label) for t in programme.pre_group.tasks
        ]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="Left on", initial=_today, widget=DATE)
    reason = forms.ChoiceField(
        label="Why", choices=GroupMembership.LeaveReason.choices, widget=forms.RadioSelect
    )


class NextStepForm(forms.Form):
    step = forms.ChoiceField(
        label="Next step", choices=GroupMembership.NextStep.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChecklistForm(forms.Form):
    tasks_done = forms.MultipleChoiceField(
        label="What this session asks: tick what was done",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, tasks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tasks_done"].choices = tasks  # type: ignore[attr-defined]

"""The outcome report's filters, shared by the page and its CSV and Parquet links."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from openipt.courses.models import Format, ProblemArea
from openipt.insights import services, supervision
from openipt.insights.outcomes import Filters, check_filters, default_period

GROUP_CHOICES = [
    ("month", "Month"),
    ("therapist", "Therapist"),
    ("format", "Format"),
    ("area", "Problem area"),
]
SCOPE_LABELS = {"team": "My therapists", "service": "Whole service"}


class OutcomeFilterForm(forms.Form):
    scope = forms.ChoiceField(label="Whose courses", initial="team")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label="Group by", choices=GROUP_CHOICES, initial="month")
    therapist = forms.TypedChoiceField(label="Therapist", required=False, coerce=int)
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "Any format"), *Format.choices]
    )
    area = forms.ChoiceField(
        label="Problem area", required=False, choices=[("", "Any area"), *ProblemArea.choices]
    )

    def __init__(self, user, data: Any = None) -> None:
        start, end = default_period()
        initial = {"start": start, "end": end, "group": "month", "scope": "team"}
        if data is not None:
            # Absent fields take their defaults, so a bare /insights/outcomes/ works.
            data = {**{k: str(v) for k, v in initial.items()}, **data.dict()}
        super().__init__(data, initial=initial)
        self.user = user
        scopes = services.allowed_scopes(user)
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            (s, SCOPE_LABELS[s]) for s in scopes
        ]
        if len(scopes) == 1:
            self.fields["scope"].widget = forms.HiddenInput()
        team = supervision.supervisees(user).values_list("pk", "display_name", "username")
        cast(forms.ChoiceField, self.fields["therapist"]).choices = [("", "Any therapist")] + [
            (pk, name or username) for pk, name, username in team
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_filters(self.filters())
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field, errors)
        return data

    def filters(self) -> Filters:
        """Return the filters from cleaned data."""
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            group=data["group"],
            therapist=data.get("therapist") or None,
            format=data.get("format") or "",
            area=data.get("area") or "",
        )

    @property
    def chosen_scope(self) -> str:
        return self.cleaned_data.get("scope") or "team"

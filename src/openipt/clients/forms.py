from __future__ import annotations

from django import forms

from openipt.clients.models import Client, SafetyPlan


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "record_number", "date_of_birth", "email", "show_progress_to_client"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or record number", required=False, max_length=200)


class SafetyPlanForm(forms.ModelForm):
    """Every section of the plan; saving makes a new version (openipt.clients.safety)."""

    class Meta:
        model = SafetyPlan
        fields = [*SafetyPlan.SECTIONS, "shared_with_client"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in SafetyPlan.SECTIONS}

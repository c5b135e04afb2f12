from __future__ import annotations

from django import forms

from openipt.clients.models import Client


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "record_number", "date_of_birth", "email", "show_progress_to_client"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or record number", required=False, max_length=200)

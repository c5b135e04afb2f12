"""The audit page's search form; every field is optional and narrows the trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.audit.models import AccessEvent
from openipt.core.validators import no_control_characters

MAX_ID = 2**63 - 1  # the largest id a database column holds


class AuditSearchForm(forms.Form):
    actor = forms.CharField(
        label=_("Who (username)"),
        required=False,
        max_length=150,
        validators=[no_control_characters],
    )
    client = forms.IntegerField(
        label=_("Client id"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Also finds reads of the client's courses."),
    )
    object_type = forms.SlugField(
        label=_("Object type"),
        required=False,
        max_length=64,
        help_text=_("For example course, person, event, alert."),
    )
    object_id = forms.IntegerField(
        label=_("Object id"), required=False, min_value=1, max_value=MAX_ID
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any")), *AccessEvent.Action.choices],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _("Name the object type to search by its id."))
        return data

    def filter(self, events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
        """Return the events that match the valid fields of the form."""
        if not self.is_valid():
            return events.none() if self.is_bound and self.errors else events
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(_actor_q(data["actor"]))
        if data.get("client"):
            events = events.about_client(data["client"], _course_ids(data["client"]))  # type: ignore[attr-defined]
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
            if data.get("object_id"):
                key = f"object_ids__{data['object_type']}_id"
                events = events.filter(**{key: data["object_id"]})
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("date_from"):
            events = events.filter(at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_day_start(data["date_to"] + timedelta(days=1)))
        return events


def _day_start(day: date) -> datetime:
    """Return local midnight of the day, so the search uses the index on `at`."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _actor_q(username: str) -> Q:
    from django.contrib.auth import get_user_model

    ids = list(
        get_user_model().objects.filter(username__iexact=username).values_list("pk", flat=True)
    )
    return Q(actor_id__in=ids) | Q(actor_username__iexact=username)


def _course_ids(client_id: int) -> list[int]:
    from django.apps import apps

    try:
        course = apps.get_model("courses", "Course")
    except LookupError:
        return []
    return list(course.objects.filter(client_id=client_id).values_list("pk", flat=True))


class ChangeSearchForm(forms.Form):
    actor = forms.CharField(
        label=_("Who (username)"),
        required=False,
        max_length=150,
        validators=[no_control_characters],
    )
    model = forms.SlugField(
        label=_("Record type"),
        required=False,
        max_length=100,
        help_text=_("The model's name, for example client, course, session, person."),
    )
    object_id = forms.IntegerField(
        label=_("Record id"), required=False, min_value=1, max_value=MAX_ID
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, entries: QuerySet[Any]) -> QuerySet[Any]:
        """Return the auditlog entries that match the valid fields of the form."""
        if not self.is_valid():
            return entries.none() if self.is_bound and self.errors else entries
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor__username__iexact=data["actor"])
        if data.get("model"):
            entries = entries.filter(content_type__model=data["model"].lower())
        if data.get("object_id"):
            entries = entries.filter(object_pk=str(data["object_id"]))
        if data.get("date_from"):
            entries = entries.filter(timestamp__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(timestamp__lt=_day_start(data["date_to"] + timedelta(days=1)))
        return entries

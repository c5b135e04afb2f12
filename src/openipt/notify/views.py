"""Staff pages: the notification list, acknowledging an alert, and notification preferences."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openipt import policy
from openipt.assessments.access import get_alert_for_user
from openipt.clients.access import get_client_for_user
from openipt.core.decorators import clinician_required, role_required
from openipt.notify import badge, escalation
from openipt.notify.models import ClientContact, Notification, StaffPreference

PAGE_SIZE = 25
staff_required = role_required("therapist", "supervisor", "admin")


@staff_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """List the signed-in person's notifications, newest first, unread marked."""
    mine = Notification.objects.in_app_for(request.user).select_related("alert")
    page = Paginator(mine.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unread = Notification.objects.in_app_for(request.user).unread().count()
    return render(request, "notify/list.html", {"page": page, "unread": unread})


@staff_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of your notifications read and go to what it is about."""
    mine = Notification.objects.in_app_for(request.user)
    notification = mine.filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification")
    mine.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
    badge.changed(request.user.pk)
    target = notification.link
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("notify:list")
    return redirect(target)


@staff_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification of yours read."""
    Notification.objects.in_app_for(request.user).unread().update(read_at=timezone.now())
    badge.changed(request.user.pk)
    messages.success(request, _("All notifications marked read."))
    return redirect("notify:list")


@clinician_required
@require_POST
def acknowledge_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Say you have seen an alert and are acting on it: its escalation stops."""
    alert = get_alert_for_user(request, alert_id)
    escalation.acknowledge(request.user, alert)
    messages.success(request, _("Alert acknowledged: nobody else will be asked to act on it."))
    return redirect(alert.get_absolute_url())


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = StaffPreference
        fields = ["email_alerts", "email_out_of_hours", "weekly_digest"]


@clinician_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose how OpenIPT reaches you: alert e-mails, out of hours, the weekly digest."""
    user = request.user  # a clinician: clinician_required
    current = StaffPreference.objects.filter(user=user).first()  # type: ignore[misc]
    form = PreferenceForm(
        request.POST or None,
        instance=current or StaffPreference(user=user),  # type: ignore[misc]
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Notification preferences saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})


class ClientContactForm(forms.ModelForm):
    """Whether the client agreed to reminders, and how they want them."""

    class Meta:
        model = ClientContact
        fields = ["reminders_agreed", "channel", "mobile"]

    def clean_mobile(self) -> str:
        mobile = " ".join(self.cleaned_data.get("mobile", "").split())
        digits = mobile.replace(" ", "").removeprefix("+")
        if mobile and (not digits.isdigit() or not 7 <= len(digits) <= 15):
            raise forms.ValidationError(
                _("Write the number in digits, with + and the country code.")
            )
        return mobile

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("reminders_agreed"):
            return data
        if data.get("channel") == ClientContact.Channel.SMS and not data.get("mobile"):
            self.add_error("mobile", _("Text messages need a mobile number."))
        if data.get("channel") == ClientContact.Channel.EMAIL and not self.instance.client.email:
            self.add_error(
                "channel", _("The record has no e-mail address: add one, or choose text messages.")
            )
        return data


@clinician_required
@require_http_methods(["GET", "POST"])
def client_reminders(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record whether a client agreed to reminders and how; their therapist changes it."""
    client = get_client_for_user(request, client_id, write=request.method == "POST")
    contact = ClientContact.objects.filter(client=client).first() or ClientContact(client=client)
    form = ClientContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Reminder choices saved."))
        return redirect("clients:detail", client.pk)
    context = {
        "client": client,
        "form": form,
        "can_edit": policy.may_write_client(request.user, client),
    }
    return render(request, "notify/client_reminders.html", context)

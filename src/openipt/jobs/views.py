"""The admin's page of the job queue: scheduled jobs' last runs, failures, undelivered messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openipt.core.decorators import role_required
from openipt.jobs.models import FailedJob
from openipt.jobs.report import report
from openipt.notify.models import Notification

admin_required = role_required("admin")
SHOWN = 50


@admin_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """Show the queue, each scheduled job's last run, and what failed."""
    failed_messages = (
        Notification.objects.filter(status=Notification.Status.FAILED)
        .only("pk", "kind", "channel", "created_at", "attempts", "last_error")
        .order_by("-created_at")[:SHOWN]
    )
    context = {
        "state": report(),
        "failed_jobs": FailedJob.objects.filter(dismissed_at=None)[:SHOWN],
        "failed_messages": failed_messages,
    }
    return render(request, "jobs/jobs.html", context)


@admin_required
@require_POST
def dismiss_failed(request: HttpRequest, failed_job_id: int) -> HttpResponse:
    """Mark a failed job as looked at; it stays in the table."""
    failed = get_object_or_404(FailedJob, pk=failed_job_id, dismissed_at=None)
    failed.dismissed_at = timezone.now()
    failed.save(update_fields=["dismissed_at"])
    messages.success(request, _("Failure marked as looked at."))
    return redirect("jobs:list")

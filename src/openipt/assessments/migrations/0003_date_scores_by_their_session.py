"""Date the questionnaires that staff typed in by their linked session's day.

Before this, a questionnaire was stored as completed when it was typed in: sixteen PHQ-9s
entered on one day for sessions from August to December all showed that one day. A row
entered by staff and linked to a session is moved to noon (local time) of the session's day;
a client's own portal answers keep their real time. The course summaries of the changed
courses are then recomputed, since the order of their scores may have changed.
"""

import datetime

from django.db import migrations
from django.utils import timezone


def date_by_session(apps, schema_editor):
    Administration = apps.get_model("assessments", "Administration")
    rows = (
        Administration.objects.filter(session__isnull=False)
        .exclude(entered_by__role="client")
        .select_related("session")
    )
    changed_courses = set()
    for row in rows.iterator():
        day = row.session.date
        if timezone.localdate(row.completed_at) == day or day > timezone.localdate():
            continue
        row.completed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        row.save(update_fields=["completed_at"])
        changed_courses.add(row.course_id)
    if changed_courses:
        _refresh(changed_courses)


def _refresh(course_ids):
    # The summary's one writer is application code; it runs only when rows changed, on a
    # database already at this schema (this migration's dependencies are the latest).
    from openipt.assessments.summary import refresh_course_summary
    from openipt.core import kept
    from openipt.courses.models import Course

    for course in Course.objects.filter(pk__in=course_ids):
        refresh_course_summary(course, force=True)
    kept.changed_everything()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_encrypt_alert_note"),
        ("courses", "0005_outcome_indexes"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(date_by_session, migrations.RunPython.noop)]

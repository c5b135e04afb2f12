"""Who may see and change what: the one home of OpenIPT's access rule.

Every queryset of health data (`visible_*`), every fetch-and-check helper, every page's
"may edit" flag, every API operation and every service's write check asks this module; no
other module compares a user's role. A second copy of the rule is where a leak starts
(docs/security.md, "One access policy").

The rule:
- a therapist sees the clients they hold and the courses they run, and changes them;
- a supervisor sees the same for the therapists they supervise, and changes nothing;
- a client sees only their own record, through the portal;
- an admin sees no clinical record at all (accounts, roles, tokens and the audit only);
- a client whose record is erased (awaiting purge) is hidden from everyone, alerts and
  notes included; only the privacy pages ask for the record, to show or cancel the erasure;
- a deactivated or anonymous user sees nothing;
- a facilitator (a non-specialist running IPT groups) sees only the groups they facilitate,
  their members' rows and what a group session needs, never a course record; they run the
  sessions (attendance, check-in, scheduled PHQ-9, homework, flags); the group's clinician
  (a therapist, who holds the members' records and acts on their alerts) manages the group;
  the group's supervisor, and the clinician's supervisor, read it, and see its alerts.

Querysets are filtered by lookup paths rather than by importing the models, so every
model's manager can delegate here without an import cycle.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

THERAPIST = "therapist"
SUPERVISOR = "supervisor"
CLIENT = "client"
ADMIN = "admin"
FACILITATOR = "facilitator"
CLINICIANS = (THERAPIST, SUPERVISOR)

Q_ = TypeVar("Q_", bound=QuerySet[Any])


def role(user: Any) -> str | None:
    """Return the role of an active, signed-in user, else None (who then sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_therapist(user: Any) -> bool:
    return role(user) == THERAPIST


def is_supervisor(user: Any) -> bool:
    return role(user) == SUPERVISOR


def is_client(user: Any) -> bool:
    return role(user) == CLIENT


def is_admin(user: Any) -> bool:
    return role(user) == ADMIN


def is_facilitator(user: Any) -> bool:
    return role(user) == FACILITATOR


def is_clinician(user: Any) -> bool:
    """Return True for the roles that see clinical records: therapists and supervisors."""
    return role(user) in CLINICIANS


def has_role(user: Any, *roles: str) -> bool:
    return role(user) in roles


# Reading


def _holder_rule(user: Any, therapist: str, client_user: str | None) -> Q | None:
    """Return the filter from a record to the user's caseload, or None for no access.

    `therapist` is the path to the therapist who holds the record, `client_user` the path
    to the client's own account (None where clients may not see the record at all).
    """
    who = role(user)
    if who == THERAPIST:
        return Q(**{therapist: user.pk})
    if who == SUPERVISOR:
        return Q(**{f"{therapist}__supervisor": user.pk})
    if who == CLIENT and client_user is not None:
        return Q(**{client_user: user.pk})
    return None


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def visible_clients(user: Any, clients: Q_, *, include_erased: bool = False) -> Q_:
    """Return the client records this user has a need to see, and no others."""
    rule = _holder_rule(user, "primary_therapist", "user")
    if rule is None:
        return clients.none()
    if not include_erased:
        rule &= Q(erasure__isnull=True)
    return clients.filter(rule)


def visible_courses(user: Any, records: Q_, *, via: str = "", clients_too: bool = True) -> Q_:
    """Return the courses (or the records reached from a course by `via`) this user may see.

    With `clients_too=False` the records are for staff only (alerts, notes): a client's
    own account sees none of them here.
    """
    at = _prefix(via)
    rule = _holder_rule(user, f"{at}therapist", f"{at}client__user" if clients_too else None)
    if rule is None:
        return records.none()
    return records.filter(rule & Q(**{f"{at}client__erasure__isnull": True}))


def visible_alerts(user: Any, alerts: Q_) -> Q_:
    """Return the risk alerts this clinician may see: those of the courses they may see.

    An alert of an ended course stays visible (it belongs to the client until actioned);
    an erased client's alerts are hidden with the record (an erasure waits for open alerts
    to be actioned: `check_erasable`).
    """
    seen = visible_courses(user, alerts, via="course", clients_too=False)
    if not is_supervisor(user):
        return seen
    # A group's supervisor sees the alerts of its members (the facilitators' supervisor).
    groups = alerts.filter(
        course__group_memberships__group__supervisor=user.pk, course__client__erasure__isnull=True
    )
    return alerts.filter(Q(pk__in=seen.values("pk")) | Q(pk__in=groups.values("pk")))


def visible_notes(user: Any, notes: Q_) -> Q_:
    """Return the psychotherapy notes this clinician wrote or was shown by a disclosure."""
    if not is_clinician(user):
        return notes.none()
    mine = Q(author=user.pk) | Q(disclosures__recipient_user=user.pk)
    return notes.filter(mine, course__client__erasure__isnull=True).distinct()


def visible_groups(user: Any, groups: Q_, *, via: str = "") -> Q_:
    """Return the IPT groups (or records reached from a group by `via`) this user may see:
    a facilitator their own groups, the clinician theirs, a supervisor the groups they
    supervise and those of the therapists they supervise."""
    at = _prefix(via)
    who = role(user)
    if who == FACILITATOR:
        return groups.filter(**{f"{at}facilitators": user.pk}).distinct()
    if who == THERAPIST:
        return groups.filter(**{f"{at}clinician": user.pk})
    if who == SUPERVISOR:
        mine = Q(**{f"{at}supervisor": user.pk}) | Q(**{f"{at}clinician__supervisor": user.pk})
        return groups.filter(mine)
    return groups.none()


def visible_members(user: Any, memberships: Q_, *, via: str = "") -> Q_:
    """Return the group memberships (or records reached from one by `via`) this user may
    see: those of visible groups whose client is not erased."""
    at = _prefix(via)
    rows = visible_groups(user, memberships, via=f"{at}group")
    return rows.filter(**{f"{at}client__erasure__isnull": True})


def visible_screenings(user: Any, entries: Q_) -> Q_:
    """Return the screening list entries of a clinician (and of their supervisor); an
    entry of an erased client is hidden with the client."""
    rule = _holder_rule(user, "clinician", None)
    if rule is None:
        return entries.none()
    return entries.filter(rule & (Q(client__isnull=True) | Q(client__erasure__isnull=True)))


def own_portal_records(user: Any, records: Q_, *, via: str = "course") -> Q_:
    """Return the records of the signed-in client's own courses (the portal's view)."""
    if not is_client(user):
        return records.none()
    return records.filter(**{f"{_prefix(via)}client__user": user.pk})


# Writing


def may_write_client(user: Any, client: Any) -> bool:
    """Return True when the user holds the client (their primary therapist)."""
    return is_therapist(user) and client.primary_therapist_id == user.pk


def may_write_course(user: Any, course: Any) -> bool:
    """Return True when the user is the course's therapist; supervisors only read."""
    return is_therapist(user) and course.therapist_id == user.pk


def may_answer_for_self(user: Any, course: Any) -> bool:
    """Return True when the user is the course's client, answering in the portal."""
    return is_client(user) and course.client.user_id == user.pk


def may_manage_group(user: Any, group: Any) -> bool:
    """Return True for the group's clinician: they screen, enrol, assign and close."""
    return is_therapist(user) and group.clinician_id == user.pk


def may_run_group(user: Any, group: Any) -> bool:
    """Return True for the group's facilitators and its clinician: they run its sessions."""
    if may_manage_group(user, group):
        return True
    return is_facilitator(user) and group.facilitators.filter(pk=user.pk).exists()


def may_review_group(user: Any, group: Any) -> bool:
    """Return True for the group's supervisor: they mark its sessions reviewed."""
    return is_supervisor(user) and group.supervisor_id == user.pk


def may_record_group_score(user: Any, course: Any) -> bool:
    """Return True for a facilitator of a group the course's client is a current member of:
    they give the PHQ-9 at the sessions the programme schedules it."""
    if not is_facilitator(user):
        return False
    current = course.group_memberships.filter(left_on__isnull=True, group__facilitators=user.pk)
    return bool(current.exists())


def check_manage_group(user: Any, group: Any) -> None:
    """Refuse anyone but the group's clinician."""
    if not may_manage_group(user, group):
        raise PermissionDenied("Only the group's clinician can change the group.")


def check_run_group(user: Any, group: Any) -> None:
    """Refuse anyone but the group's facilitators and clinician."""
    if not may_run_group(user, group):
        raise PermissionDenied("Only the group's facilitators can record its sessions.")


def may_disclose(user: Any, note: Any) -> bool:
    """Return True for a psychotherapy note's author: only they may disclose it."""
    return is_therapist(user) and note.author_id == user.pk


def may_amend_note(user: Any, note: Any) -> bool:
    """Return True for a psychotherapy note's author: only they may correct it."""
    return is_therapist(user) and note.author_id == user.pk


def may_amend_administration(user: Any, administration: Any) -> bool:
    """Return True for the clinician who entered a questionnaire, while they run the course
    (a client's own answers in the portal are theirs, not a clinician's to correct)."""
    return (
        may_write_course(user, administration.course)
        and administration.completed_by == "clinician"
        and administration.entered_by_id == user.pk
    )


def may_revoke_token(user: Any, token: Any) -> bool:
    """Return True for the token's owner, and for an admin when the owner is staff (an
    admin never sees or ends a client's own token)."""
    if token.user_id == user.pk and role(user) is not None:
        return True
    return is_admin(user) and role(token.user) in (*CLINICIANS, ADMIN)


def editable_clients(user: Any, clients: Q_) -> Q_:
    """Return the client records this user may change: those in their own caseload."""
    if not is_therapist(user):
        return clients.none()
    return clients.filter(primary_therapist=user.pk)


def check_write_client(user: Any, client: Any) -> None:
    """Refuse anyone but the client's own therapist."""
    if not may_write_client(user, client):
        raise PermissionDenied("Only the client's therapist can change this record.")


def check_write_course(user: Any, course: Any, message: str = "") -> None:
    """Refuse anyone but the course's own therapist."""
    if not may_write_course(user, course):
        raise PermissionDenied(message or "Only the course's therapist can change it.")


def check_act_on_alert(user: Any, alert: Any) -> None:
    """Refuse anyone but the therapist of the alert's course."""
    check_write_course(user, alert.course, "Only the course's therapist can resolve its alerts.")


def may_acknowledge_alert(user: Any, alert: Any) -> bool:
    """Return True for a clinician who may see the alert (its therapist, their supervisor):
    acknowledging says someone is acting on it and stops its escalation (openipt.notify)."""
    if not is_clinician(user):
        return False
    return visible_alerts(user, type(alert).objects.filter(pk=alert.pk)).exists()

"""Fetch a group, a group session or a member and check access in one step."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from openipt import policy
from openipt.groups.models import Group, GroupMembership, GroupSession


def get_group_for_user(user: Any, group_id: object) -> Group:
    """Return a group this user may see (the facilitators, clinician, supervisors), else 404."""
    try:
        return (
            Group.objects.visible_to(user)
            .select_related("clinician", "supervisor")
            .get(pk=int(str(group_id)))
        )
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group") from None


def get_session_for_user(user: Any, session_id: object) -> GroupSession:
    """Return a group session of a group this user may see, else 404."""
    try:
        rows = policy.visible_groups(user, GroupSession.objects.all(), via="group")
        return rows.select_related("group", "recorded_by", "reviewed_by").get(
            pk=int(str(session_id))
        )
    except (GroupSession.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group session") from None


def get_member_for_user(user: Any, membership_id: object) -> GroupMembership:
    """Return a member of a group this user may see, else 404."""
    try:
        return (
            GroupMembership.objects.visible_to(user)
            .select_related("group", "client", "course")
            .get(pk=int(str(membership_id)))
        )
    except (GroupMembership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such member") from None

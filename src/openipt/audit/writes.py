"""The write audit: register every health-data model with django-auditlog, masked.

auditlog's default mask shows half of a value; here every clinical value is hidden whole.
The write log says who changed which field of which record and when, never what it now
says: the admins who read it have no access to clinical records.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

# Apps whose models hold health data; a new model in one of them is covered on start-up.
HEALTH_APP_LABELS = (
    "clients",
    "courses",
    "interpersonal",
    "assessments",
    "privacy",
    "portal",
    "reports",
    "insights",
    "groups",
)
MASK = "[hidden]"
MASK_CALLABLE = "openipt.audit.writes.mask_all"
# Security-relevant accounts data: logged in clear, minus secrets and noise.
ACCOUNT_EXCLUDES = {
    "accounts.user": ["password", "last_login"],
    "accounts.apitoken": ["digest", "last_used_at"],
    "mfa.authenticator": ["data", "last_used_at"],
}


def mask_all(value: str) -> str:
    """Hide the whole value; keep only whether there was one."""
    if value in ("", "None"):
        return value
    return MASK


def _is_bookkeeping(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def masked_fields(model: type[models.Model]) -> list[str]:
    """Return every field of a clinical model except keys, links and automatic stamps."""
    names = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or _is_bookkeeping(field):
            continue
        names.append(field.name)
    return names


def health_models() -> list[type[models.Model]]:
    """Return the models of the clinical apps, as they are installed now."""
    return [m for m in apps.get_models() if m._meta.app_label in HEALTH_APP_LABELS]


def register_models() -> None:
    """Register the clinical and account models with auditlog (idempotent)."""
    from auditlog.registry import auditlog

    for model in health_models():
        if not auditlog.contains(model):
            auditlog.register(model, mask_fields=masked_fields(model), mask_callable=MASK_CALLABLE)
    for label, excluded in ACCOUNT_EXCLUDES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=list(excluded))


def hide_object_repr(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Replace auditlog's copy of str(obj) for clinical records: it may quote free text."""
    content_type = getattr(instance, "content_type", None)
    if content_type is not None and content_type.app_label in HEALTH_APP_LABELS:
        instance.object_repr = f"{content_type.model} #{instance.object_pk}"

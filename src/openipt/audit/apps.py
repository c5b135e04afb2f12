from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openipt.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        """Register the write audit and hook the security signals once models exist."""
        from auditlog.models import LogEntry
        from django.core import checks
        from django.db.models.signals import pre_save

        # Imported for its signal receiver: the idle clock starts at sign-in.
        import openipt.core.middleware  # noqa: F401
        from openipt.audit import writes
        from openipt.audit.checks import check_security_settings
        from openipt.core.security import harden_admin_login

        writes.register_models()
        pre_save.connect(
            writes.hide_object_repr, sender=LogEntry, dispatch_uid="openipt_hide_object_repr"
        )
        harden_admin_login()
        checks.register(check_security_settings, checks.Tags.security)

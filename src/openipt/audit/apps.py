from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openipt.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        """Register the write audit, the chaining of reads and the security signals; in
        production, load the audit keys."""
        from auditlog.models import LogEntry
        from django.conf import settings
        from django.core import checks
        from django.core.signals import request_finished
        from django.db.models.signals import pre_save

        # Imported for its signal receiver: the idle clock starts at sign-in.
        import openipt.core.middleware  # noqa: F401
        from openipt.audit import keys, services, writes
        from openipt.audit.checks import check_security_settings
        from openipt.core.security import harden_admin_login

        writes.register_models()
        pre_save.connect(
            writes.hide_object_repr, sender=LogEntry, dispatch_uid="openipt_hide_object_repr"
        )
        # Pending reads are linked into the chain after responses, not while they wait.
        request_finished.connect(services.chain_if_due, dispatch_uid="openipt_chain_reads")
        harden_admin_login()
        checks.register(check_security_settings, checks.Tags.security)
        # Production refuses to start without its audit keys rather than failing at the
        # first read it links; demo mode makes a key file when a key is first needed.
        if settings.PRODUCTION:
            keys.load_keys()

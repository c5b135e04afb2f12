from django.apps import AppConfig
from django.db.models.signals import post_save


class PortalConfig(AppConfig):
    name = "openipt.portal"
    label = "portal"
    verbose_name = "Client portal"

    def ready(self) -> None:
        """Turn the work agreed in each session into the client's task list."""
        from openipt.courses.models import Session
        from openipt.portal import signals

        post_save.connect(signals.session_saved, sender=Session, dispatch_uid="portal-session")

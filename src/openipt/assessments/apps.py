from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AssessmentsConfig(AppConfig):
    name = "openipt.assessments"
    label = "assessments"
    verbose_name = "Questionnaires, scores and alerts"

    def ready(self) -> None:
        """Check the measures settings and keep course summaries current on session changes."""
        from openipt.assessments import conf, signals
        from openipt.courses.models import Course, Session

        conf.check_configuration()
        post_save.connect(signals.session_saved, sender=Session, dispatch_uid="assess-session")
        post_delete.connect(
            signals.session_deleted, sender=Session, dispatch_uid="assess-session-del"
        )
        post_save.connect(signals.course_saved, sender=Course, dispatch_uid="assess-course")

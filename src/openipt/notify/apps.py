from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "openipt.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from openipt.notify import tasks  # noqa: F401 - registers the jobs with the queue

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openipt.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Register the tasks and the failure signal with the queue (openipt.jobs.queue).
        from openipt.jobs import maintenance, queue  # noqa: F401

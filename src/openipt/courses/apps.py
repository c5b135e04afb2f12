from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "openipt.courses"
    label = "courses"
    verbose_name = "IPT courses"

    def ready(self) -> None:
        """Listen to every write that changes a course, so its kept views are made again."""
        from openipt.courses import changes

        changes.connect()

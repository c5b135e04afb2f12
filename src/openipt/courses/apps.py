from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "openipt.courses"
    label = "courses"
    verbose_name = "IPT courses"

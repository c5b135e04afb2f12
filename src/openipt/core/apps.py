from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openipt.core"
    label = "core"
    verbose_name = "Core"

from django.apps import AppConfig


class InterpersonalConfig(AppConfig):
    name = "openipt.interpersonal"
    label = "interpersonal"
    verbose_name = "Interpersonal inventory, timeline and formulation"

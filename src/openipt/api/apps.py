from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openipt.api"
    label = "api"
    verbose_name = "REST API"

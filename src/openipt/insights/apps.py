from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "openipt.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Read every setting once at start-up, so a bad value stops the process loudly
        # instead of failing the first request that needs it.
        from openipt.insights import conf

        conf.check()

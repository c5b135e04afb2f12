from django.apps import AppConfig
from django.conf import settings


class PrivacyConfig(AppConfig):
    name = "openipt.privacy"
    label = "privacy"
    verbose_name = "Privacy, notes and records rights"

    def ready(self) -> None:
        # Production refuses to start without its field keys rather than failing on the
        # first note it reads; demo mode makes a key file when a key is first needed.
        if settings.PRODUCTION:
            from openipt.core import crypto

            crypto.load_keys()

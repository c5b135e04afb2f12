"""Values every page needs: the service name, whether this is a demo, the crisis contacts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.OPENIPT_SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        # Shown with the crisis text on every page that has it (portal/_crisis.html).
        "crisis_contacts": settings.OPENIPT_CRISIS_CONTACTS,
    }

"""Values every page needs: the service name and whether this is a demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.OPENIPT_SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
    }

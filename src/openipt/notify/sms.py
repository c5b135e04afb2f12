"""Text messages behind one small interface, like Django's e-mail back ends.

A service sets OPENIPT_SMS_BACKEND to a class with `send(to, text)` that raises on failure
(its provider's client); the demo prints them; the tests keep them in `outbox`.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.utils.module_loading import import_string

# Messages sent by the locmem back end, for tests (like django.core.mail.outbox).
outbox: list[tuple[str, str]] = []


class ConsoleBackend:
    """Print each message to the standard output."""

    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Keep each message in `openipt.notify.sms.outbox`."""

    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


def send_sms(to: str, text: str) -> None:
    """Send one text message through the configured back end."""
    backend = import_string(settings.OPENIPT_SMS_BACKEND)()
    backend.send(to, text)

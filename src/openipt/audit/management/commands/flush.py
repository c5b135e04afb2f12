"""Django's `flush`, which also empties the read audit: it lifts the SQLite triggers meanwhile.

flush deletes every row of every table: the test suite's way to start each transactional
test empty, and an operator's to start over, never the app's. PostgreSQL runs it as
TRUNCATE, which row triggers do not see; SQLite runs DELETE, which the audit's append-only
triggers refuse, so here they are dropped for the flush and put back after it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from openipt.audit.append_only import lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with lifted(options["database"]):
            super().handle(**options)

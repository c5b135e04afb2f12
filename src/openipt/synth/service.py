"""Generate a synthetic service: staff, referrals and courses, written in bulk, per seed.

Rows are written a chunk of courses per transaction; each course has its own random stream
(`synth:<seed>:<course index>`), so the same seed, size and anchor date give the same rows,
ids included, in an empty database, whatever the chunk size and wherever they are built.
"""

from __future__ import annotations

import datetime
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from openipt.accounts.models import User
from openipt.assessments import conf, tracking
from openipt.clients.models import Client
from openipt.core import kept
from openipt.courses.models import Course
from openipt.synth.answers import AnswerBank
from openipt.synth.build import Counts, CourseBuilder
from openipt.synth.config import SynthConfig
from openipt.synth.plan import Context
from openipt.synth.producer import SynthRefused, chunks, forked_chunks, write_staff
from openipt.synth.rows import tables
from openipt.synth.summary import Rules, off_track_courses
from openipt.synth.writer import Writer, chunked

SUPPORTED = ("phq9", "gad7")  # the instruments with summary columns
Progress = Callable[[int, Counts], None]


@dataclass
class SynthResult:
    config: SynthConfig
    counts: Counts
    seconds: float
    rows: dict[str, int]
    today: datetime.date
    usernames: dict[str, list[str]] = field(default_factory=dict)
    sample_courses: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # WHO groups made with --groups

    @property
    def assessment_rows_per_second(self) -> float:
        return self.counts.assessment_rows / self.seconds if self.seconds else 0.0

    def manifest(self) -> dict[str, Any]:
        """Return what a benchmark or a demo needs to sign in and find its way."""
        return {
            "seed": self.config.seed,
            "today": self.today.isoformat(),
            "password": self.config.password,
            "courses": self.counts.courses,
            "rows": self.rows,
            "assessment_rows": self.counts.assessment_rows,
            "seconds": round(self.seconds, 3),
            "assessment_rows_per_s": round(self.assessment_rows_per_second),
            "usernames": self.usernames,
            "sample_active_courses": self.sample_courses,
            "groups": self.groups,
        }


def check_allowed(*, force: bool = False, append: bool = False) -> None:
    """Refuse production (unless forced) and a database holding data (unless appending)."""
    if settings.PRODUCTION and not force:
        raise SynthRefused(
            "Synthetic data is refused when OPENIPT_ENV=production: it would mix invented "
            "records with real ones. Use a demo database, or pass --force if you are sure."
        )
    if append:
        return
    found = {
        "user": User.objects.count(),
        "client": Client.objects.count(),
        "course": Course.objects.count(),
    }
    held = ", ".join(f"{n} {name}{'' if n == 1 else 's'}" for name, n in found.items() if n)
    if held:
        raise SynthRefused(
            f"The database is not empty ({held}). Synthetic data goes into an empty "
            "database; pass --append to add to this one."
        )


def generate(
    config: SynthConfig,
    *,
    append: bool = False,
    force: bool = False,
    on_progress: Progress | None = None,
) -> SynthResult:
    """Write the synthetic service described by `config`; return what was written."""
    check_allowed(force=force, append=append)
    started = time.perf_counter()
    zone = ZoneInfo(settings.TIME_ZONE)
    today = config.today or timezone.localdate()
    codes = tuple(code for code in conf.scheduled_instruments() if code in SUPPORTED)
    ctx = Context(config, today, zone, conf.schedule(), codes, AnswerBank(codes, config.seed))
    specs = tables()
    writer = Writer(specs)
    builder = CourseBuilder(ctx, writer, specs, Rules.current())
    with _bulk_session():
        staff = write_staff(config, writer, today)
        parallel = config.courses > 2 * config.batch_courses and _can_fork()
        for done, batch, counts in (forked_chunks if parallel else chunks)(builder, staff):
            with transaction.atomic():
                writer.write(batch)
            if on_progress is not None:
                on_progress(done, counts)
        _settle_curves(builder)
        writer.reset_sequences()
        _analyze()
    kept.changed_everything()  # bulk rows send no signals: what was kept is made again
    rows = {name: table.written for name, table in specs.items()}
    sample = [c.pk for c in builder.active if c.current >= 2][:50]
    return SynthResult(
        config, builder.counts, time.perf_counter() - started, rows, today, staff.usernames, sample
    )


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _settle_curves(builder: CourseBuilder) -> None:
    """Flag active courses the service's expected-change curves find off track."""
    for code in tracking.TRACKED:  # fit on the rows just written, not on a cached fit
        cache.delete(tracking.curves_key(code))
    flagged = off_track_courses(builder.active, builder.rules)
    for ids in chunked(flagged, 500):
        with transaction.atomic():
            Course.objects.filter(pk__in=ids, not_on_track=False).update(not_on_track=True)


class _bulk_session:
    """Give SQLite a large page cache for the run; PostgreSQL needs nothing."""

    def __enter__(self) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
                cursor.execute("PRAGMA foreign_keys=OFF")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-2000")
                cursor.execute("PRAGMA foreign_keys=ON")


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (sampled on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")


__all__ = ["SynthRefused", "SynthResult", "check_allowed", "generate"]

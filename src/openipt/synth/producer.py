"""Produce the rows of a synthetic service chunk by chunk, here or in a forked process.

Generating rows is pure Python and writing them is mostly database work, so on a machine
with two cores a forked producer builds the next chunk while this process writes the last
one; the rows are the same either way (each chunk has its own random stream).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import multiprocessing
import queue
import random
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.synth import names
from openipt.synth.build import Counts, CourseBuilder
from openipt.synth.config import FORMAT_MIX, REFERRALS_NOT_STARTED_PER_COURSE, SynthConfig
from openipt.synth.plan import pick, plan_course
from openipt.synth.writer import Writer

Batch = dict[str, list[tuple[Any, ...]]]
QUEUE_DEPTH = 2  # chunks built ahead of the writer: bounded memory


class SynthRefused(Exception):
    """The generator will not run here; the message says why and what to do."""


@dataclass
class Staff:
    supervisors: list[int]
    therapists: list[int]
    big: int | None
    usernames: dict[str, list[str]]
    service_start: datetime.date


def write_staff(config: SynthConfig, writer: Writer, today: datetime.date) -> Staff:
    """Write the supervisors and therapists (one supervisor per eight therapists)."""
    prefix = f"synth{config.seed}"
    if User.objects.filter(username__startswith=f"{prefix}-").exists():
        raise SynthRefused(
            f"Synthetic users of seed {config.seed} are already here: use another --seed."
        )
    password = _password_hash(config.password, config.seed)
    start = today - datetime.timedelta(days=round(config.years * 365))
    joined = writer.stamp(datetime.datetime.combine(start, datetime.time(9), datetime.UTC))
    rng = random.Random(f"synth:{config.seed}:staff")  # noqa: S311 - not secrets
    rows = writer.tables["user"].rows
    n_sup, n_ther = config.supervisor_count, config.therapist_count
    sup_ids = list(writer.ids(User, n_sup))
    ther_ids = list(writer.ids(User, n_ther + int(config.big_caseload > 0)))
    usernames: dict[str, list[str]] = {"supervisors": [], "therapists": [], "big_caseload": []}
    for n, pk in enumerate(sup_ids, start=1):
        name = f"{prefix}-sup{n:04d}"
        usernames["supervisors"].append(name)
        rows.append(_user(pk, password, name, "supervisor", None, names.person(rng), joined))
    for n, pk in enumerate(ther_ids, start=1):
        big = config.big_caseload > 0 and n == len(ther_ids)
        name = f"{prefix}-big" if big else f"{prefix}-ther{n:05d}"
        usernames["big_caseload" if big else "therapists"].append(name)
        supervisor = sup_ids[0] if big else sup_ids[(n - 1) // 8 % n_sup]
        rows.append(_user(pk, password, name, "therapist", supervisor, names.person(rng), joined))
    with transaction.atomic():
        writer.flush()
    big_id = ther_ids[-1] if config.big_caseload > 0 else None
    return Staff(sup_ids, ther_ids[:n_ther], big_id, usernames, start)


@functools.lru_cache(maxsize=8)
def _password_hash(password: str, seed: int) -> str:
    """Hash once per run (Argon2 is slow on purpose); the salt follows the seed."""
    salt = hashlib.sha256(f"synth:{seed}".encode()).hexdigest()[:22]
    return make_password(password, salt=salt)


def _user(pk: int, password: str, username: str, role: str, sup: int | None, name: str, joined):
    return (pk, password, None, False, username, "", "", "", False, True, joined, role, sup, name)


def chunk_of_courses(builder: CourseBuilder, staff: Staff, done: int, quota: int) -> int:
    """Write `quota` courses (one more if the last is followed by maintenance); return how many.

    Each course has its own random stream, so the rows do not depend on the chunk size.
    """
    total, written = builder.ctx.config.courses, 0
    while written < quota:
        index = done + written
        rng = random.Random(f"synth:{builder.ctx.config.seed}:{index}")  # noqa: S311 - not secrets
        written += _course(builder, rng, staff, index, follow_on=index + 1 < total)
    return written


def _course(
    builder: CourseBuilder, rng: random.Random, staff: Staff, index: int, *, follow_on: bool
) -> int:
    """Write one referred course, its maintenance follow-on if agreed, and maybe a referral
    that never started; return the courses written."""
    ctx, cfg = builder.ctx, builder.ctx.config
    span = max((ctx.today - staff.service_start).days, 1)
    big = index < cfg.big_caseload and staff.big is not None
    if big and staff.big is not None:
        fmt, therapist = "standard", staff.big
        started = ctx.today - datetime.timedelta(days=rng.randint(7, 70))
    else:
        fmt, therapist = pick(rng, FORMAT_MIX), rng.choice(staff.therapists)
        started = staff.service_start + datetime.timedelta(days=rng.randrange(span))
    client = _client(builder, rng, fmt, started, therapist)
    plan = plan_course(ctx, rng, fmt, started, keep_active=big)
    course_id, details = builder.add(rng, plan, client, therapist)
    if rng.random() < REFERRALS_NOT_STARTED_PER_COURSE:
        day = staff.service_start + datetime.timedelta(days=rng.randrange(span))
        _client(builder, rng, "standard", day, rng.choice(staff.therapists), referral_only=True)
    if details.end_decision != "maintenance_contract" or not follow_on:
        return 1
    last = {
        code: plan.series(code)[-1].pattern.total for code in ctx.instruments if plan.series(code)
    }
    follow = plan_course(ctx, rng, "maintenance", plan.ended_on, baseline=last)  # type: ignore[arg-type]
    builder.add(rng, follow, client, therapist, course_id, area=details.area or None)
    return 2


def _client(
    builder: CourseBuilder,
    rng: random.Random,
    fmt: str,
    started: datetime.date,
    therapist: int,
    *,
    referral_only: bool = False,
) -> int:
    writer = builder.writer
    pk = writer.ids(Client, 1)[0]
    years = rng.randint(12, 17) if fmt == "adolescent" else rng.randint(18, 80)
    born = started - datetime.timedelta(days=years * 365 + rng.randint(0, 364))
    referred = started if referral_only else started - datetime.timedelta(days=rng.randint(7, 60))
    stamp = builder.at(referred, 10)
    builder.tables["client"].rows.append((
        pk, names.person(rng), f"SYN-{pk:08d}", born.isoformat(), "", therapist, None, True,
        stamp, stamp,
    ))  # fmt: skip
    return pk


def chunks(builder: CourseBuilder, staff: Staff) -> Iterator[tuple[int, Batch, Counts]]:
    """Yield (courses done, rows, counts so far) chunk by chunk, built in this process."""
    config = builder.ctx.config
    done = 0
    while done < config.courses:
        quota = min(config.batch_courses, config.courses - done)
        done += chunk_of_courses(builder, staff, done, quota)
        yield done, builder.writer.take(), _copy(builder.counts)


def forked_chunks(builder: CourseBuilder, staff: Staff) -> Iterator[tuple[int, Batch, Counts]]:
    """Yield the same chunks, built ahead by a forked process; then adopt its final state.

    The child never touches the database: it only computes rows and sends them back.
    """
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=QUEUE_DEPTH)
    child = context.Process(target=_produce, args=(builder, staff, channel), daemon=True)
    child.start()
    try:
        while True:
            message = _receive(channel, child)
            if message[0] == "chunk":
                yield message[1], message[2], message[3]
            elif message[0] == "end":
                builder.active, builder.counts = message[1:3]
                builder.writer.next_ids = message[3]
                return
            else:
                raise RuntimeError(f"The synthetic data producer failed:\n{message[1]}")
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)


def _receive(channel: Any, child: Any) -> tuple[Any, ...]:
    while True:
        try:
            return channel.get(timeout=1.0)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError("The synthetic data producer stopped unexpectedly.") from None


def _produce(builder: CourseBuilder, staff: Staff, channel: Any) -> None:
    """Run in the child: build every chunk and send it, then the curve data."""
    try:
        for done, batch, counts in chunks(builder, staff):
            channel.put(("chunk", done, batch, counts))
        writer = builder.writer
        channel.put(("end", builder.active, builder.counts, writer.next_ids))
    except BaseException:  # noqa: BLE001 - report anything to the parent, which raises it
        channel.put(("error", traceback.format_exc()))
    channel.close()
    channel.join_thread()


def _copy(counts: Counts) -> Counts:
    return Counts(**vars(counts))

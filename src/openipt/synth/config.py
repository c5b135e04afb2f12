"""What a synthetic service looks like: its size, mixes and rates, each with where it comes from.

These are the generator's assumptions, not clinical rules. Where a published figure guides a
mix it is cited; every other rate is a plain product choice so the data look like a working
service (a spread of formats, drop-out, all four outcome classes, risk answers), and each can
be changed by a caller.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

# Every synthetic user shares this password unless told otherwise (demo data only).
DEFAULT_PASSWORD = "synthetic-password-1"

# Problem areas of the first focus. The mix follows the MTLLD maintenance trial in older
# adults (n = 180): role transition 41 %, role disputes 34.5 %, grief 23 % [S130]; the
# remaining 1.5 % goes to interpersonal deficits (the "none of the above" area [S46]).
AREA_MIX: tuple[tuple[str, float], ...] = (
    ("role_transition", 0.41),
    ("role_dispute", 0.345),
    ("grief", 0.23),
    ("interpersonal_deficits", 0.015),
)

# Formats of the courses opened at referral (maintenance courses only follow an acute one).
FORMAT_MIX: tuple[tuple[str, float], ...] = (
    ("standard", 0.66),
    ("brief", 0.14),
    ("ipc", 0.10),
    ("adolescent", 0.10),
)

# Trajectory classes of a course's PHQ-9 (and GAD-7) scores. Chosen so that among finished
# courses at caseness recovery lands near one half and reliable improvement near two thirds,
# as NHS Talking Therapies reports nationally (recovery 50.8 %, reliable improvement 66.4 %
# in 2017-18 [S90]).
TRAJECTORY_MIX: tuple[tuple[str, float], ...] = (
    ("responder", 0.55),
    ("partial", 0.20),
    ("non_responder", 0.19),
    ("deteriorator", 0.06),
)

# How a referral turns out: about 69 % of referrals entered treatment in 2019-20 (1.17 M of
# 1.69 M [S91], [S94]), so about 0.45 referrals per course never start one.
REFERRALS_NOT_STARTED_PER_COURSE = 0.45

END_DECISIONS: tuple[tuple[str, float], ...] = (
    ("discharge_with_relapse_plan", 0.75),
    ("maintenance_contract", 0.05),
    ("other_treatment", 0.12),
    ("referral", 0.08),
)
ALERT_ACTIONS: tuple[tuple[str, float], ...] = (
    ("risk_assessed", 0.55),
    ("safety_plan", 0.25),
    ("contact_made", 0.15),
    ("escalated", 0.05),
)
MODALITIES: tuple[tuple[str, float], ...] = (
    ("in_person", 0.6),
    ("video", 0.3),
    ("telephone", 0.1),
)


@dataclass(frozen=True)
class SynthConfig:
    """One run of the generator. Same config (seed and anchor date included) -> same rows."""

    courses: int
    therapists: int | None = None  # default: one per COURSES_PER_THERAPIST courses
    seed: int = 1
    today: datetime.date | None = None  # the anchor date; default the service's today
    password: str = DEFAULT_PASSWORD
    big_caseload: int = 0  # one extra therapist with this many active courses (benchmarks)
    years: float = 3.0  # courses start evenly over this many years up to today
    # PHQ-9 item 9 above 0 in this share of PHQ-9 administrations, rising with severity.
    # Simon et al. 2013 (84,418 outpatients): "up to 10 % answered more than half the days or
    # nearly every day" [S63]; with the split below about half of the positives are 2 or 3.
    item9_rate: float = 0.10
    item9_split: tuple[float, float, float] = (0.5, 0.3, 0.2)  # answers 1, 2, 3
    single_session_rate: float = 0.15  # attend one session only
    dropout_rate: float = 0.22  # leave part-way through
    cancelled_rate: float = 0.06  # each appointment: cancelled ...
    dna_rate: float = 0.05  # ... or not attended
    gad7_missing_rate: float = 0.03  # courses that never give a GAD-7
    missed_measure_rate: float = 0.0  # attended sessions without the due questionnaires
    open_alert_rate: float = 0.5  # a recent risk answer in an active course still open
    no_review_rate: float = 0.03  # ended courses without a termination review (imports)
    renegotiation_rate: float = 0.03
    batch_courses: int = 2000  # courses per transaction
    supervisors_per_therapist: float = 1 / 8
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if type(self.courses) is not int or self.courses < 1:
            problems.append("--courses must be at least 1")
        if self.therapists is not None and self.therapists < 1:
            problems.append("--therapists must be at least 1")
        if self.big_caseload < 0 or self.big_caseload > self.courses:
            problems.append("--big-caseload must be between 0 and --courses")
        if not 0 <= self.item9_rate <= 1:
            problems.append("--item9-rate must be between 0 and 1")
        if self.batch_courses < 1:
            problems.append("the batch size must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def therapist_count(self) -> int:
        if self.therapists is not None:
            return self.therapists
        return max(1, round((self.courses - self.big_caseload) / COURSES_PER_THERAPIST))

    @property
    def supervisor_count(self) -> int:
        return max(1, -(-self.therapist_count // round(1 / self.supervisors_per_therapist)))


# About 80 courses a year for three years: a full-time therapist's throughput, a product
# choice that gives caseloads of 15-30 active courses.
COURSES_PER_THERAPIST = 250

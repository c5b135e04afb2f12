"""Pure IPT rule checks. Each refuses with ProtocolError or returns notices to show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import ProtocolError
from .formats import Format, Frequency, Phase, PhaseOverrides, get_format, raise_ending_threshold
from .problem_areas import AreaCode, DisputeStage, get_area

__all__ = [
    "AcuteEndDecision",
    "FocusChoice",
    "FocusOptions",
    "Frequency",
    "Notice",
    "ProtocolError",
    "Renegotiation",
    "check_acute_end",
    "check_contract",
    "check_focus",
    "check_renegotiation",
    "check_session_allowed",
    "ending_due",
]

MAX_FOCUS_AREAS = 2  # one area, occasionally two [S1], [S132]


@dataclass(frozen=True)
class Notice:
    """A warning or note to show, with the code callers key on and its sources."""

    code: str
    message: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FocusChoice:
    """A chosen problem area; a second area needs a reason [S132]."""

    area: str
    dispute_stage: str | None = None
    reason: str = ""
    deficits_confirmed: bool = False


@dataclass(frozen=True)
class FocusOptions:
    """Service settings for the focus: whether a second area may be chosen at all."""

    allow_second_area: bool = True


class AcuteEndDecision(StrEnum):
    """What happens when acute treatment ends [S5], [S34], [S35]."""

    MAINTENANCE_CONTRACT = "maintenance_contract"
    CONTINUATION_CONTRACT = "continuation_contract"
    OTHER_TREATMENT = "other_treatment"
    REFERRAL = "referral"
    DISCHARGE_WITH_RELAPSE_PLAN = "discharge_with_relapse_plan"


@dataclass(frozen=True)
class Renegotiation:
    """An explicit change to the contracted number of sessions [S33]."""

    old_planned: int
    new_planned: int
    reason: str
    sources: tuple[str, ...] = ("S33",)


def _positive_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProtocolError(f"{what} must be a whole number of at least 1.", code="not_a_count")
    return value


def check_contract(fmt: Format, planned_sessions: int, frequency: str) -> list[Notice]:
    """Refuse a contract outside the format's settings; warn when outside the typical range.

    A fixed time frame is set from the outset [S1], [S33].
    """
    planned = _positive_int(planned_sessions, "The number of planned sessions")
    allowed = fmt.allowed_sessions
    if planned not in allowed:
        raise ProtocolError(
            f"{fmt.name} allows {allowed.min} to {allowed.max} sessions; {planned} is outside "
            "that range.",
            code="sessions_out_of_bounds",
        )
    if frequency not in {f.value for f in fmt.allowed_frequencies}:
        options = ", ".join(f.value for f in fmt.allowed_frequencies)
        raise ProtocolError(
            f"{fmt.name} sessions can be {options}, not '{frequency}'.",
            code="frequency_not_allowed",
        )
    typical = fmt.typical_sessions
    if planned in typical:
        return []
    return [
        Notice(
            code="outside_typical_range",
            message=f"{fmt.name} usually has {typical.min} to {typical.max} sessions; "
            f"{planned} is outside that range.",
            sources=fmt.sources,
        )
    ]


def check_session_allowed(phase: Phase | str, contract_set: bool) -> None:
    """Refuse middle, termination or maintenance work before a contract exists [S1], [S33]."""
    if Phase(phase) is not Phase.INITIAL and not contract_set:
        raise ProtocolError(
            "Agree the treatment contract (number and frequency of sessions) before "
            f"{Phase(phase).value}-phase work.",
            code="contract_required",
        )


def check_focus(areas: Sequence[FocusChoice], options: FocusOptions | None = None) -> list[Notice]:
    """Refuse a focus that breaks IPT's selection rules; return notes to show.

    One area by default, a second only with a reason [S1], [S132]; never both a dispute and a
    transition [S43]; a dispute needs its stage [S44]; deficits only when nothing else fits,
    with its poorer-prognosis note [S46].
    """
    options = options or FocusOptions()
    if not areas:
        raise ProtocolError("Choose a problem area as the focus.", code="focus_missing")
    codes = [get_area(choice.area).code for choice in areas]
    if len(set(codes)) != len(codes):
        raise ProtocolError("Each problem area can be chosen only once.", code="focus_duplicate")
    limit = MAX_FOCUS_AREAS if options.allow_second_area else 1
    if len(areas) > limit:
        raise ProtocolError(
            f"Choose at most {limit} problem area{'s' if limit > 1 else ''}.",
            code="focus_too_many",
        )
    if len(areas) == 2 and not areas[1].reason.strip():
        raise ProtocolError(
            "Record why a second problem area is needed; IPT usually works on one.",
            code="second_area_needs_reason",
        )
    if {AreaCode.ROLE_DISPUTE, AreaCode.ROLE_TRANSITION} <= set(codes):
        raise ProtocolError(
            "When a role dispute and a role transition both exist, focus on only one of them.",
            code="dispute_and_transition",
        )
    return [_check_choice(choice) for choice in areas if _needs_check(choice)]


def _needs_check(choice: FocusChoice) -> bool:
    return choice.area in (AreaCode.ROLE_DISPUTE, AreaCode.INTERPERSONAL_DEFICITS)


def _check_choice(choice: FocusChoice) -> Notice:
    """Check a dispute's stage [S44] or a deficits confirmation [S46]; return its note."""
    if choice.area == AreaCode.ROLE_DISPUTE:
        if choice.dispute_stage not in {s.value for s in DisputeStage}:
            raise ProtocolError(
                "Say which stage the role dispute is in: renegotiation, impasse or dissolution.",
                code="dispute_stage_required",
            )
        return Notice(
            code="dispute_stage",
            message=f"Role dispute at the {choice.dispute_stage} stage.",
            sources=("S44", "S45"),
        )
    if not choice.deficits_confirmed:
        raise ProtocolError(
            "Choose interpersonal deficits only after confirming that no grief, role dispute "
            "or role transition fits.",
            code="deficits_not_confirmed",
        )
    prognosis = get_area(AreaCode.INTERPERSONAL_DEFICITS).prognosis
    assert prognosis is not None
    return Notice(code="deficits_prognosis", message=prognosis.text, sources=prognosis.sources)


def ending_due(
    fmt: Format,
    planned_sessions: int,
    sessions_done: int,
    overrides: PhaseOverrides | None = None,
) -> bool:
    """Return whether to raise the ending now: remaining sessions <= the setting [S33]."""
    planned = _positive_int(planned_sessions, "The number of planned sessions")
    if isinstance(sessions_done, bool) or sessions_done < 0:
        raise ProtocolError("Sessions done cannot be negative.", code="not_a_count")
    return planned - sessions_done <= raise_ending_threshold(fmt, overrides)


def check_acute_end(
    decision: AcuteEndDecision | str,
    *,
    relapse_plan: bool = False,
    maintenance_frequency: str | None = None,
    maintenance_months: int | None = None,
    continuation_sessions: int | None = None,
    detail: str = "",
    maintenance_discussed: bool = False,
) -> list[Notice]:
    """Refuse an incomplete end-of-acute-treatment decision [S5], [S34], [S35].

    Discharge needs a relapse plan [S14], [S36], [S37]; maintenance needs a frequency and a
    duration [S32], [S34]; continuation needs a new contract [S34], [S35]; other treatment and
    referral need a stated detail. Maintenance must be discussed with all patients [S5].
    """
    decision = _decision(decision)
    if decision is AcuteEndDecision.DISCHARGE_WITH_RELAPSE_PLAN and not relapse_plan:
        raise ProtocolError(
            "Record the warning signs and relapse plan before discharge.",
            code="relapse_plan_required",
        )
    if decision is AcuteEndDecision.MAINTENANCE_CONTRACT:
        _check_maintenance(maintenance_frequency, maintenance_months)
    if decision is AcuteEndDecision.CONTINUATION_CONTRACT and not _is_count(continuation_sessions):
        raise ProtocolError(
            "A continuation contract needs a number of sessions.",
            code="continuation_sessions_required",
        )
    needs_detail = (AcuteEndDecision.OTHER_TREATMENT, AcuteEndDecision.REFERRAL)
    if decision in needs_detail and not detail.strip():
        raise ProtocolError(
            "Say which treatment or service the patient is offered.", code="detail_required"
        )
    if maintenance_discussed:
        return []
    return [
        Notice(
            code="maintenance_not_discussed",
            message="Discuss maintenance treatment with the patient before ending acute IPT.",
            sources=("S5",),
        )
    ]


def _decision(value: AcuteEndDecision | str) -> AcuteEndDecision:
    try:
        return AcuteEndDecision(value)
    except ValueError:
        options = ", ".join(AcuteEndDecision)
        raise ProtocolError(
            f"Unknown end-of-treatment decision '{value}'. Choose one of: {options}.",
            code="unknown_decision",
        ) from None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_maintenance(frequency: str | None, months: int | None) -> None:
    """Require a maintenance frequency and a duration in months [S32], [S34]."""
    fmt = get_format("maintenance")
    if frequency not in {f.value for f in fmt.allowed_frequencies}:
        options = ", ".join(f.value for f in fmt.allowed_frequencies)
        raise ProtocolError(
            f"Set how often maintenance sessions are held ({options}).",
            code="maintenance_frequency_required",
        )
    if not _is_count(months):
        raise ProtocolError(
            "Set how many months maintenance treatment lasts.",
            code="maintenance_duration_required",
        )


def check_renegotiation(
    old_planned: int, new_planned: int, reason: str, fmt: Format | None = None
) -> Renegotiation:
    """Refuse a silent change to the contract: a change needs a reason [S33]."""
    old = _positive_int(old_planned, "The old number of sessions")
    new = _positive_int(new_planned, "The new number of sessions")
    if old == new:
        raise ProtocolError(
            "The number of sessions is unchanged; there is nothing to renegotiate.",
            code="no_change",
        )
    if not reason.strip():
        raise ProtocolError(
            "Record the reason for changing the contract; changes are renegotiated explicitly.",
            code="reason_required",
        )
    if fmt is not None:
        check_contract(fmt, new, fmt.default_frequency.value)
    return Renegotiation(old_planned=old, new_planned=new, reason=reason.strip())

"""The session agenda: a pure function from a course's state to what is due next."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any

from .errors import ProtocolError
from .formats import Format, Phase, PhaseOverrides, SessionSlot, get_format, phase_bounds
from .formats import session_slot as _session_slot
from .phases import Task, tasks_for
from .problem_areas import AreaCode, TechniqueSuggestion, dispute_stage, get_area
from .rules import Notice, ending_due
from .techniques import TechniqueSuggestions, get_technique, middle_phase_suggestions

_PHASE_ORDER = (Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION)


@dataclass(frozen=True)
class FocusItem:
    """A chosen problem area, with the dispute stage when it is a role dispute."""

    area: str
    dispute_stage: str | None = None


@dataclass(frozen=True)
class CourseState:
    """Everything the agenda needs to know about a course; built by the Django layer."""

    format_code: str
    planned_sessions: int | None
    contract_set: bool
    sessions_held: int
    next_session_number: int
    focus: tuple[FocusItem, ...] = ()
    completed_task_ids: frozenset[str] = frozenset()
    measure_due: bool | None = None
    measure_missed: bool = False
    ended: bool = False
    overrides: PhaseOverrides | None = None

    def __post_init__(self) -> None:
        if self.planned_sessions is not None and self.planned_sessions < 1:
            raise ProtocolError("Planned sessions must be at least 1.", code="bad_planned")
        if self.sessions_held < 0:
            raise ProtocolError("Sessions held cannot be negative.", code="bad_sessions_held")
        if self.next_session_number < 1:
            raise ProtocolError("Session numbers start at 1.", code="bad_session_number")


@dataclass(frozen=True)
class AgendaTask:
    """A task to do this session; ``overdue`` marks a required task left from an earlier phase."""

    id: str
    label: str
    guidance: str
    phase: Phase
    required: bool
    overdue: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AgendaStrategy:
    """A strategy of a chosen problem area, or the direction for a dispute's stage."""

    area: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AgendaTechnique:
    """A technique suggested for this session."""

    id: str
    label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Agenda:
    """What is due in the next session; same state, same agenda."""

    format_code: str
    session_number: int
    planned_sessions: int
    planned_is_contract: bool
    phase: Phase
    engagement: bool
    ended: bool
    tasks: tuple[AgendaTask, ...] = ()
    strategies: tuple[AgendaStrategy, ...] = ()
    techniques: tuple[AgendaTechnique, ...] = ()
    reminders: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def session_label(self) -> str:
        """Return "Session n of N" for the course page."""
        return f"Session {self.session_number} of {self.planned_sessions}"

    def to_dict(self) -> dict[str, Any]:
        """Return the agenda as plain JSON types for the API and templates."""
        data = _plain(self)
        data["session_label"] = self.session_label
        return data


def _plain(value: Any) -> Any:
    """Convert dataclasses, enums and tuples into dicts, strings and lists."""
    if isinstance(value, Enum):
        return str(value.value)
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def agenda(state: CourseState) -> Agenda:
    """Return the agenda for the next session of the course described by ``state``."""
    fmt = get_format(state.format_code)
    planned = state.planned_sessions or fmt.default_sessions
    slot = _session_slot(fmt, planned, state.next_session_number, state.overrides)
    head = Agenda(
        format_code=fmt.code,
        session_number=slot.number,
        planned_sessions=planned,
        planned_is_contract=state.planned_sessions is not None,
        phase=slot.phase,
        engagement=slot.engagement,
        ended=state.ended,
    )
    if state.ended:
        ended = Notice("course_ended", "This course has ended; nothing is due.", ())
        return replace(head, reminders=(ended,))
    return replace(
        head,
        tasks=_tasks(fmt, slot.phase, state.completed_task_ids),
        strategies=_strategies(state.focus) if slot.phase is not Phase.INITIAL else (),
        techniques=_techniques(fmt, state.focus) if slot.phase is Phase.MIDDLE else (),
        reminders=_reminders(state, fmt, planned, slot),
    )


def _tasks(fmt: Format, phase: Phase, done: frozenset[str]) -> tuple[AgendaTask, ...]:
    """List overdue required tasks of earlier phases, then this phase's open tasks."""
    earlier = _PHASE_ORDER[: _PHASE_ORDER.index(phase)] if phase in _PHASE_ORDER else ()
    items: list[AgendaTask] = []
    for past in earlier:
        for task in tasks_for(past, fmt):
            if task.required and not task.recurring and task.id not in done:
                items.append(_agenda_task(task, overdue=True))
    for task in tasks_for(phase, fmt):
        if task.recurring or task.id not in done:
            items.append(_agenda_task(task, overdue=False))
    return tuple(items)


def _agenda_task(task: Task, *, overdue: bool) -> AgendaTask:
    return AgendaTask(
        id=task.id,
        label=task.label,
        guidance=task.guidance,
        phase=task.phase,
        required=task.required,
        overdue=overdue,
        sources=task.sources,
    )


def _strategies(focus: tuple[FocusItem, ...]) -> tuple[AgendaStrategy, ...]:
    """List the strategies of each chosen area and the direction for a dispute's stage."""
    items: list[AgendaStrategy] = []
    for item in focus:
        area = get_area(item.area)
        if area.code == AreaCode.ROLE_DISPUTE and item.dispute_stage:
            stage = dispute_stage(item.dispute_stage)
            text = f"{stage.label} stage: {stage.direction}"
            items.append(AgendaStrategy(area.code.value, text, stage.sources))
        for strategy in area.strategies:
            items.append(AgendaStrategy(area.code.value, strategy.text, strategy.sources))
    return tuple(items)


def _techniques(fmt: Format, focus: tuple[FocusItem, ...]) -> tuple[AgendaTechnique, ...]:
    """Suggest the chosen areas' techniques first, then the format's middle-phase set."""
    suggested: dict[str, tuple[str, ...]] = {}
    suggestions: list[TechniqueSuggestion | TechniqueSuggestions | None] = [
        get_area(item.area).suggested_techniques for item in focus
    ]
    suggestions.append(middle_phase_suggestions(fmt))
    for suggestion in suggestions:
        if suggestion is None:
            continue
        for technique_id in suggestion.ids:
            suggested.setdefault(technique_id, suggestion.sources)
    return tuple(
        AgendaTechnique(tid, get_technique(tid).label, sources)
        for tid, sources in suggested.items()
    )


def _reminders(
    state: CourseState, fmt: Format, planned: int, slot: SessionSlot
) -> tuple[Notice, ...]:
    """Collect the reminders for the next session, most structural first."""
    items: list[Notice] = []
    if slot.engagement:
        items.append(
            Notice(
                "engagement_session",
                "Engagement session: it comes before the eight IPT-B sessions.",
                ("S21", "S22"),
            )
        )
    if slot.number == 1 and slot.phase is Phase.INITIAL and fmt.intake_flags:
        names = ", ".join(flag.label.lower() for flag in fmt.intake_flags)
        flag_sources = tuple(dict.fromkeys(s for f in fmt.intake_flags for s in f.sources))
        items.append(
            Notice("intake_screen", f"{fmt.name} is not indicated for: {names}.", flag_sources)
        )
    items.extend(_contract_reminders(state, fmt, planned, slot))
    items.extend(_focus_reminders(state, fmt, planned, slot))
    items.extend(_measure_reminders(state))
    return tuple(items)


def _contract_reminders(
    state: CourseState, fmt: Format, planned: int, slot: SessionSlot
) -> list[Notice]:
    """Remind about a missing contract [S1], [S33] and the ending countdown [S33]."""
    if not state.contract_set or state.planned_sessions is None:
        when = "now" if slot.phase is not Phase.INITIAL else "during the initial phase"
        message = f"No treatment contract yet: agree the number and frequency of sessions {when}."
        return [Notice("contract_missing", message, ("S1", "S33"))]
    remaining = planned - state.sessions_held
    if remaining <= 0 or slot.number > planned:
        message = (
            f"The {planned} contracted sessions are used up: end the course or renegotiate "
            "the contract explicitly."
        )
        return [Notice("beyond_contract", message, ("S33",))]
    if ending_due(fmt, planned, state.sessions_held, state.overrides):
        noun = "session remains" if remaining == 1 else "sessions remain"
        return [Notice("raise_ending", f"{remaining} {noun}: raise the ending.", ("S33",))]
    return []


def _focus_reminders(
    state: CourseState, fmt: Format, planned: int, slot: SessionSlot
) -> list[Notice]:
    """Remind about a missing focus [S1], a dispute's stage [S44] and deficits' prognosis."""
    items: list[Notice] = []
    if fmt.phase_model == "acute" and not state.focus:
        initial_end, _ = phase_bounds(fmt, planned, state.overrides)
        if slot.phase is not Phase.INITIAL or slot.number >= initial_end:
            message = "No problem area chosen: choose the focus by the end of the initial phase."
            items.append(Notice("focus_missing", message, ("S1",)))
    for item in state.focus:
        if item.area == AreaCode.ROLE_DISPUTE and not item.dispute_stage:
            message = "Establish the stage of the role dispute: the strategy depends on it."
            items.append(Notice("dispute_stage_missing", message, ("S44", "S45")))
        prognosis = get_area(item.area).prognosis
        if prognosis is not None:
            items.append(Notice("deficits_prognosis", prognosis.text, prognosis.sources))
    return items


def _measure_reminders(state: CourseState) -> list[Notice]:
    """Remind that a rating is due or was missed; repeating it tracks progress [S4], [S134]."""
    items: list[Notice] = []
    if state.measure_due:
        items.append(Notice("measure_due", "A symptom rating is due this session.", ("S4", "S134")))
    if state.measure_missed:
        message = "A due symptom rating was missed: give it this session."
        items.append(Notice("measure_missed", message, ("S4", "S134")))
    return items


def session_slot(state: CourseState) -> SessionSlot:
    """Return the slot (phase, engagement flag) of the next session of ``state``."""
    fmt = get_format(state.format_code)
    planned = state.planned_sessions or fmt.default_sessions
    return _session_slot(fmt, planned, state.next_session_number, state.overrides)

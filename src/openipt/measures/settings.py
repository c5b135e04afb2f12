"""Every configurable outcome rule in one place, with its default and why it is a setting.

Sourced values live in the instrument files; a setting here overrides them for one service.
Rules the sources leave UNCONFIRMED (measures.md §13, §17) are settings with a documented
default, so a service can change them without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from openipt.measures.schema import Instrument

ImprovementRule = Literal["one_improves_none_deteriorates", "any_improves", "all_improve"]
DeteriorationRule = Literal["any_deteriorates", "all_deteriorate"]


def _frozen(mapping: Mapping[str, float] | None = None) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class OutcomeSettings:
    """Configurable outcome rules; mappings are keyed by instrument code.

    caseness_cutoffs: score >= cut-off is caseness; overrides the instrument's own
        (PHQ-9 10, GAD-7 8 [S83], [S80]). The PHQ-2 has none: set one here to use it.
    reliable_change_thresholds: raw change >= threshold is reliable; overrides the
        instrument's NHS Talking Therapies value (PHQ-9 6, GAD-7 4 [S80], [S81]).
    sd_pre: baseline SD for the Jacobson-Truax RCI [S78]. No universal value, so no default;
        when set (with a reliability), the RCI replaces the fixed threshold.
    reliability: r_xx for the RCI; overrides the instrument's (PHQ-9 alpha 0.89 [S200]).
    rci_z: |RCI| above this is reliable change (1.96 [S78]).
    mids: minimal important difference; overrides the instrument's (PHQ-9 5 [S62]).
    response_fraction: a fall of at least this fraction of baseline is response (0.5 [S73]).
    reliable_improvement_rule: how PHQ-9 and GAD-7 combine; UNCONFIRMED [S80], [S81], so a
        setting. Default: at least one improves reliably and none deteriorates reliably.
    reliable_deterioration_rule: UNCONFIRMED; default: any measure deteriorates reliably.
    min_treatment_sessions: a finished course has at least this many treatment appointments
        (2 [S83], [S84], [S87]).
    review_fraction: the not-on-track review point as a fraction of planned sessions; a
        product choice (ipt.md §11.2 item 8), default the middle (0.5).
    """

    caseness_cutoffs: Mapping[str, float] = field(default_factory=_frozen)
    reliable_change_thresholds: Mapping[str, float] = field(default_factory=_frozen)
    sd_pre: Mapping[str, float] = field(default_factory=_frozen)
    reliability: Mapping[str, float] = field(default_factory=_frozen)
    rci_z: float = 1.96
    mids: Mapping[str, float] = field(default_factory=_frozen)
    response_fraction: float = 0.5
    reliable_improvement_rule: ImprovementRule = "one_improves_none_deteriorates"
    reliable_deterioration_rule: DeteriorationRule = "any_deteriorates"
    min_treatment_sessions: int = 2
    review_fraction: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "caseness_cutoffs",
            "reliable_change_thresholds",
            "sd_pre",
            "reliability",
            "mids",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for code, threshold in self.reliable_change_thresholds.items():
            if threshold <= 0:
                raise ValueError(f"reliable_change_thresholds[{code}] must be positive")
        for code, sd in self.sd_pre.items():
            if sd <= 0:
                raise ValueError(f"sd_pre[{code}] must be positive")
        for code, r in self.reliability.items():
            if not 0 <= r < 1:
                raise ValueError(f"reliability[{code}] must be in [0, 1)")
        if not 0 < self.response_fraction <= 1:
            raise ValueError("response_fraction must be in (0, 1]")
        if not 0 < self.review_fraction <= 1:
            raise ValueError("review_fraction must be in (0, 1]")
        if self.min_treatment_sessions < 1:
            raise ValueError("min_treatment_sessions must be at least 1")

    def caseness_cutoff(self, instrument: Instrument) -> float | None:
        """Return the caseness cut-off in force for this instrument, or None if there is none."""
        rule = instrument.caseness_cutoff
        return self.caseness_cutoffs.get(instrument.code, rule.value if rule else None)

    def reliable_change_threshold(self, instrument: Instrument) -> float | None:
        """Return the fixed reliable-change threshold in force, or None if there is none."""
        rule = instrument.reliable_change
        return self.reliable_change_thresholds.get(instrument.code, rule.value if rule else None)

    def mid(self, instrument: Instrument) -> float | None:
        """Return the minimal important difference in force, or None if there is none."""
        rule = instrument.mid
        return self.mids.get(instrument.code, rule.value if rule else None)

    def rci_parameters(self, instrument: Instrument) -> tuple[float, float] | None:
        """Return (sd_pre, reliability) when the RCI is configured for this instrument."""
        sd = self.sd_pre.get(instrument.code)
        rule = instrument.reliability
        r = self.reliability.get(instrument.code, rule.value if rule else None)
        if sd is None or r is None:
            return None
        return (sd, r)

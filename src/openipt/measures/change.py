"""Change between two scores: response, remission, minimal important difference, reliable change.

Pure arithmetic, kept apart from storage so each rule can be checked by hand. Sign convention:
`improvement` is positive when the person got better, whatever the instrument's direction.
"""

from __future__ import annotations

import math
from typing import Literal

from openipt.measures.schema import Direction, Instrument
from openipt.measures.settings import OutcomeSettings

ChangeClass = Literal["improved", "deteriorated", "no_reliable_change"]
Method = Literal["auto", "fixed", "rci"]

PHQ9_REMISSION_BELOW = 5  # PHQ-9 < 5 [S73], [S74]


def improvement(baseline: int, latest: int, direction: Direction) -> int:
    """Return how many points better `latest` is than `baseline` (negative when worse)."""
    return baseline - latest if direction == "higher_is_worse" else latest - baseline


def response(
    baseline: int, latest: int, direction: Direction = "higher_is_worse", fraction: float = 0.5
) -> bool | None:
    """Return True for a fall of at least 50 % from baseline [S73], [S74].

    None when baseline is 0 (no fall is possible) and for higher-is-better scales, for which
    the sources define no response.
    """
    if direction != "higher_is_worse" or baseline == 0:
        return None
    if fraction == 0.5:
        return 2 * (baseline - latest) >= baseline  # exact in integers: no rounding at 50 %
    return (baseline - latest) >= fraction * baseline


def remission_phq9(latest: int) -> bool:
    """Return True when a PHQ-9 total is in remission (< 5) [S73], [S74]."""
    return latest < PHQ9_REMISSION_BELOW


def mid_met(
    baseline: int, latest: int, mid: float | None, direction: Direction = "higher_is_worse"
) -> bool | None:
    """Return True when improvement reaches the minimal important difference (PHQ-9 5 [S62])."""
    if mid is None:
        return None
    return improvement(baseline, latest, direction) >= mid


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """Return S_diff = sqrt(2) * SEM, with SEM = SD * sqrt(1 - r) (Jacobson-Truax) [S78]."""
    if sd <= 0:
        raise ValueError("sd must be positive")
    if not 0 <= reliability < 1:
        raise ValueError("reliability must be in [0, 1)")
    return math.sqrt(2) * sd * math.sqrt(1 - reliability)


def rci(pre: float, post: float, sd: float, reliability: float) -> float:
    """Return the Reliable Change Index (post - pre) / S_diff [S78]."""
    return (post - pre) / standard_error_of_difference(sd, reliability)


def rc_critical(sd: float, reliability: float, z: float = 1.96) -> float:
    """Return the smallest raw change that is reliable: z * S_diff [S78]."""
    return z * standard_error_of_difference(sd, reliability)


def reliable_change(
    instrument: Instrument,
    pre: int,
    post: int,
    settings: OutcomeSettings | None = None,
    method: Method = "auto",
) -> ChangeClass | None:
    """Classify change as improved, deteriorated or no_reliable_change.

    "auto" uses the RCI when an SD and a reliability are configured, else the fixed NHS
    Talking Therapies threshold (PHQ-9 6, GAD-7 4 [S80], [S81]). Returns None when the
    chosen method has no parameters for this instrument.
    """
    settings = settings or OutcomeSettings()
    gain = improvement(pre, post, instrument.direction)
    params = settings.rci_parameters(instrument)
    if method == "rci" or (method == "auto" and params is not None):
        if params is None:
            return None
        sd, r = params
        index = rci(pre, post, sd, r)
        reliable = abs(index) > settings.rci_z
    else:
        threshold = settings.reliable_change_threshold(instrument)
        if threshold is None:
            return None
        reliable = abs(gain) >= threshold  # "change >= 6" / ">= 4" [S80], [S81]
    if not reliable:
        return "no_reliable_change"
    return "improved" if gain > 0 else "deteriorated"

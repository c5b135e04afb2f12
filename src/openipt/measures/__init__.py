"""What a questionnaire is and how it is scored: pure Python, no Django.

Instruments are versioned YAML files validated on load (`registry`, `schema`); `scoring`
turns answers into a total, band, risk items and flags; `change`, `outcomes`, `schedule` and
`trajectories` hold the outcome rules; `fhir` maps everything to FHIR R4B. The FHIR module is
not imported here, so the core stays light.
"""

from __future__ import annotations

from openipt.measures.errors import AnswerError, AnswerProblem, InstrumentError
from openipt.measures.registry import (
    InstrumentRegistry,
    all_instruments,
    builtin_registry,
    get_instrument,
    load_instrument_file,
    register_instrument,
)
from openipt.measures.schema import Instrument
from openipt.measures.scoring import Score, risk_items_in, score
from openipt.measures.settings import OutcomeSettings

__all__ = [
    "AnswerError",
    "AnswerProblem",
    "Instrument",
    "InstrumentError",
    "InstrumentRegistry",
    "OutcomeSettings",
    "Score",
    "all_instruments",
    "builtin_registry",
    "get_instrument",
    "load_instrument_file",
    "register_instrument",
    "risk_items_in",
    "score",
]

"""Written case vignettes for ``suggest_areas``, kept as data.

Each vignette is a short made-up case: the people in the inventory, dated events, the
symptom onset, and the areas the rules of ipt.md §4.0 should suggest, in order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openipt.protocol.facts import EventFact, FormulationSettings, PersonFact

ONSET = dt.date(2024, 6, 1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def friends() -> list[PersonFact]:
    """Two close, supportive, conflict-free relationships: no deficits."""
    return [
        PersonFact("f1", "Alex (friend)", 2, support="confiding"),
        PersonFact("f2", "Jo (sister)", 2, support="practical"),
    ]


@dataclass(frozen=True)
class Vignette:
    name: str
    story: str
    people: list[PersonFact]
    events: list[EventFact]
    onset: dt.date | None
    expected: list[str]
    strengths: list[str] = field(default_factory=list)
    settings: FormulationSettings | None = None


VIGNETTES: list[Vignette] = [
    Vignette(
        "grief_mother_died",
        "Her mother died seven weeks before her mood dropped.",
        [PersonFact("m", "Mum", 1, "deceased"), *friends()],
        [EventFact(d("2024-04-10"), "death", "m")],
        ONSET,
        ["grief"],
        ["likely"],
    ),
    Vignette(
        "grief_outer_ring_but_deceased",
        "A grandfather he saw rarely died a month before onset.",
        [PersonFact("g", "Grandad", 3, "deceased"), *friends()],
        [EventFact(d("2024-05-01"), "death", "g")],
        ONSET,
        ["grief"],
        ["likely"],
    ),
    Vignette(
        "grief_unlinked_death",
        "Someone died shortly before onset, not yet named in the inventory.",
        friends(),
        [EventFact(d("2024-05-20"), "death", None, "a neighbour")],
        ONSET,
        ["grief"],
        ["possible"],
    ),
    Vignette(
        "grief_death_not_on_timeline",
        "His father has died; the date is not recorded yet.",
        [PersonFact("dad", "Dad", 1, "deceased"), *friends()],
        [],
        ONSET,
        ["grief"],
        ["possible"],
    ),
    Vignette(
        "grief_long_ago_points_nowhere",
        "Her father died four years before onset; she has close support.",
        [PersonFact("dad", "Dad", 1, "deceased"), *friends()],
        [EventFact(d("2020-03-01"), "death", "dad")],
        ONSET,
        [],
    ),
    Vignette(
        "dispute_overt_with_partner",
        "Constant arguments with a partner who expects her to give up work.",
        [PersonFact("p", "Partner", 1, conflict="overt", expectations_match=False), *friends()],
        [],
        ONSET,
        ["role_dispute"],
        ["likely"],
    ),
    Vignette(
        "dispute_covert_expectations_unknown",
        "Silent resentment towards a manager; expectations not yet explored.",
        [PersonFact("b", "Manager", 3, conflict="covert"), *friends()],
        [],
        ONSET,
        ["role_dispute"],
        ["possible"],
    ),
    Vignette(
        "dispute_mismatch_without_open_conflict",
        "Her mother expects daily care she cannot give; no arguments yet.",
        [PersonFact("m", "Mum", 1, expectations_match=False), *friends()],
        [],
        ONSET,
        ["role_dispute"],
        ["possible"],
    ),
    Vignette(
        "conflict_with_matching_expectations_points_nowhere",
        "Brothers who argue about football but agree on what they want from each other.",
        [PersonFact("b", "Brother", 2, conflict="overt", expectations_match=True), *friends()],
        [],
        ONSET,
        [],
    ),
    Vignette(
        "dispute_conflict_event_with_mismatched_person",
        "A row with a flatmate whose expectations differ from his.",
        [PersonFact("fm", "Flatmate", 2, expectations_match=False), *friends()],
        [EventFact(d("2024-05-10"), "conflict", "fm", "row about rent")],
        ONSET,
        ["role_dispute"],
        ["likely"],
    ),
    Vignette(
        "transition_moved_city",
        "Moved city for a new post two months before onset.",
        friends(),
        [EventFact(d("2024-04-01"), "move", None, "moved to Leeds")],
        ONSET,
        ["role_transition"],
        ["likely"],
    ),
    Vignette(
        "transition_birth_of_child",
        "First baby born three months before onset.",
        friends(),
        [EventFact(d("2024-03-02"), "birth", None, "first child born")],
        ONSET,
        ["role_transition"],
        ["likely"],
    ),
    Vignette(
        "transition_illness_after_onset",
        "Diagnosed with diabetes a month after the low mood began.",
        friends(),
        [EventFact(d("2024-07-01"), "illness", None, "diabetes diagnosis")],
        ONSET,
        ["role_transition"],
        ["likely"],
    ),
    Vignette(
        "transition_onset_unknown",
        "Retired this year; when the low mood began is not yet known.",
        friends(),
        [EventFact(d("2024-01-15"), "job_change", None, "retired")],
        None,
        ["role_transition"],
        ["possible"],
    ),
    Vignette(
        "transition_too_early_points_nowhere",
        "Moved house three years before onset, with good support since.",
        friends(),
        [EventFact(d("2021-05-01"), "move")],
        ONSET,
        [],
    ),
    Vignette(
        "mixed_dispute_and_transition_tie",
        "Moved in with a partner, and they argue about chores they each expect of the other.",
        [PersonFact("p", "Partner", 1, conflict="overt", expectations_match=False), *friends()],
        [EventFact(d("2024-04-15"), "move", None, "moved in together")],
        ONSET,
        ["role_dispute", "role_transition"],
        ["likely", "likely"],
    ),
    Vignette(
        "mixed_transition_outweighs_possible_dispute",
        "New job and a new baby near onset; some tension with a manager.",
        [PersonFact("b", "Manager", 3, conflict="covert"), *friends()],
        [
            EventFact(d("2024-02-01"), "job_change", None, "new job"),
            EventFact(d("2024-05-01"), "birth", None, "second child"),
        ],
        ONSET,
        ["role_transition", "role_dispute"],
        ["likely", "possible"],
    ),
    Vignette(
        "separation_after_conflict",
        "Separated from a husband after years of fights about money.",
        [
            PersonFact("h", "Husband", 1, "ended", "overt", False),
            *friends(),
        ],
        [EventFact(d("2024-05-01"), "separation", "h")],
        ONSET,
        ["role_dispute", "role_transition"],
        ["likely", "likely"],
    ),
    Vignette(
        "separation_without_conflict",
        "An amicable separation a month before onset.",
        [PersonFact("h", "Ex-partner", 2, "ended"), *friends()],
        [EventFact(d("2024-05-01"), "separation", "h")],
        ONSET,
        ["role_transition"],
        ["likely"],
    ),
    Vignette(
        "grief_and_transition",
        "Her husband died, and she then moved into sheltered housing.",
        [PersonFact("h", "Husband", 1, "deceased"), *friends()],
        [
            EventFact(d("2024-03-01"), "death", "h"),
            EventFact(d("2024-05-01"), "move", None, "sheltered housing"),
        ],
        ONSET,
        ["grief", "role_transition"],
        ["likely", "likely"],
    ),
    Vignette(
        "grief_dispute_and_transition",
        "A father's death, rows with a sister over the will, and a move into his house.",
        [
            PersonFact("dad", "Dad", 1, "deceased"),
            PersonFact("s", "Sister", 2, conflict="overt", expectations_match=False),
            PersonFact("f", "Friend", 2, support="confiding"),
        ],
        [
            EventFact(d("2024-02-01"), "death", "dad"),
            EventFact(d("2024-04-01"), "move", None, "moved into Dad's house"),
        ],
        ONSET,
        ["grief", "role_dispute", "role_transition"],
        ["likely", "likely", "likely"],
    ),
    Vignette(
        "likely_dispute_before_possible_grief",
        "Open conflict with a partner; an unnamed death near onset.",
        [PersonFact("p", "Partner", 1, conflict="overt", expectations_match=False), *friends()],
        [EventFact(d("2024-05-15"), "death")],
        ONSET,
        ["role_dispute", "grief"],
        ["likely", "possible"],
    ),
    Vignette(
        "conflict_with_the_dead_is_not_a_dispute",
        "He had fallen out with his father, who died just before onset.",
        [PersonFact("dad", "Dad", 1, "deceased", "overt", False), *friends()],
        [EventFact(d("2024-05-01"), "death", "dad")],
        ONSET,
        ["grief"],
        ["likely"],
    ),
    Vignette(
        "deficits_isolated",
        "Lives alone, one acquaintance, no recent losses, disputes or changes.",
        [PersonFact("n", "Neighbour", 3)],
        [],
        ONSET,
        ["interpersonal_deficits"],
        ["possible"],
    ),
    Vignette(
        "deficits_one_close_person",
        "Only his mother is close; nothing changed around onset.",
        [PersonFact("m", "Mum", 1, support="practical"), PersonFact("c", "Colleague", 3)],
        [],
        ONSET,
        ["interpersonal_deficits"],
        ["possible"],
    ),
    Vignette(
        "deficits_close_but_unsupportive",
        "Two relatives nearby, neither a source of support.",
        [PersonFact("a", "Aunt", 2, support="none"), PersonFact("u", "Uncle", 2, support="none")],
        [],
        ONSET,
        ["interpersonal_deficits"],
        ["possible"],
    ),
    Vignette(
        "no_deficits_when_a_change_fits",
        "Isolated, but lost her job just before onset: the transition fits first.",
        [PersonFact("n", "Neighbour", 3)],
        [EventFact(d("2024-05-01"), "job_change", None, "made redundant")],
        ONSET,
        ["role_transition"],
        ["likely"],
    ),
    Vignette(
        "empty_inventory_points_nowhere",
        "Nothing recorded yet.",
        [],
        [],
        ONSET,
        [],
    ),
    Vignette(
        "well_connected_without_events",
        "A partner and close friends, no conflict and no recent changes.",
        [PersonFact("p", "Partner", 1, support="confiding"), *friends()],
        [],
        ONSET,
        [],
    ),
    Vignette(
        "loss_of_contact_and_other_events_point_nowhere",
        "Lost touch with an old friend and had a car accident; good support otherwise.",
        [PersonFact("o", "Old friend", 3, "ended"), *friends()],
        [
            EventFact(d("2024-05-01"), "loss_of_contact", "o"),
            EventFact(d("2024-05-10"), "other", None, "car accident"),
        ],
        ONSET,
        [],
    ),
    Vignette(
        "narrow_window_setting_excludes_a_move",
        "A move two months before onset with a 30-day window set by the service.",
        friends(),
        [EventFact(d("2024-04-01"), "move")],
        ONSET,
        [],
        settings=FormulationSettings(proximity_days=30),
    ),
]

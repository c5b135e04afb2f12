"""The WHO 8-session group the acceptance tests run, with its hand-computed outcomes.

Nine people are screened; one has a current suicide plan (individual care, never the
group). Eight join: P7 never comes, P8 leaves before session 4, P3 gives a risk answer at
session 5. Session 8 gives the PHQ-9 the programme schedules.

Hand-computed (PHQ-9 baseline -> end; response is a fall of at least half, remission < 5):
  P1 20 -> 8  fall 12  response yes  remission no
  P2 18 -> 4  fall 14  yes           yes
  P3 16 -> 10 fall 6   no (needs 8)  no
  P4 14 -> 3  fall 11  yes           yes
  P5 12 -> 9  fall 3   no            no
  P6 15 -> 7  fall 8   yes (7.5)     no
  P7 22 ->  -  never attended
  P8 11 ->  -  left before session 4
Mean change over the six with both scores: (-12-14-6-11-3-8)/6 = -54/6 = -9.0.
Recovery 4, remission 2 over: enrolled 8 -> 50.0 % and 25.0 %; attended >= 1 (7) -> 57.1 %
and 28.6 %; completed (6) -> 66.7 % and 33.3 %. Retention 6/8 = 75.0 %.
Attendance: rows P1-P6 8 each (48), P7 8, P8 3 = 59; present P1-P4 32, P5 7 (absent at 2),
P6 7 (excused at 6), P8 3 = 49; 49/59 = 83.1 %.
Cost: 8 sessions x 90 min x 2 facilitators = 24 h x 5.00 = 120.00 + 40.00 other = 160.00;
per member treated 160/7 = 22.86; per completer 160/6 = 26.67.
"""

from __future__ import annotations

BASELINES = {"P1": 20, "P2": 18, "P3": 16, "P4": 14, "P5": 12, "P6": 15, "P7": 22, "P8": 11}
ENDS = {"P1": 8, "P2": 4, "P3": 10, "P4": 3, "P5": 9, "P6": 7}
RISK_SESSION, RISK_MEMBER, RISK_TOTAL = 5, "P3", 12
LEAVER, LEAVES_BEFORE = "P8", 4
NEVER_CAME = "P7"
EXCLUDED = "P0"


def status(name: str, number: int) -> str:
    """Return the member's attendance at group session `number`."""
    if name == NEVER_CAME:
        return "absent"
    if name == "P5" and number == 2:
        return "absent"
    if name == "P6" and number == 6:
        return "excused"
    return "present"


EXPECTED = {
    "enrolled": 8,
    "reached": 7,
    "completed": 6,
    "retention": "75.0 %",
    "attendance": ("49", "59", "83.1 %"),
    "rows": {
        "enrolled": (8, 6, "-9.0", (4, 8, "50.0 %"), (2, 8, "25.0 %")),
        "attended": (7, 6, "-9.0", (4, 7, "57.1 %"), (2, 7, "28.6 %")),
        "completed": (6, 6, "-9.0", (4, 6, "66.7 %"), (2, 6, "33.3 %")),
    },
    "cost": ("24.00", "160.00", "22.86", "26.67"),
}

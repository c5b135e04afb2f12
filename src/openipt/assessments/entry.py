"""Questionnaires given in a session, entered one after another from the session form.

"Give PHQ-9 now" on the session form (issue 15) leads to the entry page of the first chosen
questionnaire, linked to that session; each saved entry leads to the next until none is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse

from openipt.measures import get_instrument


def known_codes(codes: Sequence[str]) -> list[str]:
    """Keep the codes of questionnaires that exist, in order, once each."""
    kept: list[str] = []
    for code in codes:
        try:
            get_instrument(code)
        except KeyError:
            continue
        if code not in kept:
            kept.append(code)
    return kept


def entry_chain_url(course_id: int, session_id: int, codes: Sequence[str]) -> str:
    """Return the entry page of the first questionnaire, carrying the session and the rest."""
    first, *rest = known_codes(codes)
    query = {"session": session_id, **({"then": ",".join(rest)} if rest else {})}
    return f"{reverse('assessments:enter', args=[course_id, first])}?{urlencode(query)}"

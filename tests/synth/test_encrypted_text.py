"""The generator writes encrypted fields as the models would: tokens, and blank kept blank."""

from __future__ import annotations

import pytest
from django.db import connection

from openipt.core import crypto

pytestmark = pytest.mark.django_db


def _column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


def test_it_encrypts_the_free_text_it_writes_and_leaves_blank_text_blank(synth):
    from openipt.assessments.models import Alert
    from openipt.courses.models import Goal

    synth(courses=12)
    goals = _column("courses_goal", "text")
    assert goals and all(token.startswith(crypto.TOKEN_PREFIX) for token in goals)
    assert set(_column("courses_session", "notes")) == {""}
    assert set(_column("interpersonal_person", "feelings")) == {""}
    assert all(g.text.startswith("Synthetic goal") for g in Goal.objects.all())
    notes = {a.note for a in Alert.objects.filter(status="resolved")}
    assert notes <= {"Synthetic record made by openipt synth."}

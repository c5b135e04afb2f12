"""Validators shared by every free-text field: hostile bytes never reach the database."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_CONTROL = {"\n", "\r", "\t"}


def no_control_characters(value: str) -> None:
    """Refuse NUL and other control characters (PostgreSQL cannot store NUL in text)."""
    for char in value or "":
        if char in ALLOWED_CONTROL:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ValidationError(
                _("Remove the control character (code %(code)s) from this text."),
                code="control_character",
                params={"code": f"U+{ord(char):04X}"},
            )


def single_line(value: str) -> None:
    """Refuse line breaks in short fields such as names."""
    if "\n" in (value or "") or "\r" in (value or ""):
        raise ValidationError(_("Use a single line here."), code="multi_line")

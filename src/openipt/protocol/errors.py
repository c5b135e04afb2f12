"""Errors raised by the protocol package."""

from __future__ import annotations


class ProtocolContentError(Exception):
    """Raise when a content file is malformed, so a bad file never loads silently."""


class ProtocolError(ValueError):
    """Refuse an action that breaks an IPT rule; ``str()`` is a user-facing sentence."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

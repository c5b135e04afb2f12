"""Bearer personal access tokens for the REST API.

A token is accepted only while it is unrevoked, unexpired and its owner active
(`ApiToken.user_for`); it acts with its owner's current role, which is why a role or password
change ends it (openipt.accounts).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from openipt.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """Authenticate a request as the owner of the bearer token, or not at all (401)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.user_for(token)
        if user is None:
            return None
        request.user = user
        return user

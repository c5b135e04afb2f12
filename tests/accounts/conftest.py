"""Fixtures of the accounts tests: a second admin, and a client signed in as if just now."""

from __future__ import annotations

import time

import pytest

from tests.factories import make_user


@pytest.fixture
def other_admin(cast):
    return make_user(username="adm2", role="admin", display_name="Admin Two")


@pytest.fixture
def reauthed(client):
    """Return a function that signs a user in as if they had just typed their password."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
        return client

    return _login

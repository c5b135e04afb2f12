from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openipt.portal import links
from openipt.portal.models import PortalLink
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def _fresh_client(cast):
    return make_client(
        therapist=cast.therapist, name="New Person", record_number="R-9", email="new@example.org"
    )


def test_it_stores_only_a_digest_of_the_invitation_code(cast):
    issued = links.invite_client(cast.therapist, cast.client)
    stored = PortalLink.objects.get()
    assert stored.digest != issued.secret
    assert issued.secret.replace("-", "") not in stored.digest
    assert len(issued.secret) == 19 and issued.secret.count("-") == 3
    assert issued.url == f"http://127.0.0.1:8000/portal/join/{issued.secret}/"
    assert stored.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)


def test_it_lets_only_the_clients_therapist_invite(cast):
    for actor in (cast.outsider, cast.supervisor, cast.client_user, cast.admin):
        with pytest.raises(PermissionDenied):
            links.invite_client(actor, cast.client)
    assert not PortalLink.objects.exists()


def test_it_withdraws_the_earlier_invitation_when_a_new_one_is_made(cast):
    first = links.invite_client(cast.therapist, cast.client)
    second = links.invite_client(cast.therapist, cast.client)
    with pytest.raises(links.LinkRefused) as refused:
        links.check_link("invitation", first.secret)
    assert refused.value.reason == "withdrawn"
    assert links.check_link("invitation", second.secret).pk == second.link.pk


def test_it_emails_the_invitation_when_asked(cast):
    client = _fresh_client(cast)
    issued = links.invite_client(cast.therapist, client, send_email=True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert issued.url in mail.outbox[0].body and issued.secret in mail.outbox[0].body
    assert PortalLink.objects.get().emailed_to == "new@example.org"


def test_it_refuses_to_email_a_client_without_an_address(cast):
    with pytest.raises(ValidationError) as error:
        links.invite_client(cast.therapist, cast.client, send_email=True)
    assert "e-mail" in str(error.value)
    assert not PortalLink.objects.exists() and not mail.outbox


def test_it_creates_the_account_when_the_invitation_is_redeemed(cast):
    client = _fresh_client(cast)
    issued = links.invite_client(cast.therapist, client)
    code = issued.secret.lower().replace("-", " ")  # typed by hand
    user = links.redeem_invitation(
        code, username="newperson", password1="a long pass 2026", password2="a long pass 2026"
    )
    client.refresh_from_db()
    assert client.user == user and user.role == "client" and user.email == "new@example.org"
    assert user.check_password("a long pass 2026")
    with pytest.raises(links.LinkRefused) as refused:
        links.redeem_invitation(
            issued.secret, username="x", password1="a long pass 2026", password2="a long pass 2026"
        )
    assert refused.value.reason == "used"


def test_it_resets_the_password_of_an_existing_account(cast):
    issued = links.invite_client(cast.therapist, cast.client)
    user = links.redeem_invitation(
        issued.secret,
        username="ignored",
        password1="brand new pass 99",
        password2="brand new pass 99",
    )
    assert user == cast.client_user and user.username == "cli"
    assert user.check_password("brand new pass 99")


@pytest.mark.parametrize(
    ("username", "password1", "password2", "field"),
    [
        ("newperson", "a long pass 2026", "another pass 2026", "password2"),
        ("newperson", "short", "short", "password1"),
        ("cli", "a long pass 2026", "a long pass 2026", "username"),
        ("bad name!", "a long pass 2026", "a long pass 2026", "username"),
        ("", "a long pass 2026", "a long pass 2026", "username"),
    ],
)
def test_it_refuses_bad_account_details_and_keeps_the_invitation(
    cast, username, password1, password2, field
):
    client = _fresh_client(cast)
    issued = links.invite_client(cast.therapist, client)
    with pytest.raises(ValidationError) as error:
        links.redeem_invitation(
            issued.secret, username=username, password1=password1, password2=password2
        )
    assert field in error.value.error_dict
    client.refresh_from_db()
    assert client.user is None
    assert links.check_link("invitation", issued.secret)  # still usable


def test_it_refuses_an_expired_invitation(cast):
    issued = links.invite_client(cast.therapist, cast.client)
    PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(links.LinkRefused) as refused:
        links.check_link("invitation", issued.secret)
    assert refused.value.reason == "expired"


def test_it_refuses_unknown_and_oversized_secrets(cast):
    for secret in ("", "ABCD-EFGH", "x" * 500):
        with pytest.raises(links.LinkRefused) as refused:
            links.check_link("invitation", secret)
        assert refused.value.reason == "unknown"


def test_it_does_not_accept_an_invitation_code_as_a_sign_in_link(cast):
    issued = links.invite_client(cast.therapist, cast.client)
    with pytest.raises(links.LinkRefused):
        links.use_sign_in_link(issued.secret)


def test_it_emails_a_one_time_sign_in_link_to_a_known_address(cast):
    cast.client.email = "carla@example.org"
    cast.client.save()
    assert links.request_sign_in_link("CARLA@example.org") == 1
    assert len(mail.outbox) == 1
    url = next(line for line in mail.outbox[0].body.splitlines() if "/portal/sign-in/" in line)
    token = url.strip().rstrip("/").rsplit("/", 1)[-1]
    assert links.use_sign_in_link(token) == cast.client_user
    with pytest.raises(links.LinkRefused) as refused:
        links.use_sign_in_link(token)
    assert refused.value.reason == "used"


def test_it_sends_nothing_for_an_unknown_address_or_a_staff_address(cast):
    cast.therapist.email = "tom@example.org"
    cast.therapist.save()
    assert links.request_sign_in_link("nobody@example.org") == 0
    assert links.request_sign_in_link("tom@example.org") == 0
    assert not mail.outbox and not PortalLink.objects.exists()


def test_it_limits_sign_in_links_per_hour(cast, settings):
    settings.OPENIPT_PORTAL_SIGN_IN_LINKS_PER_HOUR = 2
    cast.client.email = "carla@example.org"
    cast.client.save()
    sent = [links.request_sign_in_link("carla@example.org") for _ in range(4)]
    assert sent == [1, 1, 0, 0]


def test_it_refuses_an_expired_sign_in_link(cast, settings):
    cast.client.email = "carla@example.org"
    cast.client.save()
    links.request_sign_in_link("carla@example.org")
    token = mail.outbox[0].body.split("/portal/sign-in/")[1].split("/")[0]
    PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(links.LinkRefused) as refused:
        links.use_sign_in_link(token)
    assert refused.value.reason == "expired"


def test_it_refuses_a_sign_in_link_of_a_switched_off_account(cast):
    cast.client.email = "carla@example.org"
    cast.client.save()
    links.request_sign_in_link("carla@example.org")
    token = mail.outbox[0].body.split("/portal/sign-in/")[1].split("/")[0]
    cast.client_user.is_active = False
    cast.client_user.save()
    with pytest.raises(links.LinkRefused):
        links.use_sign_in_link(token)


def test_it_refuses_an_invitation_once_the_record_is_erased(cast):
    from openipt.privacy.erasure import cancel_erasure, erase_client

    client = _fresh_client(cast)
    issued = links.invite_client(cast.therapist, client)
    erase_client(cast.therapist, client)
    with pytest.raises(links.LinkRefused) as refused:
        links.redeem_invitation(
            issued.secret, username="ghost", password1="a long pass 2026",
            password2="a long pass 2026",
        )  # fmt: skip
    assert refused.value.reason == "withdrawn"
    with pytest.raises(ValidationError, match="erased"):
        links.invite_client(cast.therapist, client)
    client.refresh_from_db()
    assert client.user is None
    cancel_erasure(cast.therapist, client)
    assert links.check_link("invitation", issued.secret).client == client

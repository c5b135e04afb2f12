"""Invitations and sign-in links: one-time secrets that expire, kept only as digests.

An invitation is a short code (printable, easy to type: `ABCD-EFGH-JKLM-NPQR`) that the
therapist gives the client; redeeming it creates or re-keys the client's portal account. A
sign-in link is e-mailed on request and signs an existing account in once. Both are refused,
with the reason, when unknown, used, withdrawn or expired.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt import policy
from openipt.accounts.models import User, hash_token
from openipt.accounts.services import create_user
from openipt.clients.models import Client
from openipt.portal import conf
from openipt.portal.models import PortalLink

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0 or 1: easy to read aloud
CODE_LENGTH = 16  # 80 bits
SECRET_MAX = 100


class LinkRefused(Exception):
    """The link cannot be used; `reason` is unknown, used, withdrawn or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    """A new link and its secret, which is shown (or sent) once and never stored."""

    link: PortalLink
    secret: str
    url: str


def new_code() -> str:
    """Return a fresh invitation code in groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """Return the code as stored: upper case, without spaces or dashes."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())[:SECRET_MAX]


def digest_of(kind: str, secret: str) -> str:
    if kind == PortalLink.Kind.INVITATION:
        secret = normalise_code(secret)
    return hash_token(f"{kind}:{secret}")


def invitation_url(code: str, base: str) -> str:
    return base + reverse("portal:join", args=[code])


def sign_in_url(token: str, base: str) -> str:
    return base + reverse("portal:sign_in_link", args=[token])


def invite_client(
    actor, client: Client, *, send_email: bool = False, base_url: str | None = None
) -> IssuedLink:
    """Issue a new invitation (withdrawing any unused one) and optionally e-mail it.

    Its link starts with `base_url`, the address the request came in on (`conf.base_url`),
    or the configured one.
    """
    base = base_url or conf.base_url()
    if not policy.may_write_client(actor, client):
        raise PermissionDenied(_("Only the client's therapist can invite them to the portal."))
    if send_email and not client.email:
        raise ValidationError(
            {"send_email": _("Add the client's e-mail address to their record first.")}
        )
    if _is_erased(client.pk):
        raise ValidationError(_("The client's record is erased, so they cannot be invited."))
    if client.user_id and not client.user.is_active:  # type: ignore[union-attr]
        raise ValidationError(_("The client's portal account is switched off."))
    code = new_code()
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        now = timezone.now()
        client.portal_links.filter(
            kind=PortalLink.Kind.INVITATION, used_at=None, revoked_at=None
        ).update(revoked_at=now)
        link = PortalLink.objects.create(
            client=client,
            kind=PortalLink.Kind.INVITATION,
            digest=digest_of(PortalLink.Kind.INVITATION, code),
            created_by=actor,
            expires_at=now + timedelta(days=conf.invitation_days()),
        )
    issued = IssuedLink(link, code, invitation_url(code, base))
    if send_email:
        _send(issued, client.email, "portal/email/invitation.txt", _("Your invitation"), base)
    return issued


def _send(issued: IssuedLink, address: str, template: str, subject: str, base: str) -> None:
    """E-mail the link; on failure withdraw it so no unsent secret stays valid."""
    from django.conf import settings

    body = render_to_string(
        template,
        {
            "url": issued.url,
            "code": issued.secret,
            "join_url": base + reverse("portal:join_start"),
            "expires_at": issued.link.expires_at,
            "service_name": settings.OPENIPT_SERVICE_NAME,
        },
    )
    try:
        send_mail(f"{settings.OPENIPT_SERVICE_NAME}: {subject}", body, None, [address])
    except OSError as exc:
        log.warning("Portal e-mail to client %s failed: %s", issued.link.client_id, exc)
        PortalLink.objects.filter(pk=issued.link.pk).update(revoked_at=timezone.now())
        raise ValidationError(
            _("The e-mail could not be sent. Print the invitation instead, or try later.")
        ) from None
    PortalLink.objects.filter(pk=issued.link.pk).update(emailed_to=address)


def check_link(kind: str, secret: str, *, lock: bool = False) -> PortalLink:
    """Return the usable link for this secret, or raise LinkRefused saying why not."""
    if not secret or len(secret) > SECRET_MAX:
        raise LinkRefused("unknown")
    query = PortalLink.objects.select_related("client", "client__user")
    if lock:
        query = query.select_for_update(of=("self",))
    link = query.filter(kind=kind, digest=digest_of(kind, secret)).first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.revoked_at is not None:
        raise LinkRefused("withdrawn")
    if link.is_expired:
        raise LinkRefused("expired")
    if _is_erased(link.client_id):  # a link sent before the erasure must not reopen the record
        raise LinkRefused("withdrawn")
    return link


def _is_erased(client_id: int) -> bool:
    return Client.objects.filter(pk=client_id, erasure__isnull=False).exists()


def redeem_invitation(code: str, *, username: str, password1: str, password2: str) -> User:
    """Use the invitation: set the password of the client's account, creating it if needed."""
    with transaction.atomic():
        link = check_link(PortalLink.Kind.INVITATION, code, lock=True)
        client = (
            Client.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=link.client_id)
        )
        user = client.user
        if user is not None and not policy.is_client(user):
            raise ValidationError(_("This portal account is switched off. Ask your therapist."))
        if password1 != password2:
            raise ValidationError({"password2": _("The two passwords are not the same.")})
        candidate = user or User(username=username.strip(), role=User.Role.CLIENT)
        if user is None:
            _check_username(candidate.username)
        try:
            password_validation.validate_password(password1, candidate)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from None
        if user is None:
            user = create_user(
                candidate.username,
                User.Role.CLIENT,
                password1,
                display_name=client.name,
                validate_password=False,
            )
            client.user = user
            client.save(update_fields=["user", "updated_at"])
        else:
            user.set_password(password1)
        if client.email and not user.email:
            user.email = client.email
        user.save()
        now = timezone.now()
        PortalLink.objects.filter(pk=link.pk).update(used_at=now)
        client.portal_links.filter(
            kind=PortalLink.Kind.INVITATION, used_at=None, revoked_at=None
        ).update(revoked_at=now)
    return user


def _check_username(username: str) -> None:
    if not username:
        raise ValidationError({"username": _("Choose a username to sign in with.")})
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationError(
            {"username": _("Use only letters, digits and the characters @ . + - _")}
        ) from None
    if len(username) > 150:
        raise ValidationError({"username": _("Keep the username to 150 characters.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("That username is taken. Choose another.")})


def request_sign_in_link(email: str, base_url: str | None = None) -> int:
    """E-mail a one-time sign-in link to each client account with this address.

    Returns how many were sent, for tests and logs only: the page says the same thing
    whether or not the address is known, so nobody can learn who uses the service.
    """
    email = (email or "").strip()
    if not email or len(email) > 254:
        return 0
    base = base_url or conf.base_url()
    clients = Client.objects.filter(
        user__is_active=True, user__role=User.Role.CLIENT
    ).select_related("user")
    matches = clients.filter(email__iexact=email) | clients.filter(user__email__iexact=email)
    sent = 0
    for client in matches.distinct()[:5]:
        if _sign_in_links_last_hour(client) >= conf.sign_in_links_per_hour():
            continue
        token = secrets.token_urlsafe(32)
        link = PortalLink.objects.create(
            client=client,
            kind=PortalLink.Kind.SIGN_IN,
            digest=digest_of(PortalLink.Kind.SIGN_IN, token),
            expires_at=timezone.now() + timedelta(minutes=conf.sign_in_minutes()),
        )
        try:
            _send(IssuedLink(link, token, sign_in_url(token, base)), email,
                  "portal/email/sign_in.txt", _("Your sign-in link"), base)  # fmt: skip
        except ValidationError:
            continue
        sent += 1
    return sent


def _sign_in_links_last_hour(client: Client) -> int:
    since = timezone.now() - timedelta(hours=1)
    return client.portal_links.filter(kind=PortalLink.Kind.SIGN_IN, created_at__gte=since).count()


def use_sign_in_link(token: str) -> User:
    """Spend the sign-in link and return the account it signs in."""
    with transaction.atomic():
        link = check_link(PortalLink.Kind.SIGN_IN, token, lock=True)
        user = link.client.user
        if user is None or not policy.is_client(user):
            raise LinkRefused("withdrawn")
        PortalLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    return user


def portal_status(client: Client) -> dict[str, object]:
    """Return what the client page shows: the account and the pending invitation."""
    pending = client.portal_links.pending().filter(kind=PortalLink.Kind.INVITATION).first()
    return {"account": client.user, "pending": pending}

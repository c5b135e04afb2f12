"""The client's network address, the same for the lockout, the API limits and the audit.

Behind a reverse proxy every request comes from the proxy, so an address taken from
REMOTE_ADDR alone makes one client's failures everyone's. X-Forwarded-For names the
client, but anyone can send it: it is believed only as far as it was written by a proxy
listed in OPENIPT_TRUSTED_PROXIES. The header is read from the right (the hop our own
proxy appended) and the first address not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_proxies(values: list[str]) -> list[str]:
    """Return the proxy addresses or networks (CIDR) normalised; refuse anything else.

    Called from settings.py, so a typo stops the process at start-up instead of quietly
    trusting nobody (or everybody).
    """
    return [str(network) for network in _networks(tuple(values))]


def client_address(request: HttpRequest) -> str:
    """Return the address of the client that sent this request ("" when unknown)."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    proxies = _networks(tuple(settings.OPENIPT_TRUSTED_PROXIES))
    if not _trusted(peer, proxies):
        return str(peer)  # reached us directly: its X-Forwarded-For is the client's word
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a trusted proxy passed on garbage: stop at the last address we believe
        peer = address
        if not _trusted(address, proxies):
            break
    return str(peer)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"OPENIPT_TRUSTED_PROXIES holds addresses or networks like 10.0.0.0/24: {exc}"
        ) from None


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def _parse(text: str) -> Address | None:
    """Return the address in one hop ("1.2.3.4", "1.2.3.4:80", "[::1]:80"), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port; IPv6 has two colons or more
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # one client, one key, whichever way it connected
    return address

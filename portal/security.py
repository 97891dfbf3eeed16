"""Request facts that security code needs: the real client address.

Every part of the site that keys anything on the client (sign-in throttling, comment rate
limits, security logs) asks `client_ip(request)`, so one setting decides which proxies
are trusted. See docs/security.md, "Client addresses behind a proxy".
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a placeholder value, never bound


def _parse_ip(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _trusted_networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def _is_trusted(address: IPAddress) -> bool:
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXY_IPS))
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For hop our own proxies vouch for.

    X-Forwarded-For is read only when the peer (REMOTE_ADDR) is one of TRUSTED_PROXY_IPS and
    TRUSTED_PROXY_COUNT > 0. Each trusted proxy appends the address it saw, so with N proxies
    the client is the N-th entry from the right; anything further left was written by the
    client and is ignored. A direct connection from anywhere else cannot spoof its address.
    """
    peer = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    fallback = str(peer) if peer is not None else UNKNOWN_IP
    count = settings.TRUSTED_PROXY_COUNT
    # No IP peer means a Unix socket (gunicorn bound to one): only a local process, our proxy, can connect.
    if count <= 0 or (peer is not None and not _is_trusted(peer)):
        return fallback
    forwarded = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not forwarded:
        return fallback
    # chain = [..., client, proxy_1, ..., proxy_{N-1}] + [peer]; the client sits N places left of the peer.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    address = _parse_ip(candidate)
    return str(address) if address is not None else fallback

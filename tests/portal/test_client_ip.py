"""client_ip(): the peer address unless a trusted proxy vouches for the client in X-Forwarded-For."""

import pytest
from django.test import RequestFactory

from portal.security import UNKNOWN_IP, client_ip


def request(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # no proxy configured: the header is ignored
        (1, "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # peer is not a trusted proxy: ignored
        (1, "127.0.0.1", "198.51.100.1", "198.51.100.1"),  # through the local nginx
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own prefix is ignored
        (1, "::1", "2001:db8::7", "2001:db8::7"),
        (1, "127.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        (1, "127.0.0.1", "198.51.100.1:55000", "198.51.100.1"),
        (1, "127.0.0.1", "::ffff:198.51.100.1", "198.51.100.1"),
        (1, "127.0.0.1", "not-an-ip", "127.0.0.1"),  # garbage: fall back to the peer
        (1, "127.0.0.1", "", "127.0.0.1"),
        (2, "127.0.0.1", "6.6.6.6, 198.51.100.1, 192.0.2.10", "198.51.100.1"),  # load balancer + nginx
        (2, "127.0.0.1", "198.51.100.1", "198.51.100.1"),  # fewer hops than proxies: the left-most
    ],
)
def test_client_ip(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(remote, forwarded)) == expected


def test_a_missing_or_broken_peer_address_is_a_placeholder(settings):
    assert client_ip(request("")) == UNKNOWN_IP
    assert client_ip(request("garbage")) == UNKNOWN_IP


def test_behind_a_proxy_on_a_unix_socket_the_forwarded_client_counts(settings):
    # gunicorn bound to a Unix socket sees no peer address; only the local nginx can connect there.
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("", "198.51.100.1")) == "198.51.100.1"
    assert client_ip(request("")) == UNKNOWN_IP


def test_trusted_proxies_are_configurable(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/8"]
    assert client_ip(request("10.1.2.3", "198.51.100.1")) == "198.51.100.1"
    assert client_ip(request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"

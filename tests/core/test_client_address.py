"""Per-address limits behind proxies: the address the outermost trusted proxy saw."""

from django.test import RequestFactory

from peyvand.core.throttle import client_address


def a_request(forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", **extra)


def test_without_proxies_the_peer_counts_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(a_request("203.0.113.9")) == "10.0.0.5"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(a_request("203.0.113.9")) == "203.0.113.9"
    # A client's own forged entry stands to the left of what nginx appended.
    assert client_address(a_request("1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_and_a_short_header(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(a_request("1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"
    assert client_address(a_request("10.0.0.2")) == "10.0.0.5"  # not from the proxies
    assert client_address(a_request()) == "10.0.0.5"

"""A fixed-window rate limit on the cache (per process with the default local-memory
cache; shared across servers once a shared cache such as Redis is configured).

While Redis is down the limits fail open, deliberately: core.cache answers as a miss
(add refused, incr finds no key, get gives nothing), so every attempt is the first of
its window and nothing is exceeded. Failing closed would lock every user out of the
CRM, and the portal's customers out of their codes, for as long as the outage lasts;
a password guesser gains those minutes instead."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _name(key: str) -> str:
    """The cache key for ``key``: hashed, so that any username (Persian letters, spaces,
    a thousand characters) makes a key every cache backend accepts."""
    return "throttle:" + hashlib.sha256(key.encode(errors="surrogatepass")).hexdigest()


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one attempt under ``key``; False once more than ``limit`` were made in the
    current window."""
    name = _name(key)
    if cache.add(name, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: a new window
        cache.add(name, 1, timeout=window_seconds)
        return True
    return count <= limit


def client_address(request) -> str:
    """The client's address: the peer's, or behind TRUSTED_PROXIES proxies (nginx, a
    load balancer, each appending the address it saw to X-Forwarded-For), the address
    the outermost trusted proxy saw. Entries further left are the client's to forge."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def exceeded(key: str, *, limit: int) -> bool:
    """Whether ``key`` has already used up its ``limit`` in the current window (counting
    nothing: for limits on failures, checked before the attempt)."""
    return (cache.get(_name(key)) or 0) >= limit

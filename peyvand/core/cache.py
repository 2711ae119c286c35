"""The Redis cache (REDIS_URL) that a Redis outage cannot turn into 500s.

Redis holds nothing that is not also somewhere else or safe to lose: the throttles'
counters (core.throttle), the cached copies of sessions (cached_db keeps every session
in the database) and /health/'s probes. So while Redis fails, every cache operation
answers as a miss — get gives the default, set/add/delete change nothing, incr finds no
key — and the callers' own miss handling keeps the site working:
- cached_db sessions read and write the database (a miss loads from it; saves and
  deletes go to it first, then to the cache);
- core.throttle fails open: add is refused, incr finds no key, so every attempt counts
  as the first of a new window (see throttle.allow).

A per-process circuit breaker skips Redis for BREAKER_SECONDS after a failure, so a hung
Redis costs one socket timeout per few seconds per process instead of one per cache call
(a page makes several). The outage is logged once, when it starts, and once when it ends.

Writes skipped during an outage leave Redis stale: after a partition Redis still holds
the cached copy of a session that was logged out (or changed) meanwhile in the database,
and would serve it again. So the first operation after an outage in which this process
skipped a write or a delete empties the cache first (FLUSHDB: it holds only what is
listed above; the throttles' windows start afresh). Not covered: a process that never
lost Redis (a partition that cut off only some app servers) may read such a stale copy
until the cut-off process reaches Redis again and empties it. Ending a user's sessions
(accounts.services.end_sessions) holds even then: it is checked against the database.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0


class Breaker:
    """One per Redis location per process. Django builds a cache object per thread, so
    the state lives here, shared by the threads, not on the cache object."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.open_until: float | None = None  # None: closed, Redis is used
        self.stale = False  # a write or delete was skipped since Redis last answered
        self.failures = 0  # Redis errors met by this process (timeouts among them)

    def allows(self) -> bool:
        """Whether this call may try Redis. Once the pause is over, one caller tries
        (the others keep skipping for another pause), so threads do not all wait out a
        hung Redis's timeout together."""
        with self.lock:
            if self.open_until is None:
                return True
            now = time.monotonic()
            if now < self.open_until:
                return False
            self.open_until = now + self.seconds
            return True

    def failed(self, error: RedisError) -> None:
        with self.lock:
            self.failures += 1
            starts = self.open_until is None
            self.open_until = time.monotonic() + self.seconds
        if starts:
            # The error's class and text (host and port at most), never REDIS_URL:
            # it may hold Redis's password.
            logger.warning(
                "Redis unreachable (%s: %s); the cache answers as a miss for now",
                type(error).__name__,
                error,
            )

    def skipped_write(self) -> None:
        with self.lock:
            self.stale = True

    def answered(self) -> None:
        with self.lock:
            ended = self.open_until is not None
            self.open_until = None
        if ended:
            logger.warning("Redis answers again; the cache is in use")


_breakers: dict[tuple[str, ...], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(servers: list[str], seconds: float) -> Breaker:
    with _breakers_lock:
        return _breakers.setdefault(tuple(servers), Breaker(seconds))


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, *, breaker: Breaker, **options):
        super().__init__(servers, **options)
        self.breaker = breaker

    def _guarded(self, operation: Callable[[], Any], miss: Callable[[], Any], *, writes: bool):
        breaker = self.breaker
        if not breaker.allows():
            if writes:
                breaker.skipped_write()
            return miss()
        try:
            if breaker.stale:
                # Before anything is read or written: see the module's docstring. Under
                # the lock, so a write skipped by another thread meanwhile is not lost.
                with breaker.lock:
                    if breaker.stale:
                        self.get_client(write=True).flushdb()
                        breaker.stale = False
                        logger.warning(
                            "Redis emptied: writes were skipped while it was unreachable"
                        )
            answer = operation()
        except (RedisConnectionError, RedisTimeoutError) as error:
            # Redis away or hung: an outage. Its other errors (a full Redis refusing
            # writes, a wrong type) are a misconfiguration to see, not to hide.
            if writes:
                breaker.skipped_write()
            breaker.failed(error)
            return miss()
        breaker.answered()
        return answer

    def add(self, key, value, timeout):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).add(key, value, timeout),
            lambda: False,
            writes=True,
        )

    def get(self, key, default):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).get(key, default),
            lambda: default,
            writes=False,
        )

    def set(self, key, value, timeout):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).set(key, value, timeout),
            lambda: None,
            writes=True,
        )

    def touch(self, key, timeout):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).touch(key, timeout),
            lambda: False,
            writes=True,
        )

    def delete(self, key):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).delete(key),
            lambda: False,
            writes=True,
        )

    def get_many(self, keys):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).get_many(keys),
            dict,
            writes=False,
        )

    def has_key(self, key):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).has_key(key),
            lambda: False,
            writes=False,
        )

    def incr(self, key, delta):
        def missing():
            raise ValueError(f"Key '{key}' not found.")

        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).incr(key, delta),
            missing,
            writes=True,
        )

    def set_many(self, data, timeout):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).set_many(data, timeout),
            lambda: None,
            writes=True,
        )

    def delete_many(self, keys):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).delete_many(keys),
            lambda: None,
            writes=True,
        )

    def clear(self):
        return self._guarded(
            lambda: super(ResilientRedisCacheClient, self).clear(),
            lambda: False,
            writes=True,
        )


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering as a miss while Redis fails (see the module's
    docstring). OPTIONS may hold `breaker_seconds` (default 5) besides redis-py's
    connection options."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options = dict(self._options)
        seconds = float(self._options.pop("breaker_seconds", BREAKER_SECONDS))
        self._class = ResilientRedisCacheClient
        self._options["breaker"] = breaker_for(self._servers, seconds)
        self._params = params

    @property
    def breaker(self) -> Breaker:
        return self._options["breaker"]

    @cached_property
    def unguarded(self) -> RedisCache:
        """The same Redis without the breaker, for /health/: it must see Redis itself
        (within the socket timeout), not the breaker's misses."""
        options = {k: v for k, v in self._options.items() if k != "breaker"}
        return RedisCache(self._servers, {**self._params, "OPTIONS": options})

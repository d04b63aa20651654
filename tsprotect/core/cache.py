"""The shared cache when Redis is away: a miss, not a server error.

Django's ``RedisCache`` raises on a connection error, and every page reads the cache (the
region choices of the filter bars, the unread notification count, the rate limits). Everything
the portal keeps there can be computed again from the database, so while Redis is unreachable
``DegradingRedisCache`` answers as an empty cache that keeps nothing: reads miss, writes are
dropped, ``add`` and ``incr`` fail the way a missing key does. The rate limits then let requests
through (``RATELIMIT_FAIL_OPEN``); the login lockout, on the database, still holds. Each process
logs the outage once a minute at most. Redis-py reconnects by itself on the next call once Redis
is back.
"""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY = 60  # seconds
_last_logged = 0.0


def _log(operation, error):
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        logger.warning("Cache unavailable (%s: %s); serving without it", operation, error)


def _degrading(method, fallback):
    """``method``, answering ``fallback(*args, **kwargs)`` when Redis cannot be reached."""

    @wraps(method)
    def wrapped(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OUTAGE_ERRORS as error:
            _log(method.__name__, error)
            return fallback(*args, **kwargs)

    return wrapped


def _missing_key(key, *args, **kwargs):
    # What incr/decr raise for a key that is not there; django-ratelimit reads it as "no count".
    raise ValueError(f"Key {key!r} not found (cache unavailable)")


class DegradingRedisCache(RedisCache):
    get = _degrading(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _degrading(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _degrading(RedisCache.has_key, lambda *args, **kwargs: False)
    add = _degrading(RedisCache.add, lambda *args, **kwargs: False)
    set = _degrading(RedisCache.set, lambda *args, **kwargs: None)
    set_many = _degrading(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    touch = _degrading(RedisCache.touch, lambda *args, **kwargs: False)
    delete = _degrading(RedisCache.delete, lambda *args, **kwargs: False)
    delete_many = _degrading(RedisCache.delete_many, lambda *args, **kwargs: None)
    incr = _degrading(RedisCache.incr, _missing_key)

"""Tracked-link clicks: counted without slowing the redirect, without storing who clicked.

The redirect only appends ``(share_id, time, visitor)`` to a list in its own process: no network, no
database, no lock held for longer than an append. A daemon thread of the web process empties that list every
``THREAD_EVERY_SECONDS`` (sooner once ``THREAD_BATCH`` clicks wait):

* with ``REDIS_URL`` (production), into a Redis list with one ``RPUSH`` of one element per batch (the
  batch as one JSON array), which the beat task ``flush_link_clicks`` drains into the
  database every 10 s in batches of ``BATCH``; web processes never
  write clicks to the database, so a slow database never slows a redirect;
* without Redis (the demo), straight into the database, one multi-row ``INSERT`` per batch;
* if Redis cannot be reached, into the database too, rather than lose them.

The trade-off, decided: a web process killed hard (SIGKILL, out of memory) loses the clicks of its last
second at most; a normal stop (gunicorn's graceful shutdown, a deploy) flushes them (``atexit``). Clicks are
a reach estimate for advisers and HR, not a regulatory record (nothing of them goes to the archive), and
one round trip per click instead of per batch made the redirect 0.6x a bare Django view. Under the test
runner there is no thread: the request that finds the buffer due flushes it inline, and tests call
``flush()``.

``visitor`` is a truncated SHA-256 of (daily salt, IP, user agent). The salt is random, lives in the cache
for two days and is never stored in the database, so yesterday's hashes cannot be linked back to an IP even
with the database and the code. Distinct visitors per share are therefore distinct visitor-days: an
estimate, which is all the page claims. Link-preview bots and crawlers are not counted at all.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

REDIS_KEY = "relais:link-clicks"
BATCH = 1000
DRAIN_ITEMS = 20  # Redis list elements read at once by the drain: each a batch (or, pushed before, one click)
MAX_AGE_SECONDS = 5.0
# The web process's flushing thread: at most once a second, sooner past THREAD_BATCH clicks. Each flush
# has a fixed cost (a lookup of the shares, a transaction and its commit without Redis): 200 made it flush
# ~6 times a second per busy process, which cost the demo's redirect 8% of its throughput; 1,000 keeps a
# flush short enough (a few ms) for the p99.
THREAD_BATCH = 1000
THREAD_EVERY_SECONDS = 1.0

BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|embedly|quora link|outbrain|"
    r"pinterest|vkshare|w3c_validator|whatsapp|telegram|skype|slack|discord|redditbot|linkedin|"
    r"bitlybot|tumblr|nuzzel|flipboard|google-inspectiontool|headlesschrome|lighthouse|curl|wget|"
    r"python-requests|python-urllib|httpclient|go-http-client|okhttp|axios|node-fetch|scrapy|feedfetcher",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Memoised: real traffic comes from a few thousand distinct user agents, and the regex is the
    dearest step of a redirect."""
    return not user_agent or bool(BOT_RE.search(user_agent))


SALT_RECHECK_SECONDS = 300.0
_salt_memo: dict[int, tuple[bytes, float]] = {}  # UTC day number -> (salt, fetched at (monotonic))


def _daily_salt(day: int) -> bytes:
    """The salt of UTC day number ``day``, from the shared cache (one per day for every process),
    remembered in this process for ``SALT_RECHECK_SECONDS`` so that a redirect pays no cache round trip."""
    memo = _salt_memo.get(day)
    if memo is not None and time.monotonic() - memo[1] < SALT_RECHECK_SECONDS:
        return memo[0]
    key = f"relais:link-salt:{dt.date.fromordinal(EPOCH_ORDINAL + day).isoformat()}"
    salt = cache.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(16), timeout=2 * 86400)
        salt = cache.get(key)
    if len(_salt_memo) > 3:
        _salt_memo.clear()
    _salt_memo[day] = (salt.encode(), time.monotonic())
    return _salt_memo[day][0]


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def visitor_hash(ip: str, user_agent: str, *, now: dt.datetime | None = None) -> str:
    """Truncated SHA-256 of (the UTC day's salt, IP, user agent). The day comes from ``time.time()``
    (integer division, no datetime built on the redirect's path)."""
    seconds = now.timestamp() if now is not None else time.time()
    salt = _daily_salt(int(seconds // 86400))
    return hashlib.sha256(b"%s|%s|%s" % (salt, ip.encode(), user_agent.encode())).hexdigest()[:32]


# --- buffer ------------------------------------------------------------------------------------------------
_redis_client = None
_local: list[tuple[int, float, str]] = []
_local_lock = threading.Lock()
_local_since = time.monotonic()


def _redis():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _redis_client


def record_click(share_id: int, visitor: str) -> None:
    """Buffer one click in this process. Never raises, never waits on the network or the database."""
    entry = (share_id, time.time(), visitor)
    with _local_lock:
        _local.append(entry)
        waiting = len(_local)
    if _background_flush():
        if waiting == THREAD_BATCH:  # once per batch: ``Event.set`` takes a lock and notifies
            _wake.set()
        return
    if waiting >= BATCH or time.monotonic() - _local_since >= MAX_AGE_SECONDS:
        _flush_local()


_flusher: threading.Thread | None = None
_wake = threading.Event()


def _forget_flusher() -> None:
    """In a forked child (a gunicorn worker forked from a master that had clicked, a test's subprocess): the
    parent's thread did not come along, so the child's first click starts its own."""
    global _flusher
    _flusher = None


os.register_at_fork(after_in_child=_forget_flusher)


def _background_flush() -> bool:
    """Start this process's flushing thread once (again after a fork: ``_forget_flusher``); False under the
    test runner. The usual case, the thread running, is one global read: no ``os.getpid()`` per click (a
    system call, ~0.8 us)."""
    global _flusher
    if _flusher is not None:  # running: the redirect's usual case
        return True
    if settings.TESTING:
        return False
    with _local_lock:
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_forever, name="link-clicks", daemon=True)
            _flusher.start()
    return True


def _flush_forever() -> None:
    from django.db import connection

    while True:
        _wake.wait(THREAD_EVERY_SECONDS)
        _wake.clear()
        if _local:
            _flush_local()
            connection.close()  # this thread's own connection, if it wrote: not kept between flushes


def _write(entries: list[tuple[int, float, str]]) -> int:
    """One INSERT of many rows (``executemany``, no model instances: without Redis this runs in the web
    process beside live redirects and holds the GIL for as long as it builds rows). Clicks on shares that no
    longer exist are dropped.

    Raw on purpose: ``ShareClick.objects.bulk_create`` of the same batch cost 39 µs of CPU per click on SQLite
    against 11 µs here, 26 against 19 on PostgreSQL (1,000 clicks, median of 15, 2026-12-02), and the
    in-process flush is what keeps the tracked link within 10 % of a bare redirect (bench/README.md)."""
    from django.db import connection, transaction

    from advocacy.shares.models import Share

    if not entries:
        return 0
    known = set(Share.objects.filter(pk__in={e[0] for e in entries}).values_list("pk", flat=True))
    as_db_value = _datetime_adapter(connection.vendor)
    rows = [(share_id, as_db_value(at), visitor) for share_id, at, visitor in entries if share_id in known]
    if rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_insert_sql(), rows)
    return len(rows)


def _datetime_adapter(vendor: str):
    """A Unix time as the database stores ``clicked_at``, what ``DateTimeField.get_db_prep_save`` returns
    without its per-value checks (a third of the flushing thread's time): SQLite keeps naive UTC text
    (``str(datetime)``, as Django's SQLite backend writes it), the other backends take an aware datetime."""
    if vendor == "sqlite":
        return lambda at: str(dt.datetime.fromtimestamp(at, tz=dt.UTC).replace(tzinfo=None))
    return lambda at: dt.datetime.fromtimestamp(at, tz=dt.UTC)


@functools.cache
def _insert_sql() -> str:
    from advocacy.shares.models import ShareClick

    meta = ShareClick._meta
    columns = ", ".join(meta.get_field(name).column for name in ("share", "clicked_at", "visitor"))
    return f"INSERT INTO {meta.db_table} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 - names from the model


def _flush_local() -> int:
    """Hand this process's buffered clicks on: to Redis in one ``RPUSH`` (production), else, or if Redis
    fails, to the database. Returns how many reached the database now (0 when they went to Redis)."""
    global _local_since
    with _local_lock:
        entries = _local[:]
        _local.clear()
        _local_since = time.monotonic()
    if not entries:
        return 0
    if settings.REDIS_URL:
        try:
            _redis().rpush(REDIS_KEY, json.dumps(entries))  # one element, one json.dumps: ~0.7 µs a click
            return 0
        except Exception:  # Redis down: write them ourselves rather than lose them
            logger.warning("link clicks: Redis unavailable, writing %s clicks to the database", len(entries))
    try:
        return _write(entries)
    except Exception:
        logger.exception("link clicks: could not write %s buffered clicks", len(entries))
        return 0


def _decoded(item: bytes) -> list[tuple[int, float, str]]:
    """A Redis list element: a batch (one JSON array), or one click as pushed before batches were."""
    value = json.loads(item)
    if value and isinstance(value[0], list):
        return [tuple(entry) for entry in value]
    return [tuple(value)]


def discard_buffered() -> int:
    """Drop this process's buffered clicks unwritten; returns how many. For the test runner, between tests:
    a click buffered by one test must not be written into the next one's database, where (on SQLite, whose
    ids restart after a rollback) its share id may name another share."""
    with _local_lock:
        n = len(_local)
        _local.clear()
    return n


def flush() -> int:
    """Write every buffered click (the beat task; tests call it directly). Returns how many were written."""
    written = _flush_local()
    if settings.REDIS_URL:
        client = _redis()
        while True:
            raw = client.lpop(REDIS_KEY, DRAIN_ITEMS)
            if not raw:
                break
            entries = [entry for item in raw for entry in _decoded(item)]
            for start in range(0, len(entries), BATCH):
                written += _write(entries[start : start + BATCH])
    return written


atexit.register(_flush_local)

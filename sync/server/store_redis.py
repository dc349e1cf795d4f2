"""The shared state on the Redis server that holds huey's queue (many servers and workers).

Keys live under `salesops:`; each read-modify-write is one MULTI block or one Lua script,
so it is atomic whichever machine runs it. Expiries (events, leases) are Redis's own, so
the machines' clocks do not matter for them.
"""

from __future__ import annotations

from typing import Any

from sync.server.store import EVENT_MEMORY_SECONDS, Pending, dump, load

PREFIX = "salesops:"
PENDING_SET = PREFIX + "pending"

_BEGIN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HDEL', KEYS[1], 'first_at')
return redis.call('HGET', KEYS[1], 'generation')
"""
_FINISH = """
if redis.call('HGET', KEYS[1], 'generation') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'not_before', 0, 'attempts', 0)
end
return 0
"""
_POSTPONE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'not_before', ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'attempts', 1)
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _pending_key(spreadsheet_id: str) -> str:
    return f"{PREFIX}pending:{spreadsheet_id}"


def _lease_key(spreadsheet_id: str) -> str:
    return f"{PREFIX}lease:{spreadsheet_id}"


def _milliseconds(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisStore:
    """The queue's shared state next to huey's keys, on the same Redis connection pool."""

    kind = "redis"

    def __init__(self, connection: Any) -> None:
        self.redis = connection
        self._begin = connection.register_script(_BEGIN)
        self._finish = connection.register_script(_FINISH)
        self._postpone = connection.register_script(_POSTPONE)
        self._renew = connection.register_script(_RENEW)
        self._release = connection.register_script(_RELEASE)

    def remember_event(self, event_id: str, now: float, queue: str | None = None) -> bool:
        """Record an event id (and its edit on `queue`, when new); False when seen before."""
        key = f"{PREFIX}event:{event_id}"
        new = bool(self.redis.set(key, b"1", nx=True, ex=EVENT_MEMORY_SECONDS))
        if new and queue is not None:
            self.mark_edit(queue, now)
        return new

    def mark_edit(self, spreadsheet_id: str, now: float) -> None:
        """Note an edit waiting for a recompute."""
        key = _pending_key(spreadsheet_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hsetnx(key, "first_at", repr(now))
        pipe.hset(key, "last_at", repr(now))
        pipe.hincrby(key, "generation", 1)
        pipe.sadd(PENDING_SET, spreadsheet_id)
        pipe.execute()

    def pending(self) -> list[Pending]:
        """Every spreadsheet with waiting edits."""
        ids = sorted(member.decode() for member in self.redis.smembers(PENDING_SET))
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for spreadsheet_id in ids:
            pipe.hgetall(_pending_key(spreadsheet_id))
        found = []
        for spreadsheet_id, fields in zip(ids, pipe.execute(), strict=True):
            if not fields or b"last_at" not in fields:
                continue
            first = fields.get(b"first_at")
            found.append(
                Pending(
                    spreadsheet_id,
                    float(first) if first else None,
                    float(fields[b"last_at"]),
                    int(fields.get(b"generation", 0)),
                    float(fields.get(b"not_before", 0)),
                    int(fields.get(b"attempts", 0)),
                )
            )
        return found

    def begin(self, spreadsheet_id: str) -> int | None:
        """Start a recompute: the generation it will see (None when nothing waits)."""
        generation = self._begin(keys=[_pending_key(spreadsheet_id)])
        return int(generation) if generation is not None else None

    def finish(self, spreadsheet_id: str, generation: int) -> bool:
        """Drop the pending marker if no edit came since `begin`; True when dropped."""
        keys = [_pending_key(spreadsheet_id), PENDING_SET]
        return bool(self._finish(keys=keys, args=[str(generation), spreadsheet_id]))

    def postpone(self, spreadsheet_id: str, not_before: float) -> int:
        """Retry after a transient failure no sooner than `not_before`; the attempts so far."""
        return int(self._postpone(keys=[_pending_key(spreadsheet_id)], args=[repr(not_before)]))

    def acquire_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Take the spreadsheet's lease unless another live one holds it."""
        key = _lease_key(spreadsheet_id)
        return bool(self.redis.set(key, token, nx=True, px=_milliseconds(seconds)))

    def renew_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Extend a lease this token holds; False when it was lost."""
        args = [token, _milliseconds(seconds)]
        return bool(self._renew(keys=[_lease_key(spreadsheet_id)], args=args))

    def release_lease(self, spreadsheet_id: str, token: str) -> None:
        """Give a lease back (nothing happens if the token no longer holds it)."""
        self._release(keys=[_lease_key(spreadsheet_id)], args=[token])

    def lease_holder(self, spreadsheet_id: str, now: float) -> str | None:
        """The token holding a live lease, or None."""
        token = self.redis.get(_lease_key(spreadsheet_id))
        return token.decode() if token else None

    def read_status(self, spreadsheet_id: str) -> dict[str, Any]:
        """The stored status record ({} when none)."""
        return load(self.redis.get(f"{PREFIX}status:{spreadsheet_id}"))

    def write_status(self, spreadsheet_id: str, record: dict[str, Any]) -> None:
        """Replace the stored status record."""
        self.redis.set(f"{PREFIX}status:{spreadsheet_id}", dump(record))

    def counts(self, now: float) -> dict[str, int]:
        """How many spreadsheets wait and how many leases are live (for /healthz)."""
        leased = sum(1 for _ in self.redis.scan_iter(match=f"{PREFIX}lease:*", count=500))
        return {"pending": int(self.redis.scard(PENDING_SET)), "leased": leased}

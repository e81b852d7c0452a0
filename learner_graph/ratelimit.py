"""Per-key rate limits: a token bucket in Redis shared by every replica, a per-process one without it.

Each API key (and each learner token's learner) has a bucket of `burst` requests refilled at
`rate` per second. Redis runs the bucket as one Lua script on its own clock, so replicas agree;
while Redis is down each process keeps its own buckets (the limit then holds per process).

A process takes a bucket's tokens in blocks (a lease) and spends them itself: one Redis call per
block, not per request. A block is at most `lease` tokens and a sixteenth of the burst (a bucket
of burst < 32 is taken one token at a time, as before). Nothing is admitted that Redis did not
grant, so over any window a key gets at most what its bucket allows plus the tokens the processes
held at the window's start: under (block - 1) a process (at the defaults 31 of a burst of 2,000,
1.6%, a worker). A process may refuse a request while another holds up to block - 1 of the key's
tokens; a refusal always comes from Redis's own count, with its `Retry-After`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from learner_graph.cache import Cache, decoded
from learner_graph.errors import DomainError

# The bucket of KEYS[1] (ARGV[1] tokens wanted, ARGV[2] rate, ARGV[3] burst) on Redis's clock:
# `granted` (at most the whole tokens it holds; none when nothing is wanted) and `tokens` left.
_TAKE = """
local want = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local granted = math.max(0, math.min(want, math.floor(tokens)))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
"""
BUCKET = _TAKE + "return {granted, tostring(tokens)}\n"

# The bucket, then the version token of each of KEYS[2..] (`db/versions.py`: a missing one is set to
# its candidate ARGV[i + 3], ARGV[4] the tokens' TTL): the caller's limit and the learner's tokens in
# one round trip, as the recommendation route needs both.
BUCKET_AND_TOKENS = _TAKE + """
local out = {granted, tostring(tokens)}
for i = 2, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    token = ARGV[i + 3]
    redis.call('SET', KEYS[i], token, 'EX', ARGV[4])
  end
  out[i + 1] = token
end
return out
"""
LEASE_SHARE = 16  # a block is at most this fraction of a bucket's burst
MAX_LEASES = 10_000  # buckets a process holds tokens of; past it the leases are dropped (never over-admits)


@dataclass(frozen=True)
class Limit:
    rate: float  # requests per second, refilled continuously
    burst: int  # bucket size


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: Limit
    remaining: float

    def headers(self) -> dict[str, str]:
        """`RateLimit-*` (IETF draft) and, when refused, `Retry-After`, in whole seconds."""
        reset = (self.limit.burst - self.remaining) / self.limit.rate
        headers = {
            "RateLimit-Limit": str(self.limit.burst),
            "RateLimit-Remaining": str(math.floor(self.remaining)),
            "RateLimit-Reset": str(math.ceil(reset)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil((1 - self.remaining) / self.limit.rate)))
        return headers


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, verdict: Verdict) -> None:
        super().__init__("too many requests for this key; retry after the Retry-After seconds")
        self.verdict = verdict


class RateLimiter:
    """One per process; `hit` is called once per authenticated request.

    `lease`: the most tokens of a bucket taken from Redis in one call (1: one call a request)."""

    def __init__(self, cache: Cache, *, lease: int = 1) -> None:
        self.cache = cache
        self.lease = lease
        self.script = cache.client.register_script(BUCKET)
        self._with_tokens = cache.client.register_script(BUCKET_AND_TOKENS)
        self._local: dict[str, tuple[float, float]] = {}  # name -> (tokens, at), while Redis is down
        self._leased: dict[str, int] = {}  # name -> tokens Redis granted this process, not yet spent

    def block(self, limit: Limit) -> int:
        """How many tokens of a bucket of `limit` one Redis call takes."""
        return max(1, min(self.lease, limit.burst // LEASE_SHARE))

    async def hit(self, name: str, limit: Limit) -> Verdict:
        """Take one token from `name`'s bucket; raise RateLimited when it is empty."""
        if self._spend(name):
            return Verdict(allowed=True, limit=limit, remaining=float(self._leased.get(name, 0)))
        args = [self.block(limit), limit.rate, limit.burst]
        answer = await self.cache.run(self.script, [f"rl:{name}"], args)
        return self._verdict(name, limit, answer)

    async def hit_reading(
        self, name: str, limit: Limit, keys: list[str], read_args: list[object]
    ) -> tuple[str, ...] | None:
        """`hit`, and in the same Redis round trip the version token of each of `keys` (`read_args`:
        `Versions.read_args`, the TTL and a candidate per key); None for them when Redis is down."""
        spent = self._spend(name)
        args = [0 if spent else self.block(limit), limit.rate, limit.burst, *read_args]
        answer = await self.cache.run(self._with_tokens, [f"rl:{name}", *keys], args)
        if not spent:
            self._verdict(name, limit, answer)
        return None if answer is None else tuple(decoded(t) for t in answer[2:])

    def _spend(self, name: str) -> bool:
        """Spend one of the tokens this process holds for `name`, if it holds any."""
        held = self._leased.get(name, 0)
        if held <= 0:
            return False
        if held == 1:
            del self._leased[name]
        else:
            self._leased[name] = held - 1
        return True

    def _verdict(self, name: str, limit: Limit, answer: Any | None) -> Verdict:
        """Redis's answer (the process's own bucket when there is none); RateLimited when refused.
        Tokens granted beyond this request's one are kept for the next requests of `name`."""
        if answer is None:
            verdict = self._hit_locally(name, limit)
        else:
            granted = int(answer[0])
            if granted > 1:
                if len(self._leased) >= MAX_LEASES:
                    self._leased.clear()  # dropping held tokens only ever refuses more, never less
                self._leased[name] = self._leased.get(name, 0) + granted - 1
            # Refused, but a concurrent request's block may have come back meanwhile: spend from it.
            allowed = granted >= 1 or self._spend(name)
            verdict = Verdict(allowed=allowed, limit=limit, remaining=float(answer[1]))
        if not verdict.allowed:
            raise RateLimited(verdict)
        return verdict

    def _hit_locally(self, name: str, limit: Limit) -> Verdict:
        now = time.monotonic()
        tokens, at = self._local.get(name, (float(limit.burst), now))
        tokens = min(limit.burst, tokens + (now - at) * limit.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._local[name] = (tokens, now)
        return Verdict(allowed=allowed, limit=limit, remaining=tokens)

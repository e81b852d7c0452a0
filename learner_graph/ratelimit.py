"""Per-key rate limits: a token bucket in Redis shared by every replica, a per-process one without it.

Each API key (and each learner token's learner) has a bucket of `burst` requests refilled at
`rate` per second. Redis runs the bucket as one Lua script on its own clock, so replicas agree;
while Redis is down each process keeps its own buckets (the limit then holds per process).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from learner_graph.cache import Cache, decoded
from learner_graph.errors import DomainError

# The bucket of KEYS[1] (ARGV[1] rate, ARGV[2] burst) on Redis's clock: `allowed` and `tokens` left.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
"""
BUCKET = _TAKE + "return {allowed, tostring(tokens)}\n"

# The bucket, then the version token of each of KEYS[2..] (`db/versions.py`: a missing one is set to
# its candidate ARGV[i + 2], ARGV[3] the tokens' TTL): the caller's limit and the learner's tokens in
# one round trip, as the recommendation route needs both.
BUCKET_AND_TOKENS = _TAKE + """
local out = {allowed, tostring(tokens)}
for i = 2, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    token = ARGV[i + 2]
    redis.call('SET', KEYS[i], token, 'EX', ARGV[3])
  end
  out[i + 1] = token
end
return out
"""


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
    """One per process; `hit` is called once per authenticated request."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.script = cache.client.register_script(BUCKET)
        self._with_tokens = cache.client.register_script(BUCKET_AND_TOKENS)
        self._local: dict[str, tuple[float, float]] = {}  # name -> (tokens, at), while Redis is down

    async def hit(self, name: str, limit: Limit) -> Verdict:
        """Take one token from `name`'s bucket; raise RateLimited when it is empty."""
        answer = await self.cache.run(self.script, [f"rl:{name}"], [limit.rate, limit.burst])
        return self._verdict(name, limit, answer)

    async def hit_reading(
        self, name: str, limit: Limit, keys: list[str], read_args: list[object]
    ) -> tuple[str, ...] | None:
        """`hit`, and in the same Redis round trip the version token of each of `keys` (`read_args`:
        `Versions.read_args`, the TTL and a candidate per key); None for them when Redis is down."""
        args = [limit.rate, limit.burst, *read_args]
        answer = await self.cache.run(self._with_tokens, [f"rl:{name}", *keys], args)
        self._verdict(name, limit, answer)
        return None if answer is None else tuple(decoded(t) for t in answer[2:])

    def _verdict(self, name: str, limit: Limit, answer: Any | None) -> Verdict:
        """Redis's answer (the process's own bucket when there is none); RateLimited when refused."""
        if answer is None:
            verdict = self._hit_locally(name, limit)
        else:
            verdict = Verdict(allowed=bool(int(answer[0])), limit=limit, remaining=float(answer[1]))
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

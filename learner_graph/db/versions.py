"""Version tokens in Redis: how one process's caches see the writes other processes made.

Every write that changes what a learner's recommendation reads about them (attempts, feedback,
profile edits, deletion, the day's goal fixed by a recommendation) or the content sets a fresh
token for what it changed, after its commit and before it answers (`Graph.changed`). A cache
keeps what it read under the tokens it saw *before* reading, and serves it only while they are
unchanged, so a learner's acknowledged write is seen by their next request on any worker.

Tokens are random, never counters: after Redis loses its data no old token comes back. With
Redis down there are no tokens and nothing is served from a cache. A bump that failed is retried
by this process before it trusts a token again (other processes cannot know of it: docs/SCALING.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NamedTuple

from learner_graph.cache import Cache, decoded

TOKEN_TTL_S = 7 * 24 * 3600  # an idle learner's token expires; the next read makes a new one
CONTENT = "v:content"

# Each key's token; a missing one is set to the candidate given for it (one round trip).
_READ = """
local out = {}
for i, key in ipairs(KEYS) do
  local token = redis.call('GET', key)
  if not token then
    token = ARGV[i]
    redis.call('SET', key, token, 'EX', ARGV[#KEYS + 1])
  end
  out[i] = token
end
return out
"""

# A fresh token for every key; each key's token before it ('' when it had none).
_BUMP = """
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('GET', key) or ''
  redis.call('SET', key, ARGV[i], 'EX', ARGV[#KEYS + 1])
end
return out
"""


class Bumped(NamedTuple):
    """A key's token before a bump (None: it had none) and the one the bump set."""

    before: str | None
    after: str


def learner_key(user_id: str) -> str:
    return f"v:learner:{user_id}"


def _fresh(n: int) -> list[str]:
    return [os.urandom(8).hex() for _ in range(n)]


class Versions:
    """Reads and bumps version tokens; one per process (in the `Runtime`)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._read = cache.client.register_script(_READ)
        self._bump = cache.client.register_script(_BUMP)
        self._unbumped: set[str] = set()  # keys whose bump failed: bumped again before any read

    async def tokens(self, keys: list[str]) -> tuple[str, ...] | None:
        """The current token of each key (made when missing); None when Redis is down."""
        if self._unbumped and await self._bump_keys(sorted(self._unbumped)) is None:
            return None
        got = await self.cache.run(self._read, keys, [*_fresh(len(keys)), TOKEN_TTL_S])
        return None if got is None else tuple(decoded(t) for t in got)

    def read_args(self, n: int) -> list[object] | None:
        """What a script reading `n` tokens as `_READ` does needs after its own arguments: the TTL,
        then a fresh candidate per key (a caller's script reads them in its own round trip); None
        while a failed bump is unsettled (read through `tokens` then)."""
        return None if self._unbumped else [TOKEN_TTL_S, *_fresh(n)]

    async def bump(self, keys: Iterable[str]) -> dict[str, Bumped] | None:
        """A fresh token for each key: whatever a cache read under the old one is stale.

        Returns each key's token before and after (a cache may carry an entry it kept under the
        old token over to the new one, when it knows what the write changed); None when Redis is down."""
        return await self._bump_keys(sorted(set(keys) | self._unbumped))

    async def _bump_keys(self, keys: list[str]) -> dict[str, Bumped] | None:
        if not keys:
            return {}
        fresh = _fresh(len(keys))
        before = await self.cache.run(self._bump, keys, [*fresh, TOKEN_TTL_S])
        if before is None:
            self._unbumped.update(keys)
            return None
        # A key whose earlier bump failed has a token from before that write: nothing kept under it
        # may be carried over, so its token before is reported as none.
        missed, self._unbumped = self._unbumped, self._unbumped - set(keys)
        return {
            key: Bumped(None if key in missed else decoded(old) or None, new)
            for key, old, new in zip(keys, before, fresh, strict=True)
        }

"""Redis as a disposable cache: every call degrades to a miss when Redis is down."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def decoded(value: bytes | str) -> str:
    """A string Redis returned (bytes from a client that does not decode responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)


class Cache:
    """JSON values in Redis under a key prefix; failures are counted and treated as misses.

    After a failure the cache stays quiet for `backoff_s` so a dead Redis costs no latency.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "lg:",
        backoff_s: float = 2.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.backoff_s = backoff_s
        self._down_until = 0.0
        self._on_error = on_error or (lambda op: None)

    @property
    def available(self) -> bool:
        """False while backing off after a failure."""
        return time.monotonic() >= self._down_until

    def _failed(self, op: str, error: Exception) -> None:
        self._down_until = time.monotonic() + self.backoff_s
        self._on_error(op)
        log.warning("redis %s failed: %s", op, error)

    async def ping(self) -> bool:
        """Whether Redis answers now (ignores the back-off)."""
        try:
            return bool(await self.client.ping())
        except (RedisError, OSError) as error:
            self._failed("ping", error)
            return False

    async def run(self, script: AsyncScript, keys: list[str], args: list[Any]) -> Any | None:
        """Run a registered Lua script on prefixed keys; None when Redis is down."""
        if not self.available:
            return None
        try:
            return await script(keys=[self.prefix + k for k in keys], args=args)
        except (RedisError, OSError) as error:
            self._failed("script", error)
            return None

    async def get(self, key: str) -> Any | None:
        if not self.available:
            return None
        try:
            raw = await self.client.get(self.prefix + key)
        except (RedisError, OSError) as error:
            self._failed("get", error)
            return None
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, *, ttl_s: int | None = None) -> None:
        if not self.available:
            return
        try:
            await self.client.set(self.prefix + key, json.dumps(value), ex=ttl_s)
        except (RedisError, OSError) as error:
            self._failed("set", error)

    async def delete(self, *keys: str) -> None:
        if not self.available or not keys:
            return
        try:
            await self.client.delete(*(self.prefix + k for k in keys))
        except (RedisError, OSError) as error:
            self._failed("delete", error)

"""A small asyncio load generator: N concurrent clients, bounded by request count and by time."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.harness import latency_summary, load, percentile

Body = Callable[[int], dict[str, Any]]  # request number -> JSON body


@dataclass
class Load:
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    timings: dict[str, list[float]] = field(default_factory=dict)  # the route's timing_ms, per step
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0  # from the first counted request sent to the last answered
    first_sent: float = float("inf")
    client_cpu_s: float = 0.0  # CPU the load generator itself used (it shares the machine)

    def summary(self) -> dict[str, Any]:
        ok = self.statuses.get(200, 0)
        steps = sorted(self.timings.items())
        return {
            "requests": len(self.latencies_s),
            "ok": ok,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 1),
            "rps": round(len(self.latencies_s) / self.seconds, 1) if self.seconds else None,
            **latency_summary(self.latencies_s),
            "server_timing_p50_ms": {k: round(statistics.median(v), 2) for k, v in steps},
            "server_timing_p99_ms": {k: round(percentile(sorted(v), 99), 2) for k, v in steps},
            "errors": self.errors[:5],
            "client_cpu_share": round(self.client_cpu_s / self.seconds, 2) if self.seconds else None,
            "load_average": load(),
        }


async def run_load(
    base_url: str,
    path: str,
    body: Body,
    *,
    key: str,
    concurrency: int,
    requests: int,
    max_seconds: float,
    warmup: int = 0,
    interval_s: float = 0.0,
) -> Load:
    """POST `body(i)` to `path` from `concurrency` clients until `requests` are done or time is up.

    The first `warmup` requests (spread over the clients) are sent but not counted. With
    `interval_s`, each client sends at most one request per interval (a learner app between
    questions) instead of the next as soon as the last is answered; clients start spread over
    the first interval.
    """
    result = Load()
    cpu_started = time.process_time()
    counter = iter(range(warmup + requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        deadline = started + max_seconds

        async def client_loop(number: int) -> None:
            if interval_s:
                await asyncio.sleep(interval_s * number / concurrency)
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                sent = time.perf_counter()
                try:
                    response = await client.post(path, json=body(i))
                except httpx.HTTPError as error:
                    if i >= warmup:
                        result.errors.append(repr(error))
                    continue
                elapsed = time.perf_counter() - sent
                if interval_s > elapsed:
                    await asyncio.sleep(interval_s - elapsed)
                if i < warmup:
                    continue
                result.first_sent = min(result.first_sent, sent)
                result.latencies_s.append(elapsed)
                result.statuses[response.status_code] += 1
                if response.status_code == 200:
                    for step, ms in response.json().get("timing_ms", {}).items():
                        result.timings.setdefault(step, []).append(float(ms))
                elif len(result.errors) < 20:
                    result.errors.append(response.text[:300])

        await asyncio.gather(*(client_loop(k) for k in range(concurrency)))
        result.seconds = time.perf_counter() - min(result.first_sent, time.perf_counter())
    result.client_cpu_s = time.process_time() - cpu_started
    return result

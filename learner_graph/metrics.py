"""Prometheus metrics of one app instance (own registry: no globals built at import time)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class GcTimer:
    """A `gc.callbacks` entry timing each collection into `lg_gc_pause_seconds`."""

    def __init__(self, histogram: Histogram) -> None:
        self.histogram = histogram
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.histogram.labels(str(info["generation"])).observe(time.perf_counter() - self._started)


class Metrics:
    """Request counts and latencies per route, and errors of the stores behind the API."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lg_http_requests",
            "HTTP requests served, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lg_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["route", "method"],
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
            registry=self.registry,
        )
        self.neo4j_errors = Counter(
            "lg_neo4j_errors", "Neo4j calls that failed.", ["kind"], registry=self.registry
        )
        self.redis_errors = Counter(
            "lg_redis_errors",
            "Redis calls that failed (served without cache).",
            ["op"],
            registry=self.registry,
        )
        self.record_batch = Histogram(
            "lg_recommendation_record_batch_size",
            "Served recommendations stored per group commit (recorder.py); above 1 under load.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "lg_auth_failures",
            "Requests refused by authentication or authorisation, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.gc_pause = Histogram(
            "lg_gc_pause_seconds",
            "Garbage-collector passes by generation: the whole process stops for each.",
            ["generation"],
            buckets=(0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1),
            registry=self.registry,
        )
        self.attempt_batch = Histogram(
            "lg_attempt_commit_requests",
            "POST /v1/attempts requests stored per group commit (learners/writer.py); above 1 under load.",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=self.registry,
        )
        self.store_retries = Counter(
            "lg_store_retries",
            "Neo4j transactions retried after a transient error, by reason (DeadlockDetected, ...).",
            ["reason"],
            registry=self.registry,
        )
        self.learner_states = Counter(
            "lg_learner_states",
            "Learner states a recommendation used: kept in the process (`kept`) or read from Neo4j (`read`).",
            ["result"],
            registry=self.registry,
        )
        self.redis_up = Gauge(
            "lg_redis_up", "1 when the last Redis health check answered.", registry=self.registry
        )

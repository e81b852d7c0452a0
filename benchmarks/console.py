"""The console: build time, bundle sizes, and each page's load time in Chromium on three graphs.

    python -m benchmarks console          # writes benchmarks/results/console.json

- build: `npm run build` in console/ (tsc, then the Vite build; `npm ci` and the generated types
  are not timed), and every file of console/dist with its gzip size;
- page loads on each target graph, each behind its own `learner-graph serve` (bench keys):
  `demo` (LG_BENCH_CONSOLE_DEMO_URI, default the `make run` Neo4j bolt://127.0.0.1:7687; its
  experiment `demo-target-p` results page too), `wide` (2,000 concepts in layers,
  tests/browser/worlds.py, imported into LG_BENCH_CONSOLE_WIDE_URI or an embedded Neo4j of its own
  on LG_BENCH_CONSOLE_WIDE_PORT, default 7692) and `bench` (the benchmark graph, benchmarks/graph.py,
  built on first use). LG_BENCH_CONSOLE_TARGETS picks some, e.g. `demo,wide`.

Each page is opened in a fresh tab (the key already in sessionStorage, nothing cached by the
browser) and timed from navigation until nothing on it is loading any more (and, on the graph
pages, the graph is laid out): the median of REPEAT loads. The results page's first load after its
cache entry is removed is reported apart (`results_first_s`): it computes the results.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import time
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright
from redis import Redis

from benchmarks import graph
from benchmarks.harness import (
    BENCH_ADMIN_KEY,
    REDIS_URL,
    api_server,
    ensure_neo4j,
    load,
    machine,
    write_result,
)
from learner_graph.config import PROJECT_ROOT
from tests.browser.conftest import ARGS, CHROMIUM
from tests.browser.worlds import layered_curriculum

CONSOLE = PROJECT_ROOT / "console"
PAGES = ["graph", "units", "questions", "import", "audit", "flags", "experiments", "models", "learners"]
REPEAT = int(os.environ.get("LG_BENCH_CONSOLE_REPEAT", "3"))
DEMO_EXPERIMENT = "demo-target-p"
WIDE_CONCEPTS = 2000
WIDE_PORT = int(os.environ.get("LG_BENCH_CONSOLE_WIDE_PORT", "7692"))
WIDE_DIR = PROJECT_ROOT / ".lg" / "neo4j-console-wide"


def build() -> dict[str, Any]:
    """Time the console's type check and Vite build; the size of every file it writes."""
    started = time.perf_counter()
    subprocess.run(["npm", "run", "-s", "build"], cwd=CONSOLE, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    files = {
        str(path.relative_to(CONSOLE / "dist")): {
            "bytes": path.stat().st_size,
            "gzip_bytes": len(gzip.compress(path.read_bytes(), compresslevel=9)),
        }
        for path in sorted((CONSOLE / "dist").rglob("*")) if path.is_file()
    }
    return {"build_s": round(seconds, 1), "load": load(), "files": files}


def page_load(page: Page, url: str, name: str) -> float:
    started = time.perf_counter()
    page.goto(f"{url}/console/#/{name}")
    page.get_by_test_id("who").wait_for()
    if name == "graph":
        page.locator("[data-testid=graph][data-ready=true]").wait_for(timeout=300_000)
    page.wait_for_function("document.querySelectorAll('[role=status]').length === 0", timeout=300_000)
    return time.perf_counter() - started


def fresh_load(browser: Browser, url: str, name: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(f"sessionStorage.setItem('lg.apiKey', {json.dumps(BENCH_ADMIN_KEY)})")
    try:
        return page_load(context.new_page(), url, name)
    finally:
        context.close()


def time_pages(browser: Browser, url: str, pages: list[str]) -> dict[str, Any]:
    times = {name: [round(fresh_load(browser, url, name), 2) for _ in range(REPEAT)] for name in pages}
    return {"median_s": {name: statistics.median(t) for name, t in times.items()}, "all_s": times}


def drop_cached_results() -> None:
    client = Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="*experiment-results:*"):
        client.delete(key)
    client.close()


def target_pages(browser: Browser, uri: str, *, experiment: str | None = None) -> dict[str, Any]:
    with api_server(uri, log=PROJECT_ROOT / ".lg" / "bench-console-api.log") as url:
        counts = httpx.get(f"{url}/v1/content/graph", headers={"Authorization": f"Bearer {BENCH_ADMIN_KEY}"},
                           timeout=120).json()
        figures: dict[str, Any] = {"concepts": len(counts["concepts"]), "edges": len(counts["edges"])}
        fresh_load(browser, url, "experiments")  # the server's first requests plan their queries
        figures |= time_pages(browser, url, PAGES)
        if experiment:
            drop_cached_results()
            figures["results_first_s"] = round(fresh_load(browser, url, f"experiments/{experiment}"), 2)
            results = time_pages(browser, url, [f"experiments/{experiment}"])
            figures["median_s"] |= results["median_s"]
            figures["all_s"] |= results["all_s"]
        figures["load"] = load()
    return figures


def wide_uri() -> str:
    """A Neo4j holding the 2,000-concept curriculum (imported once through the importer's route)."""
    uri = os.environ.get("LG_BENCH_CONSOLE_WIDE_URI") or ensure_neo4j(WIDE_PORT, WIDE_DIR, heap="1g",
                                                                      pagecache="256m")
    with api_server(uri) as url:
        headers = {"Authorization": f"Bearer {BENCH_ADMIN_KEY}"}
        have = len(httpx.get(f"{url}/v1/content/graph", headers=headers, timeout=120).json()["concepts"])
        if have < WIDE_CONCEPTS:
            response = httpx.post(f"{url}/v1/content/import", headers=headers, timeout=600,
                                  json=layered_curriculum(WIDE_CONCEPTS))
            response.raise_for_status()
    return uri


def run() -> dict[str, Any]:
    targets = os.environ.get("LG_BENCH_CONSOLE_TARGETS", "demo,wide,bench").split(",")
    result: dict[str, Any] = {"machine": machine(), "build": build(), "pages": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        if "demo" in targets:
            uri = os.environ.get("LG_BENCH_CONSOLE_DEMO_URI", "bolt://127.0.0.1:7687")
            result["pages"]["demo"] = target_pages(browser, uri, experiment=DEMO_EXPERIMENT)
        if "wide" in targets:
            result["pages"]["wide"] = target_pages(browser, wide_uri())
        if "bench" in targets:
            uri, _ = graph.ensure()
            result["pages"]["bench"] = target_pages(browser, uri)
        browser.close()
    write_result("console", result)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))

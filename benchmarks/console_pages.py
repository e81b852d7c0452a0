"""Console page load times in Chromium against a running API, run by hand (see docs/CONSOLE.md):

    python -m benchmarks.console_pages --url http://localhost:8000 --key <admin key> [--repeat 3]

Each page is opened fresh (a new tab, the key already in sessionStorage) and timed from navigation
until nothing on it is loading any more (and, on the graph pages, the graph is laid out). Prints
the median per page, with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import ARGS, CHROMIUM

PAGES = ["graph", "units", "questions", "import", "audit", "flags", "experiments", "models", "learners"]


def load(page: Page, url: str, name: str) -> float:
    started = time.perf_counter()
    page.goto(f"{url}/console/#/{name}")
    page.get_by_test_id("who").wait_for()
    if name == "graph":
        page.locator("[data-testid=graph][data-ready=true]").wait_for(timeout=300_000)
    page.wait_for_function("document.querySelectorAll('[role=status]').length === 0", timeout=300_000)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--experiment", help="also time this experiment's results page")
    args = parser.parse_args()
    pages = args.pages + ([f"experiments/{args.experiment}"] if args.experiment else [])
    medians = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name in pages:
            times = []
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.add_init_script(f"sessionStorage.setItem('lg.apiKey', {json.dumps(args.key)})")
                times.append(load(context.new_page(), args.url, name))
                context.close()
            medians[name] = round(statistics.median(times), 2)
        browser.close()
    print(json.dumps({"median_s": medians, "loadavg": os.getloadavg()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The console in a real browser: the real API (uvicorn in a thread) on the test Neo4j and Redis,
Debian's chromium driven by Playwright. Every test fails on a browser console error."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from neo4j import Driver
from playwright.sync_api import Browser, Page, sync_playwright

from learner_graph.api.app import create_app
from learner_graph.config import PROJECT_ROOT, Settings
from tests.conftest import TEST_KEYS
from tests.support import free_port

CONSOLE = PROJECT_ROOT / "console" / "dist"
SHOTS = Path(os.environ.get("LG_SCREENSHOTS", PROJECT_ROOT / ".lg" / "screenshots"))
CHROMIUM = os.environ.get("LG_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium's own connections are refused by a closed network.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An API refusal the test provokes on purpose (a wrong key, a cycle, a dry run's problems) is logged
# by chromium as a failed resource load; the page shows it, so it is not an error of the console.
# Anything else is.
REFUSED = re.compile(r"^Failed to load resource: the server responded with a status of 4(01|09|22)")


class Api:
    """The live server, and a client for seeding it through its own routes."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app

    def call(self, method: str, path: str, role: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {TEST_KEYS[role]}"}
        response = httpx.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, and
# later tests calling asyncio.run() would fail, so the browser (and the server) close with the module.
@pytest.fixture(scope="module")
def live_api(settings: Settings, neo4j_driver: Driver) -> Iterator[Api]:
    if not (CONSOLE / "index.html").is_file():
        pytest.fail("the console is not built: run `make console` (make test does)")
    port = free_port()
    app = create_app(settings.model_copy(update={"console_dir": CONSOLE, "warm_up": False}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield Api(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def api(live_api: Api, db: Driver) -> Api:
    """The live API on a clean database (nothing remembered from an earlier test)."""
    runtime = live_api.app.state.runtime
    runtime.models.invalidate()
    runtime.experiments.clear()
    return live_api


@pytest.fixture
def page(browser: Browser, api: Api) -> Iterator[Page]:
    """A fresh tab at 1280x800 whose console errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=api.url)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    errors: list[str] = []
    tab.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not REFUSED.match(m.text) else None,
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def sign_in(page: Page, role: str) -> None:
    page.goto("/console/")
    page.evaluate("sessionStorage.clear()")  # signed out, whoever was signed in
    page.reload()
    page.get_by_label("API key").fill(TEST_KEYS[role])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("who").wait_for()


def shot(page: Page, name: str) -> None:
    """Save a screenshot of the page as it is now (README shows the main ones, from docs/console/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)  # let a chart or the graph finish painting
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def graph_ready(page: Page) -> None:
    page.locator("[data-testid=graph][data-ready=true]").first.wait_for(timeout=120_000)

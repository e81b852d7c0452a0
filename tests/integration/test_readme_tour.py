"""The README's API tour, run as written: every `curl` of README.md against the real stack with the
demo curriculum (imported through the API), each answer checked against the shape docs/API.md
documents. A curl that breaks (a 5xx, a 404 on a documented route, a list not in the list shape)
fails here, so the README cannot drift from the API."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from seed.curriculum import build_curriculum
from tests.conftest import TEST_KEYS

README = Path(__file__).resolve().parents[2] / "README.md"
LIST_ROUTES = (
    "/mastery",
    "/gaps",
    "/ready",
    "/attempts?",
    "/concepts?",
    "/questions?",
    "/changes?",
    "/prerequisites?",
    "/dependents",
    "/admin/models",
)
# What a reader substitutes by hand: the variables of the tour, and the "..." placeholders.
VARIABLES = {
    "$API": "http://testserver/v1",
    "localhost:8000": "http://testserver",
    '"$H"': '"Authorization: Bearer $KEY"',
    '"$J"': '"Content-Type: application/json"',
}


def readme_curls() -> list[str]:
    """Every curl command in the README's code blocks, continuation lines joined, comments cut."""
    blocks = re.findall(r"```\n(.*?)```", README.read_text(), flags=re.S)
    commands: list[str] = []
    for block in blocks:
        current = ""
        for line in block.splitlines():
            line = line.split("  #")[0].rstrip() if not current or "'" not in current else line
            continued = line.endswith("\\")  # the shell's line continuation
            line = line.removesuffix("\\").rstrip()
            if current:
                current += " " + line.strip()
            elif line.lstrip().startswith("curl "):
                current = line.strip()
            if current and not continued and _balanced(current):
                commands.append(current)
                current = ""
    return commands


def _balanced(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def request_of(command: str, keys: dict[str, str], ids: dict[str, str]) -> dict[str, Any]:
    """The method, URL, headers and body of a curl command line."""
    for name, value in VARIABLES.items():
        command = command.replace(name, value)
    for name, value in {**keys, **ids}.items():
        command = command.replace(name, value)
    words = shlex.split(command, comments=True)[1:]
    request: dict[str, Any] = {"method": "GET", "headers": {}, "content": None}
    i = 0
    while i < len(words):
        word = words[i]
        if word == ">":  # the shell's redirection: the rest is not curl's
            break
        if word in ("-s", "-o"):
            i += 2 if word == "-o" else 1
            continue
        if word == "-H":
            name, _, value = words[i + 1].partition(":")
            request["headers"][name.strip()] = value.strip()
            i += 2
        elif word == "-X":
            request["method"] = words[i + 1]
            i += 2
        elif word == "-d":
            request["content"] = words[i + 1]
            request["method"] = request["method"] if request["method"] != "GET" else "POST"
            i += 2
        else:
            request["url"] = word if word.startswith("http") else "http://" + word
            i += 1
    return request


@pytest.fixture
def tour(settings: Settings, db: Driver) -> Iterator[TestClient]:
    """The test API with a learner-token secret for the default app, as the tour's token example needs."""
    with_secret = Settings(
        **{**settings.model_dump(), "app_secrets": "default:readme-tour-secret-of-32-characters-or-more"},
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(with_secret)) as client:
        yield client


def test_every_readme_curl_runs_as_written(tour: TestClient) -> None:
    client = tour
    keys = {  # $APP_KEY before $KEY: the longer name is replaced first
        "$APP_KEY": TEST_KEYS["learner_app"],
        "$KEY": TEST_KEYS["admin"],
        "$ADMIN": TEST_KEYS["admin"],
        "$EDITOR": TEST_KEYS["content_editor"],
    }
    admin = {"Authorization": f"Bearer {TEST_KEYS['admin']}"}
    imported = client.post("/v1/content/import", json=build_curriculum(), headers=admin)
    assert imported.status_code == 200, imported.text
    ids = {
        "rec_...": "rec_placeholder",
        "cursor=...": "limit=5",
        "q-...": "q-acceleration-0001",
    }
    commands = readme_curls()
    assert len(commands) >= 30, "the tour was not found in README.md"
    for command in commands:
        request = request_of(command, keys, ids)
        if request["content"] == "@curriculum.json":
            request["content"] = build_curriculum_json()
        response = client.request(
            request["method"], request["url"], headers=request["headers"], content=request["content"]
        )
        if request["url"].endswith("/v1/learner-tokens") and response.is_success:
            ids["$TOKEN"] = response.json()["token"]  # the next curl calls as that learner
        if request["url"].endswith("/v1/recommendations") and response.is_success:
            served = response.json()  # the following curls read what was served
            ids["rec_..."], ids["q-..."] = served["id"], served["items"][0]["question_id"]
        check(command, request, response)


def check(command: str, request: dict[str, Any], response: Any) -> None:
    url = request["url"]
    assert response.status_code < 500, f"{command}\n-> {response.status_code} {response.text[:300]}"
    if "/models/ID/" in url:
        assert response.status_code == 404, command  # ID stands for a model version id
        return
    assert response.status_code in (200, 201, 202, 204, 409), (
        f"{command}\n-> {response.status_code} {response.text[:300]}"
    )
    listing = request["method"] == "GET" and response.status_code == 200
    if listing and "json" in response.headers.get("content-type", ""):
        body = response.json()
        if any(route in url + "?" for route in LIST_ROUTES) and isinstance(body, dict) and "items" in body:
            assert set(body) == {"items", "next_cursor", "total"}, command


def build_curriculum_json() -> str:
    import json

    return json.dumps(build_curriculum())

"""The HTTP layer's pure parts: the bearer header, verified learner tokens, request ids, route order."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.security import HTTPBearer
from starlette.requests import Request

from learner_graph import tokens
from learner_graph.api.app import RequestIds, create_app, header
from learner_graph.api.security import bearer
from learner_graph.config import Settings

SECRETS = {"app1": "s" * 40, "app2": "t" * 40}


def request_with(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode("latin-1"))]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer abc", "bearer abc", "BEARER  abc ", "Basic abc", "Bearer", "Bearer ", " Bearer abc",
     "Bearer a b", "Token abc", "Bearerabc"],
)  # fmt: skip
def test_the_bearer_credential_is_what_fastapis_http_bearer_reads(authorization: str | None) -> None:
    request = request_with(authorization)
    expected = asyncio.run(HTTPBearer(auto_error=False)(request))
    assert bearer(request) == (None if expected is None else expected.credentials)


def mint(
    learner: str, *, app: str = "app1", now: datetime | None = None, ttl_s: int = 900
) -> tokens.LearnerToken:
    issued = now or datetime.now(UTC)
    return tokens.mint(secrets=SECRETS, app=app, learner=learner, now=issued, ttl=timedelta(seconds=ttl_s))


def test_a_verified_token_stands_for_the_same_caller_as_a_fresh_verification() -> None:
    verified = tokens.VerifiedTokens(SECRETS)
    for learner, app in [("u1", "app1"), ("u2", "app2"), ("u1", "app2")]:
        token = mint(learner, app=app).token
        first, again = verified.verify(token), verified.verify(token)
        assert first == again == tokens.verify(secrets=SECRETS, token=token)
        assert again.learner == learner and again.app == app


def test_a_kept_token_is_refused_once_it_expires() -> None:
    verified = tokens.VerifiedTokens(SECRETS)
    # Expired 3 s ago by its `exp`; the verifier's leeway still admits it for 2 s more.
    minted = mint("u1", now=datetime.now(UTC) - timedelta(seconds=63), ttl_s=60)
    assert verified.verify(minted.token).learner == "u1"
    until = minted.expires_at.timestamp() + tokens.LEEWAY_S
    assert verified.verify(minted.token, now=until).learner == "u1"  # kept up to the leeway's end
    time.sleep(max(0.0, until - time.time()) + 0.2)
    with pytest.raises(tokens.TokenError, match="expired"):
        verified.verify(minted.token)  # not served from the cache: verified again, and refused
    assert minted.token not in verified._seen


def test_bad_tokens_are_never_kept() -> None:
    verified = tokens.VerifiedTokens(SECRETS)
    good = mint("u1").token
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(tokens.TokenError):
            verified.verify(forged)
    other_app = tokens.mint(
        secrets={"app9": "x" * 40}, app="app9", learner="u1", now=datetime.now(UTC), ttl=timedelta(minutes=5)
    )
    with pytest.raises(tokens.TokenError, match="unknown app"):
        verified.verify(other_app.token)


def test_the_kept_tokens_are_bounded() -> None:
    verified = tokens.VerifiedTokens(SECRETS, size=3)
    minted = [mint(f"u{i}").token for i in range(7)]
    for token in minted:
        assert verified.verify(token).learner is not None
        assert len(verified._seen) <= 3


def test_request_ids_are_32_hex_digits_and_never_repeat() -> None:
    ids, others = RequestIds(), RequestIds()
    made = [ids() for _ in range(1000)] + [others() for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in made)
    assert len(set(made)) == len(made)


def test_a_header_is_read_by_its_lower_case_name() -> None:
    scope = {"headers": [(b"content-type", b"a"), (b"x-request-id", b"r1"), (b"x-request-id", b"r2")]}
    assert header(scope, b"x-request-id") == b"r2"  # the last, as `dict(headers)` read it before
    assert header(scope, b"authorization") is None
    assert header({}, b"x-request-id") is None


def _overlap(a: str, b: str) -> bool:
    """Whether some concrete path matches both templates (a `{param}` segment matches any one)."""
    left, right = a.split("/"), b.split("/")
    return len(left) == len(right) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(left, right, strict=True)
    )


def test_no_two_routes_serve_the_same_method_and_path_so_their_order_decides_nothing() -> None:
    """`create_app` puts the learner app's routers first; that is safe only while no concrete
    path and method is served by two routes."""
    app = create_app(Settings(api_keys="a:admin:secret-for-the-route-test"))
    operations = [(template, method) for template, ops in app.openapi()["paths"].items() for method in ops]
    assert ("/v1/attempts", "post") in operations and ("/v1/recommendations", "post") in operations
    overlapping = [
        (method, a, b)
        for i, (a, method) in enumerate(operations)
        for b, other in operations[i + 1 :]
        if method == other and _overlap(a, b)
    ]
    assert overlapping == []


def test_the_overlap_check_finds_overlaps() -> None:
    assert _overlap("/v1/users/{user_id}", "/v1/users/me")
    assert _overlap("/v1/{a}/x", "/v1/y/{b}")
    assert not _overlap("/v1/users/{user_id}", "/v1/users/{user_id}/streak")
    assert not _overlap("/v1/attempts", "/v1/recommendations")

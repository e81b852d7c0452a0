"""Bearer API keys and learner tokens, and the roles that may use each route."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Request

from learner_graph import tokens
from learner_graph.api_keys import ApiKey, Role, find_key
from learner_graph.config import Settings
from learner_graph.db.versions import CONTENT, learner_key
from learner_graph.errors import DomainError, Forbidden
from learner_graph.ratelimit import Limit

if TYPE_CHECKING:
    from learner_graph.runtime import Runtime

log = logging.getLogger(__name__)


class Unauthorized(DomainError):
    code = "unauthorized"


def _refuse(request: Request, reason: str, error: DomainError) -> DomainError:
    """Log and count a refused caller (never the credential itself), and return the error to raise."""
    request.app.state.metrics.auth_failures.labels(reason=reason).inc()
    client = request.client.host if request.client else "?"
    path = request.url.path
    log.warning("authentication refused (%s) from %s on %s: %s", reason, client, path, error.message)
    return error


def bearer(request: Request) -> str | None:
    """The credential of an `Authorization: Bearer <credential>` header (scheme in any case), else
    None: what FastAPI's `HTTPBearer(auto_error=False)` reads, without its pydantic model per request."""
    return credential_of(request.headers.get("authorization"))


def credential_of(authorization: str | None) -> str | None:
    """`bearer`'s reading of an `Authorization` header's value."""
    if not authorization:
        return None
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if not scheme or not credential or scheme.lower() != "bearer":
        return None
    return credential


def require(
    *roles: Role, learner_tokens: bool = False, limit: bool = True
) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency admitting keys of `roles` (admin is always admitted), and learner tokens
    when `learner_tokens` (the route must then keep the caller to `key.learner`'s own data).
    `limit` False leaves the rate limit to the route (`limit_reading_tokens`), first thing it does."""
    allowed = {*roles, Role.ADMIN}

    async def check(request: Request) -> ApiKey:
        presented = bearer(request)
        if presented is None:
            missing = Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
            raise _refuse(request, "missing", missing)
        state = request.app.state
        if tokens.looks_like_token(presented):
            try:
                key = state.verified_tokens.verify(presented)
            except tokens.TokenError as error:
                raise _refuse(request, "bad_token", Unauthorized(str(error))) from error
            if not learner_tokens:
                raise _refuse(request, "token_scope", Forbidden("a learner token may not use this route"))
        else:
            found = find_key(state.settings.keys, presented)
            if found is None:
                raise _refuse(request, "unknown_key", Unauthorized("unknown API key"))
            key = found
            if key.role not in allowed:
                names = ", ".join(sorted(r.value for r in allowed))
                message = f"role {key.role.value!r} may not use this route (allowed: {names})"
                raise _refuse(request, "role", Forbidden(message))
        request.state.api_key = key
        if limit:
            await _rate_limit(request, key)
        return key

    return check


def _bucket(settings: Settings, key: ApiKey) -> tuple[str, Limit]:
    """The key's bucket (a learner token's: its learner's) and its limit."""
    if key.learner is not None:
        limit = Limit(rate=settings.rate_limit_learner_per_s, burst=settings.rate_limit_learner_burst)
        return f"learner:{key.app}:{key.learner}", limit
    return f"key:{key.name}", Limit(rate=settings.rate_limit_per_s, burst=settings.rate_limit_burst)


async def _rate_limit(request: Request, key: ApiKey) -> None:
    """Count the request against the key's bucket (a learner token's against its learner's)."""
    name, limit = _bucket(request.app.state.settings, key)
    if limit.rate > 0:
        await request.app.state.runtime.rate_limiter.hit(name, limit)


async def limit_reading_tokens(runtime: Runtime, key: ApiKey, user_id: str) -> tuple[str, ...] | None:
    """The rate limit of a route whose `require(..., limit=False)` left it to it, and in the same
    Redis round trip the learner's and the content's version tokens for the learner-state cache
    (`LearnerStates.read`'s `tokens`; None: it reads them itself). Raises RateLimited."""
    name, limit = _bucket(runtime.settings, key)
    versions = runtime.states.versions
    read_args = versions.read_args(2) if versions is not None and limit.rate > 0 else None
    if read_args is None:
        if limit.rate > 0:
            await runtime.rate_limiter.hit(name, limit)
        return None
    return await runtime.rate_limiter.hit_reading(name, limit, [learner_key(user_id), CONTENT], read_args)


READERS = (Role.LEARNER_APP, Role.CONTENT_EDITOR, Role.ANALYST)

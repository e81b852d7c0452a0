"""Bearer API keys and learner tokens, and the roles that may use each route."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from learner_graph import tokens
from learner_graph.api_keys import ApiKey, Role, find_key
from learner_graph.errors import DomainError, Forbidden
from learner_graph.ratelimit import Limit

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False)


class Unauthorized(DomainError):
    code = "unauthorized"


def _refuse(request: Request, reason: str, error: DomainError) -> DomainError:
    """Log and count a refused caller (never the credential itself), and return the error to raise."""
    request.app.state.metrics.auth_failures.labels(reason=reason).inc()
    client = request.client.host if request.client else "?"
    path = request.url.path
    log.warning("authentication refused (%s) from %s on %s: %s", reason, client, path, error.message)
    return error


def require(*roles: Role, learner_tokens: bool = False) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency admitting keys of `roles` (admin is always admitted), and learner tokens
    when `learner_tokens` (the route must then keep the caller to `key.learner`'s own data)."""
    allowed = {*roles, Role.ADMIN}

    async def check(request: Request) -> ApiKey:
        credentials: HTTPAuthorizationCredentials | None = await _bearer(request)
        if credentials is None:
            missing = Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
            raise _refuse(request, "missing", missing)
        presented = credentials.credentials
        settings = request.app.state.settings
        if tokens.looks_like_token(presented):
            try:
                key = tokens.verify(secrets=settings.token_secrets, token=presented)
            except tokens.TokenError as error:
                raise _refuse(request, "bad_token", Unauthorized(str(error))) from error
            if not learner_tokens:
                raise _refuse(request, "token_scope", Forbidden("a learner token may not use this route"))
        else:
            found = find_key(settings.keys, presented)
            if found is None:
                raise _refuse(request, "unknown_key", Unauthorized("unknown API key"))
            key = found
            if key.role not in allowed:
                names = ", ".join(sorted(r.value for r in allowed))
                message = f"role {key.role.value!r} may not use this route (allowed: {names})"
                raise _refuse(request, "role", Forbidden(message))
        request.state.api_key = key
        await _rate_limit(request, key)
        return key

    return check


async def _rate_limit(request: Request, key: ApiKey) -> None:
    """Count the request against the key's bucket (a learner token's against its learner's)."""
    settings = request.app.state.settings
    if key.learner is not None:
        limit = Limit(rate=settings.rate_limit_learner_per_s, burst=settings.rate_limit_learner_burst)
        name = f"learner:{key.app}:{key.learner}"
    else:
        limit = Limit(rate=settings.rate_limit_per_s, burst=settings.rate_limit_burst)
        name = f"key:{key.name}"
    if limit.rate > 0:
        await request.app.state.runtime.rate_limiter.hit(name, limit)


READERS = (Role.LEARNER_APP, Role.CONTENT_EDITOR, Role.ANALYST)

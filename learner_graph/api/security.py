"""Bearer API keys and the roles that may use each route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from learner_graph.api_keys import ApiKey, Role, find_key
from learner_graph.errors import DomainError, Forbidden

_bearer = HTTPBearer(auto_error=False)


class Unauthorized(DomainError):
    code = "unauthorized"


def require(*roles: Role) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency admitting keys of `roles` (admin is always admitted)."""
    allowed = {*roles, Role.ADMIN}

    async def check(request: Request) -> ApiKey:
        credentials: HTTPAuthorizationCredentials | None = await _bearer(request)
        if credentials is None:
            raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        key = find_key(request.app.state.settings.keys, credentials.credentials)
        if key is None:
            raise Unauthorized("unknown API key")
        if key.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"role {key.role.value!r} may not use this route (allowed: {names})")
        request.state.api_key = key
        return key

    return check


READERS = (Role.LEARNER_APP, Role.CONTENT_EDITOR, Role.ANALYST)

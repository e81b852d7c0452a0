"""Learner tokens: short-lived HS256 JWTs an app's backend mints for one learner.

A browser or phone holding one may call the learner routes (attempts, recommendations, feedback,
own progress) for that learner only. The token names its app in the `kid` header so the verifier
picks that app's secret; the subject is the learner id. Secrets come from `LG_APP_SECRETS`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from learner_graph.api_keys import ApiKey, Role

AUDIENCE = "learner-graph"
ALGORITHM = "HS256"
MAX_TTL = timedelta(hours=24)
LEEWAY_S = 5  # clock skew allowed between the minting backend and this service


class TokenError(ValueError):
    """The token is malformed, expired, for another service, or signed with an unknown secret."""


@dataclass(frozen=True)
class LearnerToken:
    token: str
    app: str
    learner: str
    expires_at: datetime


def parse_app_secrets(spec: str) -> dict[str, str]:
    """Parse `app:secret,...`; raises ValueError naming every bad entry (secrets of 32+ characters)."""
    secrets: dict[str, str] = {}
    problems: list[str] = []
    for index, raw in enumerate(part.strip() for part in spec.split(",")):
        if not raw:
            continue
        app, _, secret = raw.partition(":")
        if not app or len(secret) < 32:
            problems.append(f"LG_APP_SECRETS[{index}]: expected app:secret with a secret of 32+ characters")
        elif app in secrets:
            problems.append(f"LG_APP_SECRETS[{index}]: duplicate app {app!r}")
        else:
            secrets[app] = secret
    if problems:
        raise ValueError("; ".join(problems))
    return secrets


def mint(*, secrets: dict[str, str], app: str, learner: str, now: datetime, ttl: timedelta) -> LearnerToken:
    """A token for `learner` of `app`, valid from `now` for `ttl` (at most 24 hours)."""
    if app not in secrets:
        raise TokenError(f"app {app!r} has no token secret (LG_APP_SECRETS)")
    expires = now + min(ttl, MAX_TTL)
    claims = {"sub": learner, "aud": AUDIENCE, "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    token = jwt.encode(claims, secrets[app], algorithm=ALGORITHM, headers={"kid": app})
    return LearnerToken(token=token, app=app, learner=learner, expires_at=expires)


def looks_like_token(credential: str) -> bool:
    """A JWT has three dot-separated parts; API keys never contain a dot."""
    return credential.count(".") == 2


def verify(*, secrets: dict[str, str], token: str) -> ApiKey:
    """The caller a valid token stands for (role learner_app, `learner` set). Raises TokenError."""
    return _verify(secrets, token)[0]


class VerifiedTokens:
    """The tokens this process has verified, each kept until it expires (`LEEWAY_S` after `exp`, as
    the verifier allows), so a learner's next requests skip PyJWT's decode (~0.3 ms of CPU each,
    most of it its per-character check of the base64). A token cannot be revoked before it expires
    (secrets change with a restart, which empties this): the cache keeps exactly that rule.
    At most `size` tokens; past it the cache starts again empty."""

    def __init__(self, secrets: dict[str, str], *, size: int = 20_000) -> None:
        self.secrets = secrets
        self.size = size
        self._seen: dict[str, tuple[ApiKey, float]] = {}  # token -> (caller, its exp)

    def verify(self, token: str, *, now: float | None = None) -> ApiKey:
        """`verify(secrets=..., token=token)`, from the cache when `token` was seen and has not expired."""
        now = time.time() if now is None else now
        seen = self._seen.get(token)
        if seen is not None:
            if now <= seen[1] + LEEWAY_S:
                return seen[0]
            del self._seen[token]  # expired: verified again below, which says so
        key, expires = _verify(self.secrets, token)
        if len(self._seen) >= self.size:
            self._seen.clear()
        self._seen[token] = (key, expires)
        return key


def _verify(secrets: dict[str, str], token: str) -> tuple[ApiKey, float]:
    """The caller a valid token stands for and its `exp`. Raises TokenError."""
    try:
        app = jwt.get_unverified_header(token).get("kid")
        if not isinstance(app, str) or app not in secrets:
            raise TokenError("learner token for an unknown app")
        claims = jwt.decode(
            token,
            secrets[app],
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            leeway=LEEWAY_S,
            options={"require": ["sub", "exp", "iat", "aud"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise TokenError("learner token expired") from error
    except jwt.PyJWTError as error:
        raise TokenError(f"invalid learner token: {error}") from error
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise TokenError("learner token without a subject")
    key = ApiKey(name=f"learner:{app}:{subject}", role=Role.LEARNER_APP, sha256="", app=app, learner=subject)
    return key, float(claims["exp"])

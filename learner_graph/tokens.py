"""Learner tokens: short-lived HS256 JWTs an app's backend mints for one learner.

A browser or phone holding one may call the learner routes (attempts, recommendations, feedback,
own progress) for that learner only. The token names its app in the `kid` header so the verifier
picks that app's secret; the subject is the learner id. Secrets come from `LG_APP_SECRETS`.
"""

from __future__ import annotations

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
    return ApiKey(name=f"learner:{app}:{subject}", role=Role.LEARNER_APP, sha256="", app=app, learner=subject)

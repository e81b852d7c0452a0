"""API keys with roles and apps: parsed from `name:role:secret[:app],...`, kept as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LEARNER_APP = "learner_app"
    CONTENT_EDITOR = "content_editor"
    ANALYST = "analyst"
    EXPERIMENTER = "experimenter"  # a product manager: defines, starts and stops experiments
    ADMIN = "admin"


DEFAULT_APP = "default"


@dataclass(frozen=True)
class ApiKey:
    """A caller: a configured key, or a learner token (then `learner` is the token's subject)."""

    name: str
    role: Role
    sha256: str
    app: str = DEFAULT_APP
    learner: str | None = None


_APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def hash_secret(secret: str) -> str:
    """The hex sha256 of a key's secret, the only form in which secrets are kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_api_keys(spec: str) -> list[ApiKey]:
    """Parse `name:role:secret[:app],...`; a secret written `sha256:<hex>` is already hashed.

    The app (tenant) is `default` when omitted, so keys written before apps existed keep working.

    Raises ValueError naming every bad entry at once.
    """
    keys: list[ApiKey] = []
    problems: list[str] = []
    names: set[str] = set()
    for index, raw in enumerate(part.strip() for part in spec.split(",")):
        if not raw:
            continue
        name, _, rest = raw.partition(":")
        role, _, secret = rest.partition(":")
        app = DEFAULT_APP
        if secret.startswith("sha256:"):
            digest_part, _, app_part = secret.removeprefix("sha256:").partition(":")
            secret, app = f"sha256:{digest_part}", app_part or DEFAULT_APP
        elif ":" in secret:
            secret, _, app = secret.partition(":")
        if not name or not role or not secret or not _APP_NAME.match(app):
            expected = "expected name:role:secret[:app] (app: letters, digits, - _ .)"
            problems.append(f"LG_API_KEYS[{index}]: {expected}")
            continue
        if role not in Role.__members__.values():
            allowed = ", ".join(r.value for r in Role)
            problems.append(f"LG_API_KEYS[{index}] ({name}): unknown role {role!r}; use {allowed}")
            continue
        if name in names:
            problems.append(f"LG_API_KEYS[{index}]: duplicate key name {name!r}")
            continue
        names.add(name)
        if secret.startswith("sha256:"):
            digest = secret.removeprefix("sha256:").lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                problems.append(f"LG_API_KEYS[{index}] ({name}): sha256 must be 64 hex digits")
                continue
        else:
            digest = hash_secret(secret)
        keys.append(ApiKey(name=name, role=Role(role), sha256=digest, app=app))
    if problems:
        raise ValueError("; ".join(problems))
    return keys


def find_key(keys: list[ApiKey], presented: str) -> ApiKey | None:
    """The key whose secret is `presented`, comparing against every key in constant time."""
    digest = hash_secret(presented)
    found: ApiKey | None = None
    for key in keys:
        # Compare with every key (no early exit) so timing says nothing about which matched.
        if hmac.compare_digest(key.sha256, digest):
            found = key
    return found


def generate_demo_keys() -> str:
    """A fresh `LG_API_KEYS` value with one key per role, for development only."""
    return ",".join(f"demo-{role.value}:{role.value}:lg_{secrets.token_urlsafe(24)}" for role in Role)

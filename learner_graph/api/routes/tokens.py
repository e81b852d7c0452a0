"""Learner tokens: an app's backend mints one so a browser or phone can act for one learner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from learner_graph import tokens
from learner_graph.api.deps import GraphDep, LearnerApp, OwnersDep, SettingsDep
from learner_graph.api_keys import Role
from learner_graph.errors import Conflict

router = APIRouter(prefix="/v1", tags=["learners"])


class TokenRequest(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    ttl_s: int = Field(default=900, ge=60, le=int(tokens.MAX_TTL.total_seconds()))


class TokenOut(BaseModel):
    token: str
    token_type: str = "Bearer"
    user_id: str
    app: str
    expires_at: datetime


@router.post("/learner-tokens")
async def mint_learner_token(
    key: LearnerApp, db: GraphDep, owners: OwnersDep, settings: SettingsDep, body: TokenRequest
) -> TokenOut:
    """A signed token for one learner of the key's app, for the attempt, recommendation, feedback
    and own-progress routes; it expires after `ttl_s` seconds (at most a day)."""
    await owners.check(db, key, body.user_id)
    # An admin mints in the learner's own app; a learner not stored yet joins the key's app.
    app = (await owners.app_of(db, body.user_id) if key.role is Role.ADMIN else None) or key.app
    try:
        minted = tokens.mint(
            secrets=settings.token_secrets,
            app=app,
            learner=body.user_id,
            now=datetime.now(UTC),
            ttl=timedelta(seconds=body.ttl_s),
        )
    except tokens.TokenError as error:
        raise Conflict(str(error)) from error
    return TokenOut(token=minted.token, user_id=body.user_id, app=minted.app, expires_at=minted.expires_at)

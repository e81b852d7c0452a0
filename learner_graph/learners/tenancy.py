"""Apps (tenants): a learner and everything about them belong to the app whose key first wrote them.

Another app's keys are told the learner does not exist (404, never 403: an app must not learn
which ids other apps use); admins see every app; a learner token reaches its own learner only.
"""

from __future__ import annotations

from collections import OrderedDict

from learner_graph.api_keys import ApiKey, Role
from learner_graph.db.graph import Graph
from learner_graph.errors import Forbidden, NotFound

CACHE_SIZE = 100_000


class Owners:
    """Which app each learner belongs to. A learner's app never changes while the learner exists,
    so answers are cached per process; `forget` drops a deleted learner."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._apps: OrderedDict[str, str] = OrderedDict()

    async def app_of(self, db: Graph, user_id: str) -> str | None:
        """The learner's app, or None when no such learner is stored."""
        app = self._apps.get(user_id)
        if app is not None:
            self._apps.move_to_end(user_id)
            return app
        rows = await db.read_plain("tenancy_user_app", user_id=user_id)
        if not rows:
            return None
        self._apps[user_id] = rows[0]["app"]
        if len(self._apps) > self.size:
            self._apps.popitem(last=False)
        return rows[0]["app"]

    def forget(self, user_id: str) -> None:
        self._apps.pop(user_id, None)

    async def check(self, db: Graph, caller: ApiKey, user_id: str) -> None:
        """Raise unless `caller` may see and write `user_id` (a learner not yet stored is allowed:
        the caller's write will create it in the caller's app)."""
        check_subject(caller, user_id)
        if caller.role is Role.ADMIN:
            return
        admit(caller, user_id, await self.app_of(db, user_id))

    async def app_for(self, db: Graph, caller: ApiKey, user_id: str) -> str:
        """`check`, then the app the learner belongs to (or will be created in)."""
        check_subject(caller, user_id)
        return admit(caller, user_id, await self.app_of(db, user_id))

    async def check_recommendation(self, db: Graph, caller: ApiKey, recommendation_id: str) -> None:
        """Raise NotFound unless the recommendation was served to a learner `caller` may see."""
        rows = await db.read_plain("tenancy_recommendation_owner", id=recommendation_id)
        if not rows:
            raise NotFound(f"unknown recommendation {recommendation_id!r}")
        owner = rows[0]
        if caller.learner is not None and caller.learner != owner["user_id"]:
            raise NotFound(f"unknown recommendation {recommendation_id!r}")
        if caller.role is not Role.ADMIN and owner["app"] != caller.app:
            raise NotFound(f"unknown recommendation {recommendation_id!r}")


def admit(caller: ApiKey, user_id: str, stored_app: str | None) -> str:
    """The app `user_id` belongs to (or will be created in) for `caller`, given the learner's
    stored app (None: not stored); NotFound when it is another app's learner.

    `Owners` reads the stored app by itself; a recommendation reads it with the learner's state
    (`rec_student_state`), one round trip fewer. The caller is `check_subject`ed first."""
    if caller.role is Role.ADMIN:
        return stored_app or caller.app
    if stored_app is not None and stored_app != caller.app:
        raise NotFound(f"unknown user {user_id!r}")
    return caller.app


def check_subject(caller: ApiKey, user_id: str) -> None:
    """A learner token may only act for its own learner."""
    if caller.learner is not None and caller.learner != user_id:
        raise Forbidden("this learner token is for another learner")

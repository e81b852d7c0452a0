"""`tenancy.admit`: which app a learner belongs to for a caller, given the learner's stored app
(the recommendation reads it with the learner's state; `Owners` reads it alone)."""

from __future__ import annotations

import pytest

from learner_graph.api_keys import ApiKey, Role
from learner_graph.errors import NotFound
from learner_graph.learners.tenancy import admit

APP_A = ApiKey(name="a", role=Role.LEARNER_APP, sha256="0" * 64, app="a")
ADMIN = ApiKey(name="root", role=Role.ADMIN, sha256="1" * 64, app="default")


def test_a_learner_of_the_callers_app_is_in_that_app() -> None:
    assert admit(APP_A, "u1", "a") == "a"


def test_a_learner_not_stored_yet_will_be_created_in_the_callers_app() -> None:
    assert admit(APP_A, "u1", None) == "a"


def test_another_apps_learner_does_not_exist_for_the_caller() -> None:
    with pytest.raises(NotFound) as raised:
        admit(APP_A, "u1", "b")
    assert raised.value.message == "unknown user 'u1'"


def test_an_admin_sees_every_app_and_creates_in_its_own() -> None:
    assert admit(ADMIN, "u1", "b") == "b"
    assert admit(ADMIN, "u1", None) == "default"

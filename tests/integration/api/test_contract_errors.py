"""Errors the framework raises keep the contract: 405 with the right Allow, 500 as JSON with the id."""

from __future__ import annotations

from fastapi.testclient import TestClient

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import auth


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.post("/v1/users/s-1", headers=auth("admin"))
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH, PUT"  # four routes share the path
    assert response.json()["error"]["code"] == "method_not_allowed" and response.json()["request_id"]
    assert client.delete("/v1/attempts", headers=auth("admin")).headers["allow"] == "POST"


def test_an_unexpected_error_is_json_with_the_request_id_and_no_trace(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"warm_up": False}))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.json()["request_id"] == "req-42" and response.headers["x-request-id"] == "req-42"
    assert "secret detail" not in response.text and "Traceback" not in response.text

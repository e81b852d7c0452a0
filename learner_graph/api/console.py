"""The web console (console/, built by `make console`) served at /console by the API itself."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles


def mount_console(app: FastAPI, directory: Path) -> None:
    """Serve the built single-page app at /console (and send / there); every asset comes from here."""

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    if (directory / "index.html").is_file():
        # The app routes by URL hash, so index.html and the hashed assets are all there is to serve.
        app.mount("/console", StaticFiles(directory=directory, html=True), name="console")
        return

    @app.get("/console", include_in_schema=False)
    @app.get("/console/{path:path}", include_in_schema=False)
    async def not_built(path: str = "") -> JSONResponse:
        message = f"the console is not built: run `make console` (looked in {directory})"
        return JSONResponse({"error": {"code": "not_built", "message": message, "details": []}}, 503)

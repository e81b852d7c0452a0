"""Write the API's OpenAPI document without a server: `python -m learner_graph.api.openapi_dump OUT`.

The console's TypeScript types are generated from it, so a route change breaks the console's build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from learner_graph.api.app import create_app
from learner_graph.config import Settings


def main(argv: list[str]) -> int:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    document = create_app(settings).openapi()
    Path(argv[0]).write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""`python -m benchmarks`: run every benchmark module listed in BENCHMARKS and print a summary."""

from __future__ import annotations

import importlib
import json
import sys

BENCHMARKS: list[str] = ["model_eval", "model_speed"]


def main() -> int:
    results = {}
    for name in BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        results[name] = module.run()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

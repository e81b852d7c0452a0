"""`python -m benchmarks [NAME ...]`: run the named benchmark modules (default: every one in
BENCHMARKS) and print a summary. `python -m benchmarks faults` runs the fault benchmark alone."""

from __future__ import annotations

import importlib
import json
import sys

# The benchmark graph first (built once, reused), then what runs against it, then the offline ones.
# content_import and simulate_* run against LG_NEO4J_URI and are run by hand (see docs/BENCHMARKS.md).
BENCHMARKS: list[str] = [
    "graph", "recommend", "attempts", "model_eval", "model_speed", "seed_simulation", "faults"
]


def main() -> int:
    results = {}
    for name in sys.argv[1:] or BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        results[name] = module.run()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

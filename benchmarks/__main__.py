"""`python -m benchmarks [NAME ...]`: run the named benchmark modules (default: every one in
BENCHMARKS) and print a summary; e.g. `python -m benchmarks faults` runs the fault benchmark alone."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

# The benchmark graph first (built once, reused), then what runs against it, then the offline ones.
# content_import and simulate_* run against LG_NEO4J_URI and are run by hand (see docs/BENCHMARKS.md);
# so is console, which also times pages on the demo's Neo4j (`python -m benchmarks console`).
BENCHMARKS: list[str] = [
    "graph", "recommend", "session", "attempts", "model_eval", "model_speed", "seed_simulation", "faults",
    "outcomes", "outcomes_ab",
]


def main(argv: list[str] | None = None) -> int:
    names = (sys.argv[1:] if argv is None else argv) or BENCHMARKS
    unknown = [name for name in names if not (Path(__file__).parent / f"{name}.py").exists()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    results = {}
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        results[name] = module.run()
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""How fast the learner simulator produces attempt histories (the benchmark graph needs about 1M)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from seed.curriculum import build_benchmark_curriculum
from seed.histories import simulate_histories


def run(*, n_students: int = 20000, attempts: int = 50) -> dict[str, Any]:
    """Build the benchmark curriculum, simulate `n_students` × `attempts` attempts, and time both."""
    started = time.perf_counter()
    document = build_benchmark_curriculum()
    built = time.perf_counter()
    n_rows = n_correct = 0
    for row in simulate_histories(
        document,
        n_students=n_students,
        attempts_per_student=(attempts, attempts),
        start=datetime(2025, 1, 6, tzinfo=UTC),
    ):
        n_rows += 1
        n_correct += row["correct"]
    simulated = time.perf_counter() - built
    return {
        "questions": len(document["questions"]),
        "concepts": len(document["concepts"]),
        "units": len(document["units"]),
        "curriculum_build_s": round(built - started, 2),
        "students": n_students,
        "attempts": n_rows,
        "simulation_s": round(simulated, 1),
        "attempts_per_s": round(n_rows / simulated),
        "success_rate": round(n_correct / n_rows, 3),
    }


if __name__ == "__main__":
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    print(run(n_students=students))

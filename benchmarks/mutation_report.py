"""Write `benchmarks/results/mutation.json` from the last `mutmut run` (see `make mutation`).

The kill ratio counts every mutant: killed / all, so a mutant no test reaches ("no tests") and a
survivor both count against it. Each survivor is listed with its diff and, when it is known to
be equivalent (no test can tell it from the original), the reason from `mutation_equivalent.json`.

A timeout is a mutant whose tests ran past mutmut's limit, usually a loop that never ends (read
its diff: a loaded machine can cause one too). Its tests did not pass, so it is detected, as PIT
and Stryker count it: it is listed with its diff and counted against the kill ratio, but needs
no equivalence reason; `detected_ratio` counts it with the killed ones.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "mutation.json"
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.json"
MUTMUT = [str(Path(sys.executable).parent / "mutmut")]
_LINE = re.compile(r"^\s+(\S+): (.+)$")


def _mutmut(*args: str) -> str:
    return subprocess.run([*MUTMUT, *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def _diff(name: str) -> str:
    """`mutmut show NAME` without its header, in process: a `mutmut show` process per survivor
    took over ten minutes for 150 survivors on the shared machine."""
    from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant

    return get_diff_for_mutant(name, path=find_mutant(name).path).strip()


def report(*, diffs: bool = True) -> dict[str, Any]:
    os.chdir(ROOT)  # mutmut reads its config and mutants/ from the working directory
    _mutmut("export-cicd-stats")
    counts = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    equivalent: dict[str, str] = json.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
    survivors = []
    for line in _mutmut("results").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        name, status = match.groups()
        if status == "not checked":
            continue
        diff = _diff(name) if diffs else None
        survivors.append(
            {"mutant": name, "status": status, "equivalent": equivalent.get(name), "diff": diff}
        )
    total = counts["total"]
    killed = counts["killed"]
    unexplained = [s["mutant"] for s in survivors if not s["equivalent"] and s["status"] != "timeout"]
    not_checked = total - killed - sum(counts[k] for k in ("survived", "no_tests", "timeout", "suspicious"))
    return {
        "tool": "mutmut",
        "total": total,
        "killed": killed,
        "survived": counts["survived"],
        "no_tests": counts["no_tests"],
        "timeout": counts["timeout"],
        "suspicious": counts["suspicious"],
        "not_checked": not_checked,
        "kill_ratio": round(killed / total, 4) if total else None,
        "kill_ratio_of_checked": round(killed / (total - not_checked), 4) if total > not_checked else None,
        "detected_ratio": round((killed + counts["timeout"]) / total, 4) if total else None,
        "kill_ratio_counting_equivalent_as_killed": (
            round((killed + sum(1 for s in survivors if s["equivalent"])) / total, 4) if total else None
        ),
        "unexplained_survivors": unexplained,
        "survivors": survivors,
    }


def main() -> None:
    figures = report(diffs="--no-diffs" not in sys.argv)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"mutation: {figures['killed']}/{figures['total']} killed ({figures['kill_ratio']:.1%}), "
        f"{len(figures['survivors'])} not killed, {len(figures['unexplained_survivors'])} unexplained "
        f"-> {RESULTS.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()

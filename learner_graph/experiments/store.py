"""Experiments as stored: a JSON definition plus the properties queries filter on."""

from __future__ import annotations

import json
from typing import Any

from learner_graph.experiments.models import Experiment, ExperimentCreate

# Kept as node properties (queried or changed in place), not inside the JSON definition.
_PROPERTIES = {"key", "uid", "status", "coverage", "start", "end", "created_at"}


def to_params(definition: ExperimentCreate) -> dict[str, Any]:
    """Query parameters for `experiment_create`."""
    body = definition.model_dump(mode="json", exclude=_PROPERTIES)
    body["seed"] = definition.seed or definition.key
    return {
        "key": definition.key,
        "definition": json.dumps(body, sort_keys=True),
        "coverage": definition.coverage,
        "namespace": definition.namespace.name if definition.namespace else None,
        "start": definition.start,
        "end": definition.end,
    }


def from_row(row: dict[str, Any]) -> Experiment:
    """An `Experiment` from the `e {.*}` map a query returned."""
    fields = json.loads(row["definition"])
    for name in _PROPERTIES:
        value = row.get(name)
        native = getattr(value, "to_native", None)  # neo4j DateTime -> datetime
        fields[name] = native() if native is not None else value
    return Experiment.model_validate(fields)

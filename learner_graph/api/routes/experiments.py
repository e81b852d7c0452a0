"""Routes of experiments: experimenters (product managers) and admins define, start and stop them;
analysts read them too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from learner_graph.api.deps import (
    CacheDep,
    Experimenter,
    ExperimentReader,
    ExperimentsDep,
    GraphDep,
    ModelsDep,
)
from learner_graph.experiments import service
from learner_graph.experiments.charts import lift_chart
from learner_graph.experiments.models import (
    LOWER_IS_BETTER,
    METRICS,
    CoverageUpdate,
    Experiment,
    ExperimentCreate,
)
from learner_graph.experiments.results import Results, results_csv
from learner_graph.experiments.results_cache import cached_results
from learner_graph.lists import Cursor, Limit, Page, page_of
from learner_graph.mixer.settings import OVERRIDABLE, Overrides

router = APIRouter(prefix="/v1", tags=["experiments"])


class OverrideRule(BaseModel):
    key: str
    type: Literal["number", "string"]
    min: float | None
    max: float | None


class ExperimentRules(BaseModel):
    """What a definition may contain, so a form can check it with the API's own bounds."""

    metrics: list[str]
    lower_is_better: list[str]
    overrides: list[OverrideRule]


@router.get("/experiment-rules", response_model=ExperimentRules)
async def experiment_rules(_: ExperimentReader) -> ExperimentRules:
    """The metrics results report and the settings an arm may override, with their bounds."""
    properties = Overrides.model_json_schema()["properties"]
    overrides = [_override_rule(key, properties[key]) for key in OVERRIDABLE]
    return ExperimentRules(
        metrics=list(METRICS), lower_is_better=sorted(LOWER_IS_BETTER), overrides=overrides
    )


def _override_rule(key: str, schema: dict[str, Any]) -> OverrideRule:
    """The type and bounds of one overridable setting, read from the settings model's JSON schema."""
    value = next(o for o in schema.get("anyOf", [schema]) if o.get("type") != "null")
    return OverrideRule(
        key=key,
        type="string" if value.get("type") == "string" else "number",
        min=value.get("minimum", value.get("exclusiveMinimum")),
        max=value.get("maximum", value.get("exclusiveMaximum")),
    )


@router.get("/experiments")
async def list_experiments(
    db: GraphDep, _: ExperimentReader, limit: Limit = 50, cursor: Cursor = None
) -> Page[Experiment]:
    return page_of(await service.list_experiments(db=db), limit=limit, cursor=cursor)


@router.post("/experiments", response_model=Experiment, status_code=201)
async def create_experiment(body: ExperimentCreate, db: GraphDep, _: Experimenter) -> Experiment:
    return await service.create_experiment(db=db, definition=body, now=datetime.now(UTC))


@router.get("/experiments/{key}", response_model=Experiment)
async def get_experiment(key: str, db: GraphDep, _: ExperimentReader) -> Experiment:
    return await service.get_experiment(db=db, key=key)


@router.post("/experiments/{key}/start", response_model=Experiment)
async def start_experiment(key: str, db: GraphDep, hot: ExperimentsDep, _: Experimenter) -> Experiment:
    return await service.start_experiment(db=db, key=key, now=datetime.now(UTC), hot=hot)


@router.post("/experiments/{key}/stop", response_model=Experiment)
async def stop_experiment(key: str, db: GraphDep, hot: ExperimentsDep, _: Experimenter) -> Experiment:
    return await service.stop_experiment(db=db, key=key, now=datetime.now(UTC), hot=hot)


@router.patch("/experiments/{key}", response_model=Experiment)
async def update_coverage(key: str, body: CoverageUpdate, db: GraphDep, _: Experimenter) -> Experiment:
    return await service.set_coverage(db=db, key=key, coverage=body.coverage)


@router.put("/experiments/{key}", response_model=Experiment)
async def update_draft(key: str, body: ExperimentCreate, db: GraphDep, _: Experimenter) -> Experiment:
    """Replace a draft's definition (checked as on create); 409 once it has started."""
    return await service.update_draft(db=db, key=key, definition=body)


class DailyExposures(BaseModel):
    day: str
    arm: str
    exposed: int


@router.get("/experiments/{key}/exposures", response_model=list[DailyExposures])
async def exposures(key: str, db: GraphDep, _: ExperimentReader) -> list[dict[str, Any]]:
    """First exposures per arm and UTC day, oldest first."""
    return await service.exposures_daily(db=db, key=key)


@router.get(
    "/experiments/{key}/results",
    response_model=Results,
    responses={200: {"content": {"text/csv": {}, "image/png": {}}}},
)
async def get_results(
    key: str,
    db: GraphDep,
    cache: CacheDep,
    models: ModelsDep,
    _: ExperimentReader,
    format: Literal["json", "csv", "png"] = Query(default="json"),
) -> Results | Response:
    """Per-arm counts, the sample-ratio check and every metric compared with control; reused from
    Redis while no attempt, exposure or learner has changed since (`results_cache`)."""
    results = await cached_results(db=db, cache=cache, models=models, key=key, now=datetime.now(UTC))
    if format == "csv":
        return Response(results_csv(results), media_type="text/csv", headers=_attachment(key, "csv"))
    if format == "png":
        return Response(lift_chart(results), media_type="image/png")
    return results


def _attachment(key: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{key}-results.{extension}"'}

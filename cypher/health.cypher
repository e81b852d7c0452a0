// Queries the service uses to judge its own readiness.

-- name: schema_constraint_names
-- Names of the constraints and indexes present, to tell whether the schema is applied.
SHOW INDEXES YIELD name RETURN collect(name) AS names

-- name: health_probe
-- The cheapest statement that needs the database to be up (the breaker's recovery step).
RETURN 1 AS ok

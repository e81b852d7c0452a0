// Content traversals: units to questions, prerequisite closures, a unit's tree.
// Variable-length bounds cannot be parameters, so paths are capped at 32 hops (the API's
// largest max_depth) and filtered by $max_depth.

-- name: content_resolve_units
-- Resolve many units to their questions at depth 1..$max_depth, deduplicated and sorted, plus unknown unit ids.
UNWIND $unit_ids AS unit_id
OPTIONAL MATCH (u:Unit {id: unit_id})
WITH collect(DISTINCT u) AS units, collect(CASE WHEN u IS NULL THEN unit_id END) AS missing
CALL (units) {
  UNWIND units AS u
  MATCH path = (u)-[:CONTAINS*1..32]->(q:Question)
  WHERE length(path) <= $max_depth
  WITH DISTINCT q.id AS id
  ORDER BY id
  RETURN collect(id) AS question_ids
}
RETURN missing, question_ids

-- name: content_prerequisites
-- A concept's transitive prerequisites within $max_depth: shortest and longest distance, nearest first.
MATCH (c:Concept {id: $concept_id})
OPTIONAL MATCH path = (c)-[:REQUIRES*1..32]->(p:Concept)
WHERE length(path) <= $max_depth
WITH c, p, min(length(path)) AS depth, max(length(path)) AS longest
ORDER BY depth, p.id
RETURN c.id AS concept_id,
  collect(CASE WHEN p IS NOT NULL THEN {id: p.id, name: p.name, depth: depth, longest: longest} END) AS items

-- name: content_dependents
-- The concepts that (transitively) require a concept within $max_depth, nearest first.
MATCH (c:Concept {id: $concept_id})
OPTIONAL MATCH path = (d:Concept)-[:REQUIRES*1..32]->(c)
WHERE length(path) <= $max_depth
WITH c, d, min(length(path)) AS depth, max(length(path)) AS longest
ORDER BY depth, d.id
RETURN c.id AS concept_id,
  collect(CASE WHEN d IS NOT NULL THEN {id: d.id, name: d.name, depth: depth, longest: longest} END) AS items

-- name: content_unit_tree
-- The units under a unit (itself included) within $max_depth, each with its direct children in order.
MATCH path = (:Unit {id: $unit_id})-[:CONTAINS*0..32]->(u:Unit)
WHERE length(path) <= $max_depth
WITH DISTINCT u
RETURN u {
  .id, .name, .kind,
  units: COLLECT { MATCH (u)-[r:CONTAINS]->(c:Unit) RETURN c.id ORDER BY r.position, c.id },
  questions: COLLECT { MATCH (u)-[r:CONTAINS]->(q:Question) RETURN q.id ORDER BY r.position, q.id }
} AS unit

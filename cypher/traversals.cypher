// Content traversals: units to questions, prerequisite closures, a unit's tree.
// No variable-length pattern: learner_graph/content/traversals.py walks the graph one level per
// query (breadth first, each node expanded once, inside one read transaction), every level
// capped in rows by $limit, and computes depths in Python, so no path is ever enumerated.

-- name: content_units_found
-- The units among $unit_ids that exist, with what a tree shows of them.
UNWIND $unit_ids AS unit_id
MATCH (u:Unit {id: unit_id})
RETURN u.id AS id, u.name AS name, u.kind AS kind

-- name: content_units_children
-- One level of the unit graph: the direct children of some units in order, at most $limit rows.
UNWIND $ids AS parent
MATCH (:Unit {id: parent})-[r:CONTAINS]->(c)
WHERE c:Unit OR c:Question
WITH parent, r, c
ORDER BY parent, r.position, c.id
RETURN parent AS source, c.id AS id, c:Question AS leaf, c.name AS name, c.kind AS kind
LIMIT $limit

-- name: content_unit_subunits_level
-- One level of the unit graph, units only (a cycle check): the child units of some units, at most $limit rows.
UNWIND $ids AS parent
MATCH (:Unit {id: parent})-[:CONTAINS]->(c:Unit)
RETURN parent AS source, c.id AS id
LIMIT $limit

-- name: content_concept_found
-- The concept, if it exists.
MATCH (c:Concept {id: $concept_id})
RETURN c.id AS id

-- name: content_requires_level
-- One level of the prerequisite graph: the direct prerequisites of some concepts, at most $limit rows.
UNWIND $ids AS concept_id
MATCH (:Concept {id: concept_id})-[:REQUIRES]->(p:Concept)
RETURN concept_id AS source, p.id AS id, false AS leaf, p.name AS name
LIMIT $limit

-- name: content_required_by_level
-- One level of the dependents graph: the concepts directly requiring some concepts, at most $limit rows.
UNWIND $ids AS concept_id
MATCH (:Concept {id: concept_id})<-[:REQUIRES]-(d:Concept)
RETURN concept_id AS source, d.id AS id, false AS leaf, d.name AS name
LIMIT $limit

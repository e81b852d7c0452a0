// Units and their containment edges. A unit's view is its content-document entry.

-- name: content_units_by_id
-- Unit views for the given ids (all units when $ids is null), by id; children keep their order.
MATCH (u:Unit)
WHERE $ids IS NULL OR u.id IN $ids
WITH u ORDER BY u.id
RETURN u {
  .id, .name, .kind, .filter_scope,
  units: COLLECT { MATCH (u)-[r:CONTAINS]->(c:Unit) RETURN c.id ORDER BY r.position, c.id },
  questions: COLLECT { MATCH (u)-[r:CONTAINS]->(q:Question) RETURN q.id ORDER BY r.position, q.id }
} AS unit

-- name: content_units_page
-- A page of unit views filtered by kind, text, an ancestor unit (the ids under it, or null) and a concept its own questions assess, by id.
// $under: the unit ids an ancestor holds at any depth, read beforehand level by level within the
// traversal budget (traversals.under_unit), never by a variable-length pattern here.
CALL () {
  WITH $text AS words WHERE words IS NOT NULL AND words <> ''
  CALL db.index.fulltext.queryNodes('unit_text', words) YIELD node
  RETURN collect(node) AS hits
}
CALL () {
  OPTIONAL MATCH (:Concept {id: $concept})<-[:ASSESSES]-(:Question)<-[:CONTAINS]-(x:Unit)
  RETURN collect(DISTINCT x) AS holding
}
MATCH (u:Unit)
WHERE ($kind IS NULL OR u.kind = $kind)
  AND ($text IS NULL OR u IN hits)
  AND ($under IS NULL OR u.id IN $under)
  AND ($concept IS NULL OR u IN holding)
WITH u ORDER BY u.id
WITH collect(u) AS matched
WITH size(matched) AS total, matched[$offset..$offset + $limit] AS page
CALL (page) {
  UNWIND page AS u
  RETURN collect(u {
    .id, .name, .kind, .filter_scope,
    units: COLLECT { MATCH (u)-[r:CONTAINS]->(c:Unit) RETURN c.id ORDER BY r.position, c.id },
    questions: COLLECT { MATCH (u)-[r:CONTAINS]->(q:Question) RETURN q.id ORDER BY r.position, q.id }
  }) AS items
}
RETURN total, items

-- name: content_unit_create
-- Create a unit and its ordered children (the caller checked that they exist).
CREATE (u:Unit {id: $id, name: $name, kind: $kind, filter_scope: $filter_scope})
WITH u
CALL (u) {
  UNWIND range(0, size($units) - 1) AS i
  MATCH (c:Unit {id: $units[i]})
  CREATE (u)-[:CONTAINS {position: i}]->(c)
}
CALL (u) {
  UNWIND range(0, size($questions) - 1) AS i
  MATCH (q:Question {id: $questions[i]})
  CREATE (u)-[:CONTAINS {position: i}]->(q)
}

-- name: content_unit_update
-- Set a unit's fields to the merged values the caller computed.
MATCH (u:Unit {id: $id})
SET u.name = $name, u.kind = $kind, u.filter_scope = $filter_scope

-- name: content_unit_delete
-- Delete a unit with its edges; its children stay (they may sit in other units).
MATCH (u:Unit {id: $id})
DETACH DELETE u

-- name: content_unit_child_check
-- Whether parent CONTAINS child already (the cycle check walks level by level: traversals.path_between).
MATCH (parent:Unit {id: $parent_id}), (child:Unit {id: $child_id})
RETURN EXISTS { (parent)-[:CONTAINS]->(child) } AS present

-- name: content_unit_add_unit
-- Append a child unit after the parent's last child unit.
MATCH (parent:Unit {id: $parent_id}), (child:Unit {id: $child_id})
CALL (parent) {
  OPTIONAL MATCH (parent)-[r:CONTAINS]->(:Unit)
  RETURN coalesce(max(r.position) + 1, 0) AS next
}
MERGE (parent)-[r:CONTAINS]->(child)
ON CREATE SET r.position = next

-- name: content_unit_question_present
-- Whether the unit contains the question directly.
MATCH (parent:Unit {id: $parent_id})
RETURN EXISTS { (parent)-[:CONTAINS]->(:Question {id: $child_id}) } AS present

-- name: content_unit_add_question
-- Append a question after the unit's last question.
MATCH (parent:Unit {id: $parent_id}), (child:Question {id: $child_id})
CALL (parent) {
  OPTIONAL MATCH (parent)-[r:CONTAINS]->(:Question)
  RETURN coalesce(max(r.position) + 1, 0) AS next
}
MERGE (parent)-[r:CONTAINS]->(child)
ON CREATE SET r.position = next

-- name: content_unit_remove_child
-- Remove parent CONTAINS child where the child is a unit ($kind 'unit') or a question; returns 0 or 1.
OPTIONAL MATCH (:Unit {id: $parent_id})-[r:CONTAINS]->(child {id: $child_id})
WHERE ($kind = 'unit' AND child:Unit) OR ($kind = 'question' AND child:Question)
DELETE r
RETURN count(r) AS removed

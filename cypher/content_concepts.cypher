// Concepts and their prerequisite edges. A concept's view is its content-document entry.

-- name: content_concepts_by_id
-- Concept views for the given ids (all concepts when $ids is null), by id.
MATCH (c:Concept)
WHERE $ids IS NULL OR c.id IN $ids
WITH c ORDER BY c.id
RETURN c {
  .id, .name, .description, .subject,
  requires: COLLECT { MATCH (c)-[:REQUIRES]->(p:Concept) RETURN p.id ORDER BY p.id }
} AS concept

-- name: content_concepts_page
-- A page of concept views filtered by subject, unit (what the questions under it assess) and text, by id.
// $under: the question ids a unit holds at any depth (or null), read beforehand level by level
// within the traversal budget (traversals.under_unit), never by a variable-length pattern here.
CALL () {
  WITH $text AS words WHERE words IS NOT NULL AND words <> ''
  CALL db.index.fulltext.queryNodes('concept_text', words) YIELD node
  RETURN collect(node) AS hits
}
CALL () {
  UNWIND coalesce($under, []) AS id
  MATCH (:Question {id: id})-[:ASSESSES]->(assessed:Concept)
  RETURN collect(DISTINCT assessed) AS under
}
MATCH (c:Concept)
WHERE ($subject IS NULL OR c.subject = $subject)
  AND ($text IS NULL OR c IN hits)
  AND ($under IS NULL OR c IN under)
WITH c ORDER BY c.id
WITH collect(c) AS matched
WITH size(matched) AS total, matched[$offset..$offset + $limit] AS page
CALL (page) {
  UNWIND page AS c
  RETURN collect(c {
    .id, .name, .description, .subject,
    requires: COLLECT { MATCH (c)-[:REQUIRES]->(p:Concept) RETURN p.id ORDER BY p.id }
  }) AS items
}
RETURN total, items

-- name: content_concept_create
-- Create a concept and its prerequisite edges (the caller checked that the prerequisites exist).
CREATE (c:Concept {id: $id, name: $name, description: $description, subject: $subject})
WITH c
UNWIND $requires AS prerequisite_id
MATCH (p:Concept {id: prerequisite_id})
MERGE (c)-[:REQUIRES]->(p)

-- name: content_concept_update
-- Set a concept's fields to the merged values the caller computed.
MATCH (c:Concept {id: $id})
SET c.name = $name, c.description = $description, c.subject = $subject

-- name: content_concept_dependents
-- What would lose something if the concept went: concepts requiring it, questions assessing it, review states.
MATCH (c:Concept {id: $id})
RETURN
  COLLECT { MATCH (d:Concept)-[:REQUIRES]->(c) RETURN d.id ORDER BY d.id } AS concepts,
  COLLECT { MATCH (q:Question)-[:ASSESSES]->(c) RETURN q.id ORDER BY q.id } AS questions,
  COUNT { MATCH (m:Memory {concept_id: $id}) } AS memories

-- name: content_concept_delete
-- Delete a concept with all its edges and the learners' review states of it.
MATCH (c:Concept {id: $id})
CALL (c) { MATCH (m:Memory {concept_id: c.id}) DETACH DELETE m }
DETACH DELETE c

-- name: content_prerequisite_check
-- Whether c REQUIRES p already exists (the cycle check walks level by level: traversals.path_between).
MATCH (c:Concept {id: $concept_id}), (p:Concept {id: $prerequisite_id})
RETURN EXISTS { (c)-[:REQUIRES]->(p) } AS present

-- name: content_prerequisite_add
-- Add the edge c REQUIRES p (checked for cycles by the caller in this transaction).
MATCH (c:Concept {id: $concept_id}), (p:Concept {id: $prerequisite_id})
MERGE (c)-[:REQUIRES]->(p)

-- name: content_prerequisite_remove
-- Remove the edge c REQUIRES p; returns how many edges went (0 or 1).
OPTIONAL MATCH (:Concept {id: $concept_id})-[r:REQUIRES]->(:Concept {id: $prerequisite_id})
DELETE r
RETURN count(r) AS removed

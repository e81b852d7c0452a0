// Bulk import and export of the content document: batched with UNWIND, one transaction.

-- name: content_import_edges
-- Every prerequisite and unit-in-unit edge, to check a document for cycles against the graph.
RETURN
  COLLECT { MATCH (c:Concept)-[:REQUIRES]->(p:Concept) RETURN [c.id, p.id] } AS requires,
  COLLECT { MATCH (u:Unit)-[:CONTAINS]->(c:Unit) RETURN [u.id, c.id] } AS contains

-- name: content_import_concepts
-- Upsert concepts and drop their prerequisite edges (re-created by content_import_requires).
UNWIND $rows AS row
MERGE (c:Concept {id: row.id})
SET c.name = row.name, c.description = row.description, c.subject = row.subject
WITH c
CALL (c) {
  MATCH (c)-[r:REQUIRES]->()
  DELETE r
}
RETURN count(*) AS written

-- name: content_import_units
-- Upsert units and drop their containment edges (re-created by content_import_contains).
UNWIND $rows AS row
MERGE (u:Unit {id: row.id})
SET u.name = row.name, u.kind = row.kind, u.filter_scope = row.filter_scope
WITH u
CALL (u) {
  MATCH (u)-[r:CONTAINS]->()
  DELETE r
}
RETURN count(*) AS written

-- name: content_import_questions
-- Upsert questions and replace the concepts they assess (concepts are written first).
UNWIND $rows AS row
MERGE (q:Question {id: row.id})
ON CREATE SET q.created_at = datetime()
SET q.text = row.text, q.difficulty_tag = row.difficulty_tag, q.answer = row.answer, q.updated_at = datetime()
WITH q, row
CALL (q) {
  MATCH (q)-[a:ASSESSES]->()
  DELETE a
}
CALL (q, row) {
  UNWIND row.concepts AS link
  MATCH (c:Concept {id: link.id})
  CREATE (q)-[:ASSESSES {weight: link.weight}]->(c)
}
RETURN count(*) AS written

-- name: content_import_requires
-- Re-create the prerequisite edges of the imported concepts.
UNWIND $rows AS row
MATCH (c:Concept {id: row.id})
UNWIND row.requires AS prerequisite_id
MATCH (p:Concept {id: prerequisite_id})
MERGE (c)-[:REQUIRES]->(p)
RETURN count(*) AS written

-- name: content_import_contains
-- Re-create the ordered children of the imported units.
UNWIND $rows AS row
MATCH (u:Unit {id: row.id})
CALL (u, row) {
  UNWIND range(0, size(row.units) - 1) AS i
  MATCH (c:Unit {id: row.units[i]})
  CREATE (u)-[:CONTAINS {position: i}]->(c)
}
CALL (u, row) {
  UNWIND range(0, size(row.questions) - 1) AS i
  MATCH (q:Question {id: row.questions[i]})
  CREATE (u)-[:CONTAINS {position: i}]->(q)
}
RETURN count(*) AS written

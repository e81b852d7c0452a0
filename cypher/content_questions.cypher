// Questions and the concepts they assess. A question's view is its content-document entry
// (answer metadata is stored as a JSON string and parsed by the service).

-- name: content_questions_by_id
-- Question views for the given ids (all questions when $ids is null), by id.
MATCH (q:Question)
WHERE $ids IS NULL OR q.id IN $ids
WITH q ORDER BY q.id
RETURN q {
  .id, .text, .difficulty_tag, .answer,
  concepts: COLLECT { MATCH (q)-[a:ASSESSES]->(c:Concept) RETURN {id: c.id, weight: a.weight} AS link ORDER BY c.id }
} AS question

-- name: content_questions_page
-- A page of question views filtered by subject, unit (the ids under it, or null), concept, difficulty and text, by id.
// $under: the question ids a unit holds at any depth, read beforehand level by level within the
// traversal budget (traversals.under_unit), never by a variable-length pattern here.
CALL () {
  WITH $text AS words WHERE words IS NOT NULL AND words <> ''
  CALL db.index.fulltext.queryNodes('question_text', words) YIELD node
  RETURN collect(node) AS hits
}
MATCH (q:Question)
WHERE ($text IS NULL OR q IN hits)
  AND ($difficulty IS NULL OR q.difficulty_tag = $difficulty)
  AND ($concept IS NULL OR EXISTS { MATCH (q)-[:ASSESSES]->(:Concept {id: $concept}) })
  AND ($subject IS NULL OR EXISTS { MATCH (q)-[:ASSESSES]->(:Concept {subject: $subject}) })
  AND ($under IS NULL OR q.id IN $under)
WITH q ORDER BY q.id
WITH collect(q) AS matched
WITH size(matched) AS total, matched[$offset..$offset + $limit] AS page
CALL (page) {
  UNWIND page AS q
  RETURN collect(q {
    .id, .text, .difficulty_tag, .answer,
    concepts: COLLECT { MATCH (q)-[a:ASSESSES]->(c:Concept) RETURN {id: c.id, weight: a.weight} AS link ORDER BY c.id }
  }) AS items
}
RETURN total, items

-- name: content_question_write
-- Create or overwrite a question and replace the concepts it assesses (the caller checked they exist).
MERGE (q:Question {id: $id})
ON CREATE SET q.created_at = datetime()
SET q.text = $text, q.difficulty_tag = $difficulty_tag, q.answer = $answer, q.updated_at = datetime()
WITH q
CALL (q) {
  MATCH (q)-[a:ASSESSES]->()
  DELETE a
}
CALL (q) {
  UNWIND $concepts AS link
  MATCH (c:Concept {id: link.id})
  CREATE (q)-[:ASSESSES {weight: link.weight}]->(c)
}

-- name: content_question_dependents
-- Learner data hanging on a question: its attempts; and the units that contain it.
MATCH (q:Question {id: $id})
RETURN COUNT { MATCH (:Attempt)-[:OF]->(q) } AS attempts,
       COLLECT { MATCH (u:Unit)-[:CONTAINS]->(q) RETURN u.id ORDER BY u.id } AS units

-- name: content_question_delete
-- Delete a question with its edges (attempt nodes stay, keyed by question_id).
MATCH (q:Question {id: $id})
DETACH DELETE q

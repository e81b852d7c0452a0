// Content: the write lock, version counter and audit trail every content write goes through,
// and the id lookups shared by the concept, unit, question and import services.

-- name: content_lock
-- Lock the content Meta node first in every content write so cycle checks and version bumps serialise.
MERGE (m:Meta {key: 'content'})
ON CREATE SET m.version = 0, m.epoch = randomUUID()  // a new graph: caches keyed on the version restart
SET m.version = m.version
RETURN m.version AS version

-- name: content_record_changes
-- Bump the content version once and write one audit record per change, in the caller's transaction.
MATCH (m:Meta {key: 'content'})
SET m.version = m.version + 1
WITH m
UNWIND $changes AS change
CREATE (:ContentChange {
  id: randomUUID(), at: datetime(), author: $author, entity: change.entity,
  entity_id: change.entity_id, action: change.action, before: change.before, after: change.after,
  version: m.version
})
RETURN m.version AS version, count(*) AS recorded

-- name: content_version
-- The current content version: 0 before the first change.
OPTIONAL MATCH (m:Meta {key: 'content'})
RETURN coalesce(m.version, 0) AS version

-- name: content_changes
-- Audit records filtered by entity, entity id, author and time window, newest first.
MATCH (c:ContentChange)
WHERE ($entity IS NULL OR c.entity = $entity)
  AND ($entity_id IS NULL OR c.entity_id = $entity_id)
  AND ($author IS NULL OR c.author = $author)
  AND ($since IS NULL OR c.at >= datetime($since))
  AND ($until IS NULL OR c.at < datetime($until))
WITH c ORDER BY c.version DESC, c.entity, c.entity_id, c.at
WITH collect(c) AS matched
WITH size(matched) AS total, matched[$offset..$offset + $limit] AS page
CALL (page) {
  UNWIND page AS c
  RETURN collect(c {
    .id, .author, .entity, .entity_id, .action, .before, .after, .version, at: toString(c.at)
  }) AS items
}
RETURN total, items

-- name: content_existing_ids
-- Which of the given concept, unit and question ids exist.
RETURN
  COLLECT { MATCH (c:Concept) WHERE c.id IN $concepts RETURN c.id } AS concepts,
  COLLECT { MATCH (u:Unit) WHERE u.id IN $units RETURN u.id } AS units,
  COLLECT { MATCH (q:Question) WHERE q.id IN $questions RETURN q.id } AS questions

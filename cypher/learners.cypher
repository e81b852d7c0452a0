// Learner events: attempts, review state, activity and the learner read routes.

-- name: attempts_content
-- What a batch's questions assess: one row per concept with [question, found, weight] triples and its prerequisites by level.
// Questions that do not exist (found false) or assess nothing come in the row whose concept is null.
// Prerequisites are read three levels down (IMPLICIT_DEPTH in memory.py) level by level, never
// path by path: each level expands the distinct concepts of the one before, at most $limit edges.
// `levels` holds each level's concept ids, `edges` each level's edges read (a level over
// IMPLICIT_MAX_EDGES is refused by the caller; memory.shortest_depths gives each concept's depth).
UNWIND $question_ids AS qid
OPTIONAL MATCH (q:Question {id: qid})
OPTIONAL MATCH (q)-[r:ASSESSES]->(c:Concept)
WITH c, collect([qid, q IS NOT NULL, coalesce(r.weight, 1.0)]) AS asked
CALL (c) {
  OPTIONAL MATCH (c)-[:REQUIRES]->(p:Concept)
  WITH p LIMIT $limit
  RETURN collect(DISTINCT p) AS level1, count(p) AS edges1
}
CALL (level1) {
  UNWIND level1 AS x
  MATCH (x)-[:REQUIRES]->(p:Concept)
  WITH p LIMIT $limit
  RETURN collect(DISTINCT p) AS level2, count(p) AS edges2
}
CALL (level2) {
  UNWIND level2 AS x
  MATCH (x)-[:REQUIRES]->(p:Concept)
  WITH p LIMIT $limit
  RETURN collect(DISTINCT p) AS level3, count(p) AS edges3
}
RETURN c.id AS concept_id, asked, [edges1, edges2, edges3] AS edges,
       [level IN [level1, level2, level3] | [p IN level | p.id]] AS levels

-- name: attempts_lock_users
-- Create unseen users (in $app), write-lock every user of the batch in id order, and read their review states.
// States of the concepts the batch touches, found from each user, with their node ids (what
// `memory_write` updates through); the two times as ISO strings (cheaper to decode than driver
// datetimes). A user without any comes as one row with a null node. `foreign` (another app's
// learner) and `deleted` (deleting or tombstoned) are read after the lock.
UNWIND $user_ids AS uid
MERGE (u:User {id: uid})
  ON CREATE SET u.created_at = $now, u.timezone = 'UTC', u.app = $app
SET u.last_write = $now
WITH u, uid,
     (NOT $any_app AND coalesce(u.app, 'default') <> $app) AS foreign,
     (coalesce(u.deleting, false) OR EXISTS { MATCH (:Tombstone {user_id: u.id}) }) AS deleted
OPTIONAL MATCH (u)-[:HAS_MEMORY]->(m:Memory)
WHERE m.concept_id IN $concept_ids
RETURN uid AS user_id, foreign, deleted, m.concept_id AS concept_id, elementId(m) AS node,
       m {.*, due: toString(m.due), last_review: toString(m.last_review)} AS state

-- name: attempts_merge
-- Create each attempt once (its id is the client's idempotency key); report which are new.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
MATCH (q:Question {id: row.question_id})
MERGE (a:Attempt {id: row.attempt_id})
  ON CREATE SET a += row.props, a.at = datetime(row.at), a.new_ = true
WITH u, q, a, row, a.new_ IS NOT NULL AS created
CALL (u, q, a, created) {
  WITH u, q, a, created WHERE created
  CREATE (u)-[:ATTEMPTED]->(a)-[:OF]->(q)
}
CALL (a, row, created) {
  WITH a, row, created WHERE created AND row.props.recommendation_id IS NOT NULL
  MATCH (r:Recommendation {id: row.props.recommendation_id})
  CREATE (a)-[:FROM]->(r)
}
REMOVE a.new_
RETURN row.index AS index, a.id AS attempt_id, created,
       a.user_id AS user_id, a.question_id AS question_id, a.correct AS correct

-- name: memory_write
-- Store review states computed in Python, one row per (user, concept).
// A state is a node of its learner's own, (:User)-[:HAS_MEMORY]->(:Memory {user_id, concept_id}),
// never a relationship on the concept: the concept is shared by every learner of it, and
// relationships spliced into its chains locked each other's neighbours (deadlocks between two
// learners answering on one concept). The caller holds the user's lock, so nobody else can be
// creating the same state; the memory_key constraint would refuse a second one anyway.
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.node IS NOT NULL
  MATCH (m:Memory) WHERE elementId(m) = row.node
  SET m += row.state, m.due = datetime(row.due), m.last_review = datetime(row.last_review),
      m.updated_at = $now
}
CALL (row) {
  WITH row WHERE row.node IS NULL
  MATCH (u:User {id: row.user_id})
  CREATE (u)-[:HAS_MEMORY]->(m:Memory {user_id: row.user_id, concept_id: row.concept_id})
  SET m += row.state, m.due = datetime(row.due), m.last_review = datetime(row.last_review),
      m.updated_at = $now
}

-- name: user_get
-- A user's profile.
MATCH (u:User {id: $user_id})
RETURN u {.id, .display_name, .timezone, .created_at, .goal_day, .goal_base} AS user

-- name: user_update
-- Change a user's time zone or display name.
MATCH (u:User {id: $user_id})
SET u += $changes
RETURN u {.id, .display_name, .timezone, .created_at} AS user

-- name: user_memory
-- Every review state of a user with the concept's name.
MATCH (:User {id: $user_id})-[:HAS_MEMORY]->(m:Memory)
MATCH (c:Concept {id: m.concept_id})
RETURN c.id AS concept_id, c.name AS name, properties(m) AS state
ORDER BY concept_id

-- name: user_activity
-- The time and duration of a user's attempts since a moment, for days and streaks.
MATCH (a:Attempt)
WHERE a.user_id = $user_id AND a.at >= $since
RETURN a.at AS at, a.time_ms AS time_ms

-- name: user_attempts_page
-- A page of a user's attempts, newest first.
MATCH (a:Attempt)
WHERE a.user_id = $user_id AND a.at IS NOT NULL  // both properties of attempt_user_at, or a label scan
  AND ($before IS NULL OR a.at < $before OR (a.at = $before AND a.id < $before_id))
RETURN a {.id, .question_id, .correct, .at, .time_ms, .response, .recommendation_id} AS attempt
ORDER BY a.at DESC, a.id DESC
LIMIT $limit

-- name: concept_graph
-- Every concept with its direct prerequisites (for ready-to-learn).
MATCH (c:Concept)
OPTIONAL MATCH (c)-[:REQUIRES]->(p:Concept)
RETURN c.id AS concept_id, c.name AS name, collect(p.id) AS requires
ORDER BY concept_id

-- name: questions_existing
-- Which of some question ids exist.
MATCH (q:Question)
WHERE q.id IN $question_ids
RETURN collect(q.id) AS ids

-- name: attempts_count
-- How many attempts the graph holds.
MATCH (a:Attempt)
RETURN count(a) AS attempts

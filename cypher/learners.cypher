// Learner events: attempts, review state, activity and the learner read routes.

-- name: attempts_missing_questions
-- Question ids of a batch that do not exist (checked inside the write transaction).
UNWIND $question_ids AS qid
OPTIONAL MATCH (q:Question {id: qid})
WITH qid, q WHERE q IS NULL
RETURN collect(qid) AS missing

-- name: attempts_lock_users
-- Create unseen users (in $app), write-lock all in id order; list those of another app or deleted (read after the lock).
UNWIND $user_ids AS uid
MERGE (u:User {id: uid})
  ON CREATE SET u.created_at = $now, u.timezone = 'UTC', u.app = $app
SET u.last_write = $now
RETURN count(u) AS locked,
       collect(CASE WHEN NOT $any_app AND coalesce(u.app, 'default') <> $app THEN u.id END) AS foreign,
       collect(CASE WHEN u.deleting OR EXISTS { MATCH (:Tombstone {user_id: u.id}) } THEN u.id END) AS deleted

-- name: attempts_merge
-- Create each attempt once (its id is the client's idempotency key); report which are new.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
MATCH (q:Question {id: row.question_id})
MERGE (a:Attempt {id: row.attempt_id})
  ON CREATE SET a += row.props, a.new_ = true
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

-- name: attempts_concepts
-- The concepts each question assesses, with their weights.
MATCH (q:Question)-[r:ASSESSES]->(c:Concept)
WHERE q.id IN $question_ids
RETURN q.id AS question_id, c.id AS concept_id, coalesce(r.weight, 1.0) AS weight

-- name: attempts_prerequisites
-- Prerequisites up to three levels below each concept (the implicit-credit depth), at their shortest depth.
MATCH path = (c:Concept)-[:REQUIRES*1..3]->(p:Concept)
WHERE c.id IN $concept_ids
RETURN c.id AS concept_id, p.id AS prerequisite_id, min(length(path)) AS depth

-- name: memory_for_users
-- Current review states of some users on some concepts.
MATCH (u:User)-[m:MEMORY]->(c:Concept)
WHERE u.id IN $user_ids AND c.id IN $concept_ids
RETURN u.id AS user_id, c.id AS concept_id, properties(m) AS state

-- name: memory_write
-- Store updated review states.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
MATCH (c:Concept {id: row.concept_id})
MERGE (u)-[m:MEMORY]->(c)
SET m += row.state, m.updated_at = $now

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
MATCH (u:User {id: $user_id})-[m:MEMORY]->(c:Concept)
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

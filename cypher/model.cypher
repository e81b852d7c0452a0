// The success model: attempt export, question metadata and model versions.

-- name: model_question_meta
-- Text, difficulty tag and weighted concepts of the questions (all when $question_ids is null).
MATCH (q:Question)
WHERE $question_ids IS NULL OR q.id IN $question_ids
OPTIONAL MATCH (q)-[r:ASSESSES]->(c:Concept)
RETURN q.id AS id, q.text AS text, q.difficulty_tag AS difficulty_tag,
       collect({id: c.id, weight: r.weight}) AS concepts

-- name: model_export_attempts
-- One batch of students after $after by id, each with their attempts (in scope) in time order.
MATCH (u:User) WHERE u.id > $after
WITH u ORDER BY u.id LIMIT $limit
OPTIONAL MATCH (u)-[:ATTEMPTED]->(a:Attempt)-[:OF]->(q:Question)
WHERE $question_ids IS NULL OR q.id IN $question_ids
WITH u, a, q ORDER BY u.id, a.at
// A student without attempts in scope still ends the batch, so paging goes on past them. A time
// leaves as POSIX seconds, the float Python's datetime.timestamp() gives for it (whole microseconds
// over 1e6): the driver's DateTime took most of a training's export (50k attempts: 5-7 s of CPU).
RETURN u.id AS user_id,
       collect(CASE WHEN q IS NULL THEN null
               ELSE {user_id: u.id, question_id: q.id, correct: a.correct,
                     // answered a next-best item a recommendation served (the served calibration's rows)
                     served: EXISTS { (a)-[:FROM]->(r:Recommendation) WHERE q.id IN r.next_ids },
                     at: CASE WHEN a.at IS :: ZONED DATETIME
                              THEN (a.at.epochSeconds * 1000000 + a.at.microsecond) / 1000000.0
                              ELSE a.at END} END) AS attempts
ORDER BY user_id

-- name: model_register
-- Create a model version (inactive) with its metrics and its question side as JSON.
CREATE (m:ModelVersion {id: $id, trained_at: datetime($trained_at), scope: $scope, dim: $dim,
                        metrics: $metrics, active: false, side: $side, path: $path})
RETURN m.id AS id

-- name: model_activate
-- Make one version the active one and deactivate every other, activations serialised by one lock node.
MERGE (lock:Meta {key: 'model'})
SET lock.activations = coalesce(lock.activations, 0) + 1  // the write lock: a concurrent activation waits
WITH lock
MATCH (m:ModelVersion {id: $id})
CALL (m) {
  MATCH (o:ModelVersion {active: true}) WHERE o <> m
  SET o.active = false
}
SET m.active = true, m.activated_at = datetime()
RETURN m.id AS id

-- name: model_list
-- Every model version without its question side, newest first.
MATCH (m:ModelVersion)
RETURN m.id AS id, toString(m.trained_at) AS trained_at, m.scope AS scope, m.dim AS dim,
       m.metrics AS metrics, m.active AS active, toString(m.activated_at) AS activated_at
ORDER BY m.trained_at DESC, m.id DESC

-- name: model_active_id
-- The id of the active model version, if any.
MATCH (m:ModelVersion {active: true})
RETURN m.id AS id
ORDER BY m.activated_at DESC
LIMIT 1

-- name: model_side
-- The question side (JSON) of one model version.
MATCH (m:ModelVersion {id: $id})
RETURN m.side AS side

-- name: model_training_acquire
-- Take the one-training-at-a-time lease unless another holder's lease is still running.
MERGE (lease:Meta {key: 'training'})
SET lease.checked_at = $now  // the write lock first, so two trainers cannot both see it free
WITH lease, lease.holder IS NULL OR lease.until < $now OR lease.holder = $holder AS free
SET lease.holder = CASE WHEN free THEN $holder ELSE lease.holder END,
    lease.until = CASE WHEN free THEN $until ELSE lease.until END
RETURN free, lease.holder AS holder, lease.until AS until

-- name: model_training_release
-- Give the training lease back (only its holder can).
MATCH (lease:Meta {key: 'training', holder: $holder})
REMOVE lease.holder, lease.until

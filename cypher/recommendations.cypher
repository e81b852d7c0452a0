// The recommendation route: one read for the student's state, one write to record what was served.

-- name: rec_student_state
-- Everything about one student a recommendation needs (their app too), plus the content version, in one round trip.
// Flat lists of plain values and epoch milliseconds: the driver decodes them several times faster
// than maps of temporal values (decoding was a third of a recommendation's CPU).
OPTIONAL MATCH (meta:Meta {key: 'content'})
OPTIONAL MATCH (u:User {id: $user_id})
CALL (u) {
  OPTIONAL MATCH (u)-[:HAS_MEMORY]->(m:Memory)
  RETURN collect(CASE WHEN m IS NULL THEN NULL ELSE
           [m.concept_id, m.stability, m.difficulty, m.due.epochMillis, m.last_review.epochMillis, m.reps, m.lapses,
            m.wins, m.fails, m.last_time_ms] END) AS memory
}
CALL (u) {
  OPTIONAL MATCH (u)-[:REJECTED]->(q:Question)
  RETURN collect(q.id) AS rejected
}
CALL () {
  MATCH (a:Attempt)
  WHERE a.user_id = $user_id AND a.at IS NOT NULL  // a predicate on both properties of attempt_user_at, or it is not used
  WITH a ORDER BY a.at DESC LIMIT $max_attempts
  RETURN collect(a.question_id) AS attempt_questions, collect(a.correct) AS attempt_correct,
         collect(a.at.epochMillis) AS attempt_at_ms,
         collect(coalesce(a.time_ms, 0)) AS attempt_time_ms  // collect drops nulls: the lists must align
}
// The catalog key: epoch and version, plus node counts (count-store lookups) for content written
// around the content API.
RETURN coalesce(meta.epoch, '') + ':' + toString(coalesce(meta.version, 0)) + ':'
       + toString(COUNT { (:Unit) }) + ':' + toString(COUNT { (:Question) }) + ':' + toString(COUNT { (:Concept) })
       AS content_version,
       u {.id, .timezone, .target_offset, .goal_day, .goal_base, app: coalesce(u.app, 'default')} AS user,
       memory, rejected,
       attempt_questions, attempt_correct, attempt_at_ms, attempt_time_ms,
       EXISTS { MATCH (:Tombstone {user_id: $user_id}) } AS deleted  // a deleted learner stays deleted

-- name: rec_content_version
-- The catalog key alone: the graph's epoch and its content version.
OPTIONAL MATCH (meta:Meta {key: 'content'})
RETURN coalesce(meta.epoch, '') + ':' + toString(coalesce(meta.version, 0)) + ':'
       + toString(COUNT { (:Unit) }) + ':' + toString(COUNT { (:Question) }) + ':' + toString(COUNT { (:Concept) })
       AS version

-- name: rec_question_meta
-- Every question with its concepts, tag and text: loaded once per content version.
MATCH (q:Question)
OPTIONAL MATCH (q)-[r:ASSESSES]->(c:Concept)
WITH q, c, r ORDER BY r.weight DESC, c.id
RETURN q.id AS id, q.difficulty_tag AS difficulty_tag, q.text AS text, collect(c.id) AS concept_ids

-- name: rec_concepts
-- Every concept with its name, direct prerequisites and filter-scope-free facts.
MATCH (c:Concept)
OPTIONAL MATCH (c)-[:REQUIRES]->(p:Concept)
RETURN c.id AS id, c.name AS name, collect(p.id) AS requires

-- name: rec_record_batch
-- Store served recommendations (one group commit) and link each to its student; a replay (after an ambiguous commit) changes nothing.
UNWIND $rows AS row
WITH row, datetime(row.served_at) AS served_at  // sent as an ISO string (`served.record_row`)
WHERE NOT EXISTS { MATCH (:Tombstone {user_id: row.user_id}) }  // a deleted learner stays deleted
MERGE (u:User {id: row.user_id})
  ON CREATE SET u.created_at = served_at, u.timezone = 'UTC', u.app = row.app
MERGE (r:Recommendation {id: row.id})
  ON CREATE SET r += {user_id: row.user_id, app: coalesce(u.app, row.app), arm: row.arm,
                      experiment_arms: row.experiment_arms, model_version: row.model_version,
                      served_at: served_at, items: row.items, request: row.request,
                      question_ids: row.question_ids, next_ids: row.next_ids, new_: true}
WITH u, r, row, r.new_ IS NOT NULL AS created
CALL (u, r, created) {
  WITH u, r, created WHERE created
  CREATE (u)-[:RECEIVED]->(r)
}
REMOVE r.new_
// The daily goal the recommendation showed, fixed for the learner's day unless already set for it.
FOREACH (_ IN CASE WHEN row.goal_day IS NULL OR u.goal_day = row.goal_day THEN [] ELSE [1] END |
  SET u.goal_day = row.goal_day, u.goal_base = row.goal_base)

-- name: rec_get
-- A stored recommendation.
MATCH (r:Recommendation {id: $id})
RETURN r {.*} AS recommendation

-- name: rec_feedback
-- Record one feedback event once (retries are harmless); dismissals become REJECTED edges.
MATCH (r:Recommendation {id: $recommendation_id})
MATCH (q:Question {id: $question_id})
MATCH (u:User {id: r.user_id})
MERGE (f:Feedback {key: $key})
  ON CREATE SET f.recommendation_id = r.id, f.user_id = u.id, f.question_id = q.id,
                f.action = $action, f.reason = $reason, f.at = $at, f.new_ = true
WITH r, q, u, f, f.new_ IS NOT NULL AS created
REMOVE f.new_
WITH u, q, created
CALL (u, q, created) {
  WITH u, q, created WHERE created AND $action = 'dismissed'
  MERGE (u)-[x:REJECTED]->(q)
  SET x.reason = $reason, x.at = $at, x.recommendation_id = $recommendation_id
}
CALL (u, q, created) {
  WITH u, q, created WHERE created AND $reason = 'broken'
  MERGE (u)-[b:REPORTED_BROKEN]->(q)
  ON CREATE SET b.at = $at
}
CALL (u, created) {
  WITH u, created WHERE created AND $target_step <> 0.0
  SET u.target_offset = CASE
    WHEN coalesce(u.target_offset, 0.0) + $target_step > $max_offset THEN $max_offset
    WHEN coalesce(u.target_offset, 0.0) + $target_step < -$max_offset THEN -$max_offset
    ELSE coalesce(u.target_offset, 0.0) + $target_step END
}
RETURN created, u.target_offset AS target_offset, u.id AS user_id

-- name: rec_feedback_targets
-- Does the recommendation exist, did it include the question, and its items (each one's stream).
OPTIONAL MATCH (r:Recommendation {id: $recommendation_id})
RETURN r IS NOT NULL AS found, $question_id IN coalesce(r.question_ids, []) AS included, r.items AS items

-- name: content_flags
-- Questions that several students reported as broken since the flag was last resolved.
MATCH (u:User)-[b:REPORTED_BROKEN]->(q:Question)
WHERE q.flag_resolved_at IS NULL OR b.at > q.flag_resolved_at
WITH q, count(DISTINCT u) AS reports, max(b.at) AS last_reported,
     collect({user_id: u.id, at: toString(b.at)}) AS reported_by
WHERE reports >= $min_reports
RETURN q.id AS question_id, q.text AS text, reports, last_reported, reported_by[..20] AS reported_by
ORDER BY reports DESC, question_id
LIMIT $limit

-- name: rec_units
-- Every unit with its filter scope (null: the unit itself) and what it directly contains.
MATCH (u:Unit)
RETURN u.id AS id, u.filter_scope AS filter_scope,
       [(u)-[:CONTAINS]->(c:Unit) | c.id] AS units, [(u)-[:CONTAINS]->(q:Question) | q.id] AS questions

-- name: rec_owners
-- The learner of each listed recommendation that exists (attempts may name only those).
UNWIND $ids AS id
MATCH (r:Recommendation {id: id})
RETURN r.id AS id, r.user_id AS user_id

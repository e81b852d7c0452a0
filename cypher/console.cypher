// What the web console reads beyond the domain routes: the whole concept graph in one answer,
// a page of learners, a learner's recent recommendations, exposures per day, flag resolution.

-- name: content_graph
-- Every concept (id, name, subject) and every prerequisite edge, for the graph view.
CALL () { MATCH (c:Concept) RETURN collect(c {.id, .name, .subject}) AS concepts }
CALL () { MATCH (c:Concept)-[:REQUIRES]->(p:Concept) RETURN collect([c.id, p.id]) AS edges }
RETURN concepts, edges

-- name: users_page
-- Learners of an app (null: every app) by id after a cursor, optionally whose id or display name contains some text.
MATCH (u:User)
WHERE ($after IS NULL OR u.id > $after)
  AND ($app IS NULL OR coalesce(u.app, 'default') = $app)
  AND ($text IS NULL OR toLower(u.id) CONTAINS $text OR toLower(coalesce(u.display_name, '')) CONTAINS $text)
RETURN u {.id, .display_name, .timezone, .created_at} AS user
ORDER BY u.id
LIMIT $limit

-- name: user_recommendations
-- A learner's most recent recommendations, newest first.
MATCH (r:Recommendation)
WHERE r.user_id = $user_id
RETURN r {.id, .user_id, .arm, .experiment_arms, .model_version, .served_at, .items} AS recommendation
ORDER BY r.served_at DESC, r.id DESC
LIMIT $limit

-- name: experiment_exposures_daily
-- First exposures per arm and UTC day.
MATCH (:User)-[x:EXPOSED]->(:Experiment {key: $key})
RETURN toString(date(x.first_at)) AS day, x.arm AS arm, count(*) AS exposed
ORDER BY day, arm

-- name: experiment_update_draft
-- Replace a draft's definition; returns the status it had (anything but draft is left alone).
MATCH (e:Experiment {key: $key})
WITH e, e.status AS was
SET e.definition = CASE WHEN was = 'draft' THEN $definition ELSE e.definition END,
    e.coverage = CASE WHEN was = 'draft' THEN $coverage ELSE e.coverage END,
    e.namespace = CASE WHEN was = 'draft' THEN $namespace ELSE e.namespace END,
    e.start = CASE WHEN was = 'draft' THEN $start ELSE e.start END,
    e.end = CASE WHEN was = 'draft' THEN $end ELSE e.end END
RETURN was, e {.*} AS experiment

-- name: flag_resolve
-- Mark a question's broken reports resolved (reports after this moment raise a new flag).
MATCH (q:Question {id: $question_id})
SET q.flag_resolved_at = $now, q.flag_resolved_by = $author
RETURN q.id AS question_id, q.flag_resolved_at AS resolved_at, q.flag_resolved_by AS resolved_by

-- name: demo_expose_active
-- Demo only: expose each given user at their first attempt since `start` (users without one are left out).
MATCH (e:Experiment {key: $key})
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
CALL (u) {
  MATCH (u)-[:ATTEMPTED]->(a:Attempt)
  WHERE a.at >= $start AND a.at < $until
  RETURN min(a.at) AS first
}
WITH u, e, row, first WHERE first IS NOT NULL
MERGE (u)-[x:EXPOSED]->(e)
  ON CREATE SET x.arm = row.arm, x.first_at = first
RETURN count(*) AS exposed

-- name: demo_report_broken
-- Demo only: learners who reported a question broken (what a dismissal with reason 'broken' leaves).
UNWIND $reports AS r
MATCH (u:User {id: r.user_id})
MATCH (q:Question {id: r.question_id})
MERGE (u)-[b:REPORTED_BROKEN]->(q)
  ON CREATE SET b.at = r.at
RETURN count(*) AS reports

-- name: demo_first_questions
-- Demo only: the first questions by id.
MATCH (q:Question)
RETURN q.id AS question_id
ORDER BY q.id
LIMIT $limit

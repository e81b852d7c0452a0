// Experiments: definitions, status changes, exposures and the per-user metrics of results.
// An experiment's definition is a JSON string; the fields queries filter on are properties.

-- name: experiment_create
-- Create a draft experiment; returns nothing when the key is taken.
OPTIONAL MATCH (taken:Experiment {key: $key})
WITH taken WHERE taken IS NULL
CREATE (e:Experiment {key: $key, uid: randomUUID(), status: 'draft', definition: $definition, coverage: $coverage,
                      namespace: $namespace, start: $start, end: $end, created_at: $now})
RETURN e {.*} AS experiment

-- name: experiment_get
-- One experiment by key.
MATCH (e:Experiment {key: $key})
RETURN e {.*} AS experiment

-- name: experiment_list
-- Every experiment, newest first.
MATCH (e:Experiment)
RETURN e {.*} AS experiment
ORDER BY e.created_at DESC, e.key

-- name: experiments_in_namespace
-- Experiments not yet stopped that hold a range of a namespace (to refuse overlaps).
MATCH (e:Experiment)
WHERE e.namespace = $namespace AND e.status <> 'stopped' AND e.key <> $key
RETURN e {.*} AS experiment

-- name: experiments_running
-- Running experiments, for assignment on the recommendation route.
MATCH (e:Experiment {status: 'running'})
RETURN e {.*} AS experiment

-- name: experiment_start
-- Move a draft to running (start defaults to now); returns the status it had.
MATCH (e:Experiment {key: $key})
WITH e, e.status AS was
SET e.status = CASE WHEN was = 'draft' THEN 'running' ELSE e.status END,
    e.start = CASE WHEN was = 'draft' THEN coalesce(e.start, $now) ELSE e.start END
RETURN was, e {.*} AS experiment

-- name: experiment_stop
-- Move a running experiment to stopped; its end becomes now unless it ended earlier.
MATCH (e:Experiment {key: $key})
WITH e, e.status AS was
SET e.status = CASE WHEN was = 'running' THEN 'stopped' ELSE e.status END,
    e.end = CASE WHEN was = 'running' AND (e.end IS NULL OR e.end > $now) THEN $now ELSE e.end END
RETURN was, e {.*} AS experiment

-- name: experiment_set_coverage
-- Change coverage (ranges only widen or narrow in place, so a raise moves nobody).
MATCH (e:Experiment {key: $key})
SET e.coverage = $coverage
RETURN e {.*} AS experiment

-- name: experiment_expose
-- Record each first exposure once: the user node is write-locked first so concurrent MERGEs agree.
MERGE (u:User {id: $user_id})
  ON CREATE SET u.created_at = $now, u.timezone = 'UTC'
SET u._exposure_lock = true
REMOVE u._exposure_lock
WITH u
UNWIND $rows AS row
MATCH (e:Experiment {key: row.key})
MERGE (u)-[x:EXPOSED]->(e)
  ON CREATE SET x.arm = row.arm, x.first_at = $now
RETURN row.key AS key, x.arm AS arm, x.first_at AS first_at

-- name: experiment_user_ids
-- Ids of users who existed before the window closed: the population assignment is computed over.
MATCH (u:User)
WHERE u.created_at IS NULL OR u.created_at < $until
RETURN collect(u.id) AS ids

-- name: experiment_user_metrics
-- Per exposed user, the metrics of results over [first exposure, until), aggregated in the graph.
MATCH (u:User)-[x:EXPOSED]->(:Experiment {key: $key})
WITH u, x.arm AS arm, x.first_at AS since
CALL (u, since) {
  OPTIONAL MATCH (u)-[:ATTEMPTED]->(a:Attempt)
  WHERE a.at >= since AND a.at < $until
  WITH a, CASE WHEN a IS NULL THEN null
               ELSE date(datetime({datetime: a.at, timezone: coalesce(u.timezone, 'UTC')})) END AS day,
       CASE WHEN a.at >= since + duration({hours: 24}) AND a.at < since + duration({days: 7})
            THEN 1 ELSE 0 END AS came_back
  RETURN count(a) AS attempts,
         sum(coalesce(a.time_ms, 0)) / 60000.0 AS practice_minutes,
         CASE WHEN count(a) = 0 THEN null
              ELSE toFloat(sum(CASE WHEN a.correct THEN 1 ELSE 0 END)) / count(a) END AS accuracy,
         count(DISTINCT day) AS active_days,
         coalesce(max(came_back), 0) AS returned_7d
}
RETURN u.id AS user_id, arm, attempts, practice_minutes, accuracy, active_days, returned_7d,
       COUNT { (u)-[:HAS_MEMORY]->(m:Memory)
               WHERE m.mastery >= $mastery_threshold AND m.updated_at >= since AND m.updated_at < $until }
         AS mastery_gained,
       COUNT { (u)-[r:REJECTED]->(:Question) WHERE r.at >= since AND r.at < $until } AS dismissals

-- name: experiment_pre_period
-- Per exposed user, their attempts in the $days days before their first exposure (the treatment cannot have moved them): count, minutes, right answers, active days.
MATCH (u:User)-[x:EXPOSED]->(:Experiment {key: $key})
WITH u, x.first_at AS since
CALL (u, since) {
  OPTIONAL MATCH (u)-[:ATTEMPTED]->(a:Attempt)
  WHERE a.at >= since - duration({days: $days}) AND a.at < since
  WITH a, CASE WHEN a IS NULL THEN null
               ELSE date(datetime({datetime: a.at, timezone: coalesce(u.timezone, 'UTC')})) END AS day
  RETURN count(a) AS attempts,
         sum(coalesce(a.time_ms, 0)) / 60000.0 AS practice_minutes,
         CASE WHEN count(a) = 0 THEN null
              ELSE toFloat(sum(CASE WHEN a.correct THEN 1 ELSE 0 END)) / count(a) END AS accuracy,
         count(DISTINCT day) AS active_days
}
RETURN u.id AS user_id, attempts, practice_minutes, accuracy, active_days

-- name: experiment_ability_counts
-- Per exposed user with 3+ attempts in the window and per phase (first, last third of them): questions with their attempts and correct answers, as parallel lists.
MATCH (u:User)-[x:EXPOSED]->(:Experiment {key: $key})
WITH u, x.first_at AS since
CALL (u, since) {
  MATCH (u)-[:ATTEMPTED]->(a:Attempt)
  WHERE a.at >= since AND a.at < $until
  WITH a ORDER BY a.at, a.id
  WITH collect(a) AS attempts
  WITH attempts, size(attempts) / 3 AS third
  WHERE third > 0
  UNWIND range(0, size(attempts) - 1) AS i
  WITH attempts[i] AS a,
       CASE WHEN i < third THEN 'early' WHEN i >= size(attempts) - third THEN 'late' END AS phase
  WHERE phase IS NOT NULL
  WITH phase, a.question_id AS question_id, count(*) AS n, sum(CASE WHEN a.correct THEN 1 ELSE 0 END) AS correct
  // lists, not a row per question: 60k small records cost the async driver 4 s more than 10k rows of lists
  RETURN phase, collect(question_id) AS question_ids, collect(n) AS n, collect(correct) AS correct
}
RETURN u.id AS user_id, phase, question_ids, n, correct

-- name: experiment_delayed_retention
-- Per exposed user, attempts in the window on the day they came back to a concept they had not practised for $delay_days or more, and how many were right.
MATCH (u:User)-[x:EXPOSED]->(:Experiment {key: $key})
CALL (u, x) {
  // One pass over the user's attempts per concept, the times compared in memory: matching each
  // attempt's earlier attempts in the graph instead took 8 s on the demo's 1,550 learners.
  // Every answer of the day the learner comes back to the concept counts, not only the first: the
  // gap is measured from that day's first attempt on it (`back`).
  MATCH (u)-[:ATTEMPTED]->(a:Attempt)-[:OF]->(:Question)-[:ASSESSES]->(c:Concept)
  WHERE a.at < $until
  WITH c, collect(a) AS seen
  WITH seen, [b IN seen | b.at] AS times,
       [b IN seen | date(datetime({datetime: b.at, timezone: coalesce(u.timezone, 'UTC')}))] AS days
  UNWIND range(0, size(seen) - 1) AS i
  WITH seen[i] AS a, times,
       reduce(back = times[i], j IN range(0, size(times) - 1) |
              CASE WHEN days[j] = days[i] AND times[j] < back THEN times[j] ELSE back END) AS back
  WITH a, times, back, back - duration({days: $delay_days}) AS cutoff
  WHERE a.at >= x.first_at
    AND any(t IN times WHERE t < back)
    AND none(t IN times WHERE t < back AND t > cutoff)
  WITH DISTINCT a  // an attempt on several such concepts counts once
  RETURN count(a) AS attempts, sum(CASE WHEN a.correct THEN 1 ELSE 0 END) AS correct
}
WITH u, attempts, correct WHERE attempts > 0
RETURN u.id AS user_id, attempts, correct

-- name: experiment_results_version
-- What an experiment's results depend on, read from the count store (constant time): its definition, the active model, and how many attempts, exposures, rejections, learners and deleted learners there are.
OPTIONAL MATCH (e:Experiment {key: $key})
CALL () { MATCH (a:Attempt) RETURN count(a) AS attempts }
CALL () { MATCH ()-[x:EXPOSED]->() RETURN count(x) AS exposures }
CALL () { MATCH ()-[r:REJECTED]->() RETURN count(r) AS rejections }
CALL () { MATCH (u:User) RETURN count(u) AS users }
CALL () { MATCH (t:Tombstone) RETURN count(t) AS tombstones }
CALL () { MATCH (m:Memory) RETURN count(m) AS memories }
CALL () {
  OPTIONAL MATCH (m:ModelVersion {active: true})
  RETURN m.id AS model ORDER BY m.activated_at DESC LIMIT 1
}
RETURN e {.*} AS experiment, attempts, exposures, rejections, users, tombstones, memories, model

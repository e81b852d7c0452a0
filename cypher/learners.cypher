// Learner events: attempts, review state, activity and the learner read routes.

-- name: attempts_write
-- A batch's first statement: its content, its users locked with their review states, its attempts created once.
// One statement, four subqueries in this order (one round trip; they were three statements):
// 0. `questions`: each of $question_ids with its node (null if unknown), in that order: the rows
//    of `merged` name their question by position in it, as their learner by position in `stored`'s
//    `users` (`attempts.placed`), so no row seeks either in a unique index again.
// 1. `content`: one entry per concept the batch's questions assess, with [question, found, weight,
//    position in $question_ids] lists and the concept's prerequisites three levels down (IMPLICIT_DEPTH in memory.py), read
//    level by level, never path by path: each level expands the distinct concepts of the one
//    before, at most $max_edges edges (`levels`: each level's concept ids, `edges`: each level's
//    edges read; the caller refuses a level over IMPLICIT_MAX_EDGES, memory.shortest_depths gives
//    each prerequisite its fewest levels down). Unknown questions (found false) and questions that
//    assess nothing come in the entry whose concept is null.
// 2. `by_question`: per position in $question_ids, the concepts its question touches (what it
//    assesses and their prerequisites), so a user's concepts are read through their questions'
//    positions (`attempts.users_of`). It replaced a test of every question of `content` against
//    each user's question ids, which grew as users x questions x questions: in import batches of
//    2,000 (few learners, hundreds of questions each) it was 12% of Neo4j's samples in a JFR profile.
// 3. `stored`: unseen users created (in $app), every user of the batch write-locked in id order
//    ($users is sorted by user_id), then, per user, their states of the concepts that user's own
//    questions touch (not every concept the batch touches: groups of single attempts returned
//    each learner's states on the whole group's concepts, and packing and decoding them was a
//    fifth of Neo4j's CPU per commit in a JFR profile). A state travels as a list in
//    `memory.STATE_ROW` order, the node id (what `memory_write` updates through) first and the
//    two times as ISO strings (cheaper to decode than driver datetimes); never `.*`, whose
//    `updated_at` came back as a driver datetime. `foreign` (another app's learner) and
//    `deleted` (deleting or tombstoned) are read after the lock, once per user, and so is `user`:
//    the profile fields `rec_student_state` reads, as this commit leaves them (a learner's state
//    kept by the API is carried over the write with them: `recommendations/states.py`).
//    `$now` is an ISO string, as the rows' times: the driver encodes a datetime in pure Python.
// `replan=skip`: a plan is kept when the graph's counts drift (Neo4j discarded it as stale every
// few thousand new learners or states, and replanning took 190-250 ms of Neo4j's CPU while a group
// of single attempts waited: a p99 candidate). Every choice in it is fixed whatever the counts:
// unique-index seeks, expansions from bound nodes. The states are every state of the user, filtered
// by concept after the expansion: with the filter inside the pattern, a plan made on an empty graph
// sought them through the memory_concept index (every learner's states of those concepts) and
// replan=skip would have kept it (tests/integration/learners/test_attempts.py checks the plan).
// 4. `merged`: each attempt created once (its id is the client's idempotency key), in question
//    order ($rows is sorted by question: shared questions locked in one order), and whether it is
//    new (the `new_` mark: a check then CREATE would fail a concurrent replay on the constraint).
//    Its properties are named (`a += row.props` cost twice the db hits and Eagers), and only an
//    attempt naming a recommendation seeks it (with a filter, the planner sought it for every row).
//    Its learner and question come from their positions (a row whose position does not name its
//    own ids, or whose question is unknown, is left out: the caller refuses the batch on an
//    unknown question, and counts the rows back).
//    The caller refuses the batch (rolling all of it back) on an unknown question or user.
CYPHER replan=skip
CALL () {
  UNWIND $question_ids AS qid
  OPTIONAL MATCH (q:Question {id: qid})
  RETURN collect([qid, q]) AS questions
}
CALL (questions) {
  UNWIND range(0, size($question_ids) - 1) AS i
  WITH i, $question_ids[i] AS qid, questions[i][1] AS q
  OPTIONAL MATCH (q)-[r:ASSESSES]->(c:Concept)
  WITH c, collect([qid, q IS NOT NULL, coalesce(r.weight, 1.0), i]) AS asked
  CALL (c) {
    OPTIONAL MATCH (c)-[:REQUIRES]->(p:Concept)
    WITH p LIMIT $max_edges
    RETURN collect(DISTINCT p) AS level1, count(p) AS edges1
  }
  CALL (level1) {
    UNWIND level1 AS x
    MATCH (x)-[:REQUIRES]->(p:Concept)
    WITH p LIMIT $max_edges
    RETURN collect(DISTINCT p) AS level2, count(p) AS edges2
  }
  CALL (level2) {
    UNWIND level2 AS x
    MATCH (x)-[:REQUIRES]->(p:Concept)
    WITH p LIMIT $max_edges
    RETURN collect(DISTINCT p) AS level3, count(p) AS edges3
  }
  RETURN collect({concept_id: c.id, asked: asked, edges: [edges1, edges2, edges3],
                  levels: [level IN [level1, level2, level3] | [p IN level | p.id]]}) AS content
}
CALL (content) {
  UNWIND content AS x
  UNWIND x.asked AS asked
  WITH asked[3] AS i,
       CASE WHEN x.concept_id IS NULL THEN [] ELSE [x.concept_id] + reduce(below = [], level IN x.levels | below + level) END AS ids
  WITH i, reduce(all = [], ids IN collect(ids) | all + ids) AS touched
  ORDER BY i
  RETURN collect(touched) AS by_question
}
CALL (by_question) {
  UNWIND $users AS mine
  MERGE (u:User {id: mine.user_id})
    ON CREATE SET u.created_at = datetime($now), u.timezone = 'UTC', u.app = $app
  SET u.last_write = datetime($now)
  WITH u, mine,
       (NOT $any_app AND coalesce(u.app, 'default') <> $app) AS foreign,
       (coalesce(u.deleting, false) OR EXISTS { MATCH (:Tombstone {user_id: u.id}) }) AS deleted
  CALL (mine, by_question) {
    UNWIND mine.questions AS i
    UNWIND by_question[i] AS concept_id
    RETURN collect(DISTINCT concept_id) AS touched
  }
  RETURN collect({user_id: mine.user_id, foreign: foreign, deleted: deleted,
                  user: u {.timezone, .target_offset, .goal_day, .goal_base, app: coalesce(u.app, 'default')},
                  states: [m IN [(u)-[:HAS_MEMORY]->(x:Memory) | x] WHERE m.concept_id IN touched |
                           [elementId(m), m.concept_id, m.stability, m.difficulty, m.reps, m.lapses, m.wins,
                            m.fails, m.last_time_ms, toString(m.due), toString(m.last_review)]]}) AS stored,
         collect([mine.user_id, u]) AS users
}
CALL (questions, users) {
  UNWIND $rows AS row
  WITH row, users[row.user] AS mine, questions[row.question] AS asked
  WHERE mine[0] = row.user_id AND asked[0] = row.question_id AND asked[1] IS NOT NULL
  WITH row, mine[1] AS u, asked[1] AS q
  MERGE (a:Attempt {id: row.attempt_id})
    ON CREATE SET a.user_id = row.user_id, a.question_id = row.question_id, a.correct = row.props.correct,
                  a.time_ms = row.props.time_ms, a.response = row.props.response,
                  a.recommendation_id = row.props.recommendation_id, a.at = datetime(row.at), a.new_ = true
  WITH u, q, a, row, a.new_ IS NOT NULL AS created
  CALL (u, q, a, created) {
    WITH u, q, a, created WHERE created
    CREATE (u)-[:ATTEMPTED]->(a)-[:OF]->(q)
  }
  CALL (a, row, created) {
    UNWIND CASE WHEN created AND row.props.recommendation_id IS NOT NULL
                THEN [row.props.recommendation_id] ELSE [] END AS served
    MATCH (r:Recommendation {id: served})
    CREATE (a)-[:FROM]->(r)
  }
  REMOVE a.new_
  RETURN collect({index: row.index, attempt_id: a.id, created: created, user_id: a.user_id,
                  question_id: a.question_id, correct: a.correct}) AS merged
}
RETURN content, stored, merged

-- name: memory_write
-- Store review states computed in Python: $updates through their node ids, $creates as new nodes.
// A state is a node of its learner's own, (:User)-[:HAS_MEMORY]->(:Memory {user_id, concept_id}),
// never a relationship on the concept: the concept is shared by every learner of it, and
// relationships spliced into its chains locked each other's neighbours (deadlocks between two
// learners answering on one concept). The caller holds the user's lock, so nobody else can be
// creating the same state; the memory_key constraint would refuse a second one anyway. Two plain
// UNWINDs, not one with a conditional subquery per row: a third less of Neo4j's CPU per state.
// Each property is named (a new state's in its CREATE): with `SET m += row.state`, a map of keys
// unknown to the planner, it buffered every row in Eagers (four in the plan) and set each state
// twice; new states come grouped by learner, one user seek a learner, not one a state
// (docs/BENCHMARKS.md, "#15 part A, round 9"; tests/unit/learners/test_attempt_rows.py checks
// that every field of `MemoryState.to_row` is written).
// `replan=skip` as `attempts_write` (element-id and unique-index seeks only).
CYPHER replan=skip
UNWIND $updates AS row
MATCH (m:Memory) WHERE elementId(m) = row.node
SET m.stability = row.state.stability, m.difficulty = row.state.difficulty, m.reps = row.state.reps,
    m.lapses = row.state.lapses, m.wins = row.state.wins, m.fails = row.state.fails,
    m.last_time_ms = row.state.last_time_ms, m.mastery = row.state.mastery,
    m.due = datetime(row.due), m.last_review = datetime(row.last_review), m.updated_at = datetime($now)
WITH count(*) AS updated
UNWIND $creates AS mine
MATCH (u:User {id: mine.user_id})
UNWIND mine.states AS row
CREATE (u)-[:HAS_MEMORY]->(:Memory {
  user_id: mine.user_id, concept_id: row.concept_id, stability: row.state.stability,
  difficulty: row.state.difficulty, reps: row.state.reps, lapses: row.state.lapses, wins: row.state.wins,
  fails: row.state.fails, last_time_ms: row.state.last_time_ms, mastery: row.state.mastery,
  due: datetime(row.due), last_review: datetime(row.last_review), updated_at: datetime($now)})

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

-- name: memory_migrate_batch
-- Move up to $batch review states stored the old way, (:User)-[:MEMORY]->(:Concept), onto the learner's (:Memory) nodes.
// A state that already has its Memory node (written by this version before the move) keeps it: the
// node is what the write path has been updating since. Two old relationships for one pair (never
// written by the old code, but cheap to survive) give the one reviewed last. Each old
// relationship is deleted once read, so a rerun continues where an interrupted one stopped.
MATCH (u:User)-[r:MEMORY]->(c:Concept)
WITH u, c, r LIMIT $batch
WITH u, c, r ORDER BY r.last_review DESC
WITH u, c, collect(r) AS rels
OPTIONAL MATCH (u)-[:HAS_MEMORY]->(existing:Memory {concept_id: c.id})
CALL (u, c, rels, existing) {
  WITH u, c, rels, existing WHERE existing IS NULL
  CREATE (u)-[:HAS_MEMORY]->(m:Memory)
  SET m = properties(head(rels)), m.user_id = u.id, m.concept_id = c.id
}
WITH rels, existing IS NULL AS moved
FOREACH (r IN rels | DELETE r)
RETURN sum(size(rels)) AS seen, sum(CASE WHEN moved THEN 1 ELSE 0 END) AS moved

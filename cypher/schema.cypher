// Uniqueness constraints and indexes: the one source of truth for the schema.
// Applied in file order, idempotently, at start-up and by `learner-graph schema apply`.
// Community edition has uniqueness constraints only; required fields are checked in the API.

-- name: schema_concept_id
-- Concept ids are unique.
CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (c:Concept) REQUIRE c.id IS UNIQUE

-- name: schema_unit_id
-- Unit ids are unique.
CREATE CONSTRAINT unit_id IF NOT EXISTS FOR (u:Unit) REQUIRE u.id IS UNIQUE

-- name: schema_question_id
-- Question ids are unique.
CREATE CONSTRAINT question_id IF NOT EXISTS FOR (q:Question) REQUIRE q.id IS UNIQUE

-- name: schema_user_id
-- User ids are unique.
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE

-- name: schema_tombstone_user
-- One tombstone per deleted learner id: writes still in flight must not bring the learner back.
CREATE CONSTRAINT tombstone_user IF NOT EXISTS FOR (t:Tombstone) REQUIRE t.user_id IS UNIQUE

-- name: schema_attempt_id
-- Attempt ids (the client's idempotency key) are unique.
CREATE CONSTRAINT attempt_id IF NOT EXISTS FOR (a:Attempt) REQUIRE a.id IS UNIQUE

-- name: schema_memory_key
-- One review state per (user, concept): a (:Memory) node of the learner's own.
CREATE CONSTRAINT memory_key IF NOT EXISTS FOR (m:Memory) REQUIRE (m.user_id, m.concept_id) IS UNIQUE

-- name: schema_recommendation_id
-- Recommendation ids are unique.
CREATE CONSTRAINT recommendation_id IF NOT EXISTS FOR (r:Recommendation) REQUIRE r.id IS UNIQUE

-- name: schema_model_version_id
-- Model version ids are unique.
CREATE CONSTRAINT model_version_id IF NOT EXISTS FOR (m:ModelVersion) REQUIRE m.id IS UNIQUE

-- name: schema_experiment_key
-- Experiment keys are unique.
CREATE CONSTRAINT experiment_key IF NOT EXISTS FOR (e:Experiment) REQUIRE e.key IS UNIQUE

-- name: schema_content_change_id
-- Audit records of content changes have unique ids.
CREATE CONSTRAINT content_change_id IF NOT EXISTS FOR (c:ContentChange) REQUIRE c.id IS UNIQUE

-- name: schema_meta_key
-- Singleton counters (content version, ...) are keyed.
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE

-- name: schema_feedback_key
-- Feedback events are recorded once per (recommendation, question, action).
CREATE CONSTRAINT feedback_key IF NOT EXISTS FOR (f:Feedback) REQUIRE f.key IS UNIQUE

-- name: schema_recommendation_user
-- A learner's recommendations are found by user (deletion, experiment results).
CREATE INDEX recommendation_user IF NOT EXISTS FOR (r:Recommendation) ON (r.user_id)

-- name: schema_feedback_user
-- A learner's feedback events are found by user (deletion).
CREATE INDEX feedback_user IF NOT EXISTS FOR (f:Feedback) ON (f.user_id)

-- name: schema_memory_concept
-- Review states are found by concept (what a concept's deletion would lose, analytics).
CREATE INDEX memory_concept IF NOT EXISTS FOR (m:Memory) ON (m.concept_id)

-- name: schema_concept_subject
-- Concepts are listed by subject.
CREATE INDEX concept_subject IF NOT EXISTS FOR (c:Concept) ON (c.subject)

-- name: schema_content_change_at
-- Audit records are filtered by time.
CREATE INDEX content_change_at IF NOT EXISTS FOR (c:ContentChange) ON (c.at)

-- name: schema_attempt_user_at
-- A student's attempts are read in time order.
CREATE INDEX attempt_user_at IF NOT EXISTS FOR (a:Attempt) ON (a.user_id, a.at)

-- name: schema_model_version_active
-- The active model version is found by flag.
CREATE INDEX model_version_active IF NOT EXISTS FOR (m:ModelVersion) ON (m.active)

-- name: schema_question_text
-- Questions are searched by words of their text.
CREATE FULLTEXT INDEX question_text IF NOT EXISTS FOR (q:Question) ON EACH [q.text]

-- name: schema_concept_text
-- Concepts are searched by words of their name and description.
CREATE FULLTEXT INDEX concept_text IF NOT EXISTS FOR (c:Concept) ON EACH [c.name, c.description]

-- name: schema_unit_text
-- Units are searched by words of their name.
CREATE FULLTEXT INDEX unit_text IF NOT EXISTS FOR (u:Unit) ON EACH [u.name]

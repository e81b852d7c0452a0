-- name: user_goal_set
-- Fix the learner's daily goal for a local day unless one is already set for that day; returns the base that holds.
MATCH (u:User {id: $user_id})
SET u.goal_base = CASE WHEN u.goal_day = $day THEN u.goal_base ELSE $base END, u.goal_day = $day
RETURN u.goal_base AS base

-- name: user_put
-- Create the learner if new (created now, UTC unless a zone is given) and set the given fields; says whether it was created.
OPTIONAL MATCH (t:Tombstone {user_id: $user_id})
WITH t WHERE t IS NULL  // a deleted learner's id is not reused
MERGE (u:User {id: $user_id})
  ON CREATE SET u.created_at = $now, u.timezone = 'UTC', u.app = $app, u.new_ = true
SET u += $changes
WITH u, u.new_ IS NOT NULL AS created
REMOVE u.new_
RETURN u {.id, .display_name, .timezone, .created_at} AS user, created

-- name: user_goal_set
-- Fix the learner's daily goal for a local day unless one is already set for that day; returns the base that holds.
MATCH (u:User {id: $user_id})
SET u.goal_base = CASE WHEN u.goal_day = $day THEN u.goal_base ELSE $base END, u.goal_day = $day
RETURN u.goal_base AS base

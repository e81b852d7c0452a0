// Apps (tenants): which app a learner, or a served recommendation, belongs to.

-- name: tenancy_user_app
-- The app a user belongs to (users stored before apps existed belong to 'default').
MATCH (u:User {id: $user_id})
RETURN coalesce(u.app, 'default') AS app

-- name: tenancy_recommendation_owner
-- The student and app of a stored recommendation.
MATCH (r:Recommendation {id: $id})
OPTIONAL MATCH (u:User {id: r.user_id})
RETURN r.user_id AS user_id, coalesce(r.app, u.app, 'default') AS app

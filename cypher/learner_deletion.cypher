// Deleting a learner in bounded batches, behind a tombstone that writes still in flight respect.

-- name: deletion_tombstone
-- Mark the learner as being deleted and leave a permanent tombstone for the id; 0 when unknown.
MATCH (u:User {id: $user_id})
MERGE (t:Tombstone {user_id: $user_id})
  ON CREATE SET t.at = $now
SET u.deleting = true
RETURN count(u) AS found

-- name: deletion_attempts
-- Delete up to $batch of the learner's attempts.
MATCH (:User {id: $user_id})-[:ATTEMPTED]->(a:Attempt)
WITH a LIMIT $batch
DETACH DELETE a
RETURN count(*) AS deleted

-- name: deletion_recommendations
-- Delete up to $batch of the recommendations served to the learner.
MATCH (:User {id: $user_id})-[:RECEIVED]->(r:Recommendation)
WITH r LIMIT $batch
DETACH DELETE r
RETURN count(*) AS deleted

-- name: deletion_feedback
-- Delete up to $batch of the learner's feedback events.
MATCH (f:Feedback {user_id: $user_id})
WITH f LIMIT $batch
DETACH DELETE f
RETURN count(*) AS deleted

-- name: deletion_memory
-- Delete up to $batch of the learner's review states (their own Memory nodes).
MATCH (:User {id: $user_id})-[:HAS_MEMORY]->(m:Memory)
WITH m LIMIT $batch
DETACH DELETE m
RETURN count(*) AS deleted

-- name: deletion_user
-- Delete the learner node itself (rejections go with it).
MATCH (u:User {id: $user_id})
DETACH DELETE u
RETURN count(*) AS deleted

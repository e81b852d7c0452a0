"""The learners domain."""

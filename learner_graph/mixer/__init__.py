"""The mixer domain."""

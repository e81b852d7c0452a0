"""The content domain."""

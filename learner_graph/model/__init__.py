"""The model domain."""

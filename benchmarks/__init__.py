"""Benchmarks run by `make bench`: speed and quality targets are checked here, never in tests."""

"""Simulated students (seed/ simulator) run through the real recommendation code against a real graph."""

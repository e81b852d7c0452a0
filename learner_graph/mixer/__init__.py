"""The mixer: next-best questions, spaced review and streak goals blended and explained."""

"""Recommendations: fetch the student, predict, mix, record; and the feedback on what was served."""
